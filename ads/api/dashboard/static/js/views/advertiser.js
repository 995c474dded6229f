// One advertiser: its campaigns (sortable, paged through the connection), and for
// FINANCE and ADMIN its invoices and exports.

import { run } from "../api.js";
import { h } from "../dom.js";
import { formatMoney, percent } from "../money.js";
import { currentViewer, seesFinance } from "../viewer.js";
import { exportsView, invoicesView } from "./finance.js";

const SIZES = [10, 25, 50, 100];
const SORTABLE = { NAME: "Name", BUDGET: "Budget", CREATED_AT: "Created", UPDATED_AT: "Last changed" };
const STATUSES = ["", "DRAFT", "ACTIVE", "PAUSED", "ARCHIVED"];

function link(id, query) {
  const text = new URLSearchParams(Object.entries(query).filter(([, v]) => v !== null && v !== "" && v !== undefined)).toString();
  return `#/advertisers/${id}${text ? `?${text}` : ""}`;
}

function tabs(id, active, who) {
  const items = [["campaigns", "Campaigns"]];
  if (seesFinance(who)) items.push(["invoices", "Invoices"], ["exports", "Exports"]);
  return h(
    "nav",
    { class: "tabs", "aria-label": "Advertiser" },
    items.map(([key, label]) =>
      h("a", { href: `#/advertisers/${id}${key === "campaigns" ? "" : `/${key}`}`, class: key === active ? "tab active" : "tab", "aria-current": key === active ? "page" : null }, label),
    ),
  );
}

export async function advertiserView(id, tab, query) {
  const who = await currentViewer();
  const heading = h("h1", { id: "advertiser-name" }, "…");
  let body;
  if (tab === "invoices" && seesFinance(who)) body = await invoicesView(id, heading);
  else if (tab === "exports" && seesFinance(who)) body = await exportsView(id, heading);
  else body = await campaignsView(id, query, heading);
  return h("section", {}, h("p", { class: "crumbs" }, h("a", { href: "#/" }, "Advertisers")), heading, tabs(id, tab, who), body);
}

function sortHeader(id, query, field, label) {
  const current = query.get("order") || "CREATED_AT";
  const direction = query.get("dir") || "ASC";
  const active = current === field;
  const next = active && direction === "ASC" ? "DESC" : "ASC";
  const arrow = active ? (direction === "ASC" ? " ▲" : " ▼") : "";
  return h(
    "th",
    { scope: "col", "aria-sort": active ? (direction === "ASC" ? "ascending" : "descending") : "none" },
    h("a", { class: "sort", "data-sort": field, href: link(id, { order: field, dir: next, size: query.get("size"), status: query.get("status") }) }, label + arrow),
  );
}

function pacingCell(pacing) {
  if (!pacing) return h("span", { class: "muted" }, "not paced yet");
  return h("span", { class: `badge ${pacing.status.toLowerCase()}` }, pacing.status.replaceAll("_", " "));
}

async function campaignsView(id, query, heading) {
  const size = SIZES.includes(Number(query.get("size"))) ? Number(query.get("size")) : 25;
  const order = query.get("order") || "CREATED_AT";
  const dir = query.get("dir") === "DESC" ? "DESC" : "ASC";
  const status = STATUSES.includes(query.get("status") || "") ? query.get("status") || null : null;
  const variables = { advertiser: id, orderBy: { field: order, direction: dir }, status };
  if (query.get("before")) Object.assign(variables, { last: size, before: query.get("before") });
  else Object.assign(variables, { first: size, after: query.get("after") });
  const { data } = await run("CampaignList", variables);
  const advertiser = data.advertiser;
  if (!advertiser) throw new Error("this advertiser does not exist or this token may not see it");
  heading.textContent = advertiser.name;
  const page = advertiser.campaigns;
  const keep = { order, dir, size, status };
  const controls = h(
    "form",
    { class: "controls", onchange: (event) => {
      const form = event.currentTarget;
      window.location.hash = link(id, { ...keep, order: form.order.value, size: form.size.value, status: form.status.value });
    } },
    h("label", {}, "Status ", h("select", { name: "status" }, STATUSES.map((s) => h("option", { value: s, selected: s === (status || "") }, s || "any")))),
    h("label", {}, "Order by ", h("select", { name: "order" }, Object.entries(SORTABLE).map(([k, v]) => h("option", { value: k, selected: k === order }, v)))),
    h("label", {}, "Per page ", h("select", { name: "size" }, SIZES.map((n) => h("option", { value: n, selected: n === size }, n)))),
  );
  const rows = page.nodes.map((c) =>
    h(
      "tr",
      { "data-id": c.id },
      h("td", { "data-label": "Campaign" }, h("a", { href: `#/campaigns/${c.id}` }, c.name)),
      h("td", { "data-label": "Status" }, h("span", { class: `badge ${c.status.toLowerCase()}` }, c.status)),
      h("td", { "data-label": "Budget", class: "num" }, formatMoney(c.budget), h("small", { class: "muted" }, ` ${c.budgetType.toLowerCase()}`)),
      h("td", { "data-label": "Spent today", class: "num" }, c.pacing ? formatMoney({ ...c.pacing.spentToday, currency: c.budget.currency }) : "—"),
      h("td", { "data-label": "Pacing" }, pacingCell(c.pacing)),
      h("td", { "data-label": "Throttle", class: "num" }, c.pacing ? percent(c.pacing.throttleRate) : "—"),
      h("td", { "data-label": "Ad groups", class: "num" }, String(c.adGroups.totalCount)),
    ),
  );
  const info = page.pageInfo;
  return h(
    "div",
    { class: "card" },
    controls,
    h("p", { class: "muted", id: "campaign-count" }, `${page.totalCount} campaign(s)`),
    h(
      "div",
      { class: "table-wrap" },
      h(
        "table",
        { id: "campaigns" },
        h(
          "thead",
          {},
          h("tr", {}, sortHeader(id, query, "NAME", "Campaign"), h("th", { scope: "col" }, "Status"), sortHeader(id, query, "BUDGET", "Budget"), h("th", { scope: "col" }, "Spent today"), h("th", { scope: "col" }, "Pacing"), h("th", { scope: "col" }, "Throttle"), h("th", { scope: "col" }, "Ad groups")),
        ),
        h("tbody", {}, rows.length ? rows : h("tr", {}, h("td", { colspan: 7, class: "muted" }, "No campaigns."))),
      ),
    ),
    h(
      "nav",
      { class: "pager", "aria-label": "Pages" },
      info.hasPreviousPage ? h("a", { id: "previous-page", href: link(id, { ...keep, before: info.startCursor }) }, "← Previous") : h("span", { class: "muted" }, "← Previous"),
      info.hasNextPage ? h("a", { id: "next-page", href: link(id, { ...keep, after: info.endCursor }) }, "Next →") : h("span", { class: "muted" }, "Next →"),
    ),
  );
}
