// A campaign's page: pacing now and over the day (the chart), the budget and status
// editor with optimistic concurrency, the ad groups and the change history.

import { run } from "../api.js";
import { hourlyChart, pacingChart } from "../chart.js";
import { h } from "../dom.js";
import { formatMoney, formatRounded, percent, toMicros } from "../money.js";
import { currentViewer } from "../viewer.js";

// The status machine of UpdateCampaignInput.status.
const NEXT_STATUS = {
  DRAFT: ["DRAFT", "ACTIVE", "ARCHIVED"],
  ACTIVE: ["ACTIVE", "PAUSED", "ARCHIVED"],
  PAUSED: ["PAUSED", "ACTIVE", "ARCHIVED"],
  ARCHIVED: ["ARCHIVED"],
};

const WHY = {
  NOT_STARTED: "Its schedule has not started yet.",
  PACING: "The budget is not holding it back: it enters every auction it can, and traffic is the limit.",
  LIMITED_BY_BUDGET: "The budget is what limits delivery: it enters only part of the auctions, to spend along its target curve and not run out early.",
  EXHAUSTED: "Today's budget is spent (or about to be, with spend in flight): it stops until tomorrow or a budget increase.",
  ENDED: "Its schedule has ended.",
  PAUSED: "It is paused (the campaign, its advertiser or all its ad groups).",
};

function shiftDay(day, days) {
  const date = new Date(`${day}T12:00:00Z`);
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
}

function stat(label, value, id) {
  return h("div", { class: "stat" }, h("span", { class: "stat-label" }, label), h("span", { class: "stat-value", id }, value));
}

function pacingSummary(campaign) {
  const p = campaign.pacing;
  if (!p) return h("div", { class: "card" }, h("h2", {}, "Pacing"), h("p", { class: "muted" }, "Not paced yet: the pacing engine has not ticked for this campaign."));
  const money = (m) => formatRounded(m, campaign.budget);
  return h(
    "div",
    { class: "card" },
    h("h2", {}, "Pacing now"),
    h("p", { class: "why", id: "why" }, h("span", { class: `badge ${p.status.toLowerCase()}`, id: "pacing-status" }, p.status.replaceAll("_", " ")), " ", WHY[p.status] || ""),
    h(
      "div",
      { class: "stats" },
      stat("Throttle", percent(p.throttleRate), "throttle"),
      stat("Spent today", money(p.spentToday), "spent-today"),
      stat("Target so far", money(p.targetSoFar)),
      stat("Day budget", money(p.dayBudget)),
      stat("Remaining", money(p.remainingBudget)),
      stat("Bid cap", p.maxCharge ? money(p.maxCharge) : "none"),
    ),
    h("p", { class: "muted small" }, p.budgetRule, ` As of ${new Date(p.updatedAt).toLocaleTimeString()}.`),
  );
}

function legend() {
  const item = (cls, label) => h("span", { class: `key ${cls}` }, label);
  return h("p", { class: "legend" }, item("actual", "spent"), item("target", "target curve"), item("projected", "projection"), item("budget", "budget"), item("cap", "hard cap"));
}

function chartCard(campaign, curve, day) {
  const tz = campaign.advertiser.timezone;
  const today = curve.asOf !== curve.end;
  const base = `#/campaigns/${campaign.id}`;
  return h(
    "div",
    { class: "card", id: "chart-card" },
    h(
      "div",
      { class: "card-head" },
      h("h2", {}, "Spend against the target curve"),
      h(
        "nav",
        { class: "days", "aria-label": "Day" },
        h("a", { id: "previous-day", href: `${base}?day=${shiftDay(curve.day, -1)}` }, "← previous day"),
        h("strong", { id: "curve-day" }, `${curve.day} (${curve.hours} h, ${tz})`),
        today ? h("span", { class: "muted" }, "today") : h("a", { id: "next-day", href: `${base}?day=${shiftDay(curve.day, 1)}` }, "next day →"),
        day ? h("a", { href: base }, "today") : null,
      ),
    ),
    legend(),
    h("div", { class: "chart-wrap" }, pacingChart(curve, tz)),
    h(
      "p",
      { id: "projection" },
      today
        ? `Projected to spend ${formatRounded(curve.projectedEndOfDay, curve.budget)} of ${formatMoney(curve.budget)} today (hard cap ${formatMoney(curve.hardCap)}).`
        : `Spent ${formatMoney(curve.spent)} of ${formatMoney(curve.budget)} that day.`,
    ),
    h("h3", {}, "Spend per hour"),
    h("div", { class: "chart-wrap" }, hourlyChart(curve, tz)),
  );
}

function editor(campaign, canEdit) {
  const budget = h("input", { id: "budget", name: "budget", inputmode: "decimal", value: campaign.budget.amount, required: true, "aria-describedby": "budget-help" });
  const status = h("select", { id: "status", name: "status" }, NEXT_STATUS[campaign.status].map((s) => h("option", { value: s, selected: s === campaign.status }, s)));
  const message = h("div", { id: "edit-message", role: "status" });
  const button = h("button", { type: "submit", id: "save" }, "Save");
  const form = h(
    "form",
    { class: "card editor", id: "editor", onsubmit: (event) => save(event, campaign, { budget, status, message, button }) },
    h("h2", {}, "Budget and status"),
    h("label", { for: "budget" }, `${campaign.budgetType === "DAILY" ? "Daily" : "Lifetime"} budget (${campaign.budget.currency})`),
    budget,
    h("small", { id: "budget-help", class: "muted" }, "In currency units, e.g. 125.50."),
    h("label", { for: "status" }, "Status"),
    status,
    h("p", { class: "muted small" }, `Version ${campaign.version}: a change someone else saved since you opened this page is never overwritten.`),
    canEdit ? button : h("p", { class: "muted" }, "This token may not change campaigns."),
    message,
  );
  return form;
}

async function save(event, campaign, { budget, status, message, button }) {
  event.preventDefault();
  const micros = toMicros(budget.value);
  if (micros === null) {
    message.replaceChildren(h("p", { class: "error" }, "Enter the budget as a positive amount with at most six decimals."));
    return;
  }
  const input = { id: campaign.id, expectedVersion: campaign.version };
  if (micros !== campaign.budget.amountMicros) input.budgetMicros = micros;
  if (status.value !== campaign.status) input.status = status.value;
  if (Object.keys(input).length === 2) {
    message.replaceChildren(h("p", { class: "muted" }, "Nothing to save."));
    return;
  }
  button.disabled = true;
  try {
    const { data } = await run("UpdateCampaign", { input });
    const result = data.updateCampaign;
    if (result.userErrors.length === 0) {
      message.replaceChildren(h("p", { class: "ok", id: "saved" }, "Saved."));
      window.dispatchEvent(new Event("ads:refresh"));
      return;
    }
    const stale = result.userErrors.find((e) => e.code === "STALE_VERSION");
    if (stale) {
      const { data: fresh } = await run("Campaign", { id: campaign.id });
      message.replaceChildren(conflict(fresh.campaign, input));
      return;
    }
    message.replaceChildren(...result.userErrors.map((e) => h("p", { class: "error", "data-code": e.code }, e.message)));
  } catch (error) {
    message.replaceChildren(h("p", { class: "error" }, error.message));
  } finally {
    button.disabled = false;
  }
}

function conflict(current, attempted) {
  return h(
    "div",
    { class: "conflict", id: "conflict", role: "alert" },
    h("h3", {}, "Not saved: this campaign changed since you opened it"),
    h("p", {}, "Someone saved another change first. Your edit was not applied, so nothing of theirs was overwritten. The campaign now is:"),
    h(
      "dl",
      {},
      h("dt", {}, "Budget"),
      h("dd", { id: "current-budget" }, formatMoney(current.budget)),
      h("dt", {}, "Status"),
      h("dd", { id: "current-status" }, current.status),
      h("dt", {}, "Version"),
      h("dd", { id: "current-version" }, String(current.version)),
    ),
    attempted.budgetMicros ? h("p", { class: "muted" }, `You tried a budget of ${formatMoney({ amount: (Number(attempted.budgetMicros) / 1e6).toString(), currency: current.budget.currency })}.`) : null,
    h("button", { type: "button", id: "reload", onclick: () => window.dispatchEvent(new Event("ads:refresh")) }, "Start again from the current values"),
  );
}

function adGroups(campaign) {
  const groups = campaign.adGroups;
  return h(
    "div",
    { class: "card" },
    h("h2", {}, `Ad groups (${groups.totalCount})`),
    h(
      "div",
      { class: "table-wrap" },
      h(
        "table",
        { id: "ad-groups" },
        h("thead", {}, h("tr", {}, ["Ad group", "Status", "Bid", "Pays per", "Cap", "Ads"].map((t) => h("th", { scope: "col" }, t)))),
        h(
          "tbody",
          {},
          groups.nodes.map((g) =>
            h(
              "tr",
              {},
              h("td", { "data-label": "Ad group" }, g.name),
              h("td", { "data-label": "Status" }, h("span", { class: `badge ${g.status.toLowerCase()}` }, g.status)),
              h("td", { "data-label": "Bid", class: "num" }, g.bid.amount),
              h("td", { "data-label": "Pays per" }, g.billingEvent === "CLICK" ? "click" : "1,000 impressions"),
              h("td", { "data-label": "Cap", class: "num" }, g.budgetCap ? g.budgetCap.amount : "—"),
              h("td", { "data-label": "Ads", class: "num" }, String(g.ads.totalCount)),
            ),
          ),
        ),
      ),
    ),
  );
}

function history(campaign) {
  const events = [...campaign.changeHistory.nodes].reverse();
  return h(
    "div",
    { class: "card" },
    h("h2", {}, `Change history (${campaign.changeHistory.totalCount})`),
    h(
      "ol",
      { class: "history", id: "history" },
      events.map((e) =>
        h(
          "li",
          {},
          h("span", { class: "muted" }, `${new Date(e.occurredAt).toLocaleString()} · ${e.actor} · ${e.action.toLowerCase()}`),
          h("ul", {}, e.changes.map((c) => h("li", {}, h("code", {}, c.field), `: ${c.from ?? "—"} → ${c.to ?? "—"}`))),
        ),
      ),
    ),
  );
}

export async function campaignView(id, query) {
  const who = await currentViewer();
  const day = /^\d{4}-\d{2}-\d{2}$/.test(query.get("day") || "") ? query.get("day") : null;
  const [{ data }, curveAnswer] = await Promise.all([run("Campaign", { id }), run("PacingCurve", { id, day })]);
  const campaign = data.campaign;
  if (!campaign) throw new Error("this campaign does not exist or this token may not see it");
  const curve = curveAnswer.data.campaign?.pacingCurve;
  const canEdit = who.role === "ADMIN" || who.role === "ADVERTISER";
  return h(
    "section",
    { class: "campaign" },
    h("p", { class: "crumbs" }, h("a", { href: "#/" }, "Advertisers"), " / ", h("a", { href: `#/advertisers/${campaign.advertiser.id}` }, campaign.advertiser.name)),
    h("h1", { id: "campaign-name" }, campaign.name, " ", h("span", { class: `badge ${campaign.status.toLowerCase()}`, id: "campaign-status" }, campaign.status)),
    h("p", { class: "muted" }, `${campaign.objective.toLowerCase()} · ${campaign.budgetType.toLowerCase()} budget `, h("strong", { id: "campaign-budget" }, formatMoney(campaign.budget)), ` · ${campaign.pacingMode.toLowerCase()} pacing`),
    h(
      "div",
      { class: "grid" },
      h("div", { class: "main" }, curve ? chartCard(campaign, curve, day) : h("div", { class: "card error" }, curveAnswer.errors?.[0]?.message || "No curve for that day."), pacingSummary(campaign), adGroups(campaign)),
      h("div", { class: "side" }, editor(campaign, canEdit), history(campaign)),
    ),
  );
}
