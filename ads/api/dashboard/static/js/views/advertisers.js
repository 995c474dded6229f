// The advertisers the token may see.

import { run } from "../api.js";
import { h } from "../dom.js";
import { formatMoney } from "../money.js";
import { currentViewer } from "../viewer.js";

const PAGE = 50;

export async function advertisersView() {
  const who = await currentViewer();
  const rows = [];
  let after = null;
  let total = 0;
  // A token sees few advertisers (or an admin many): read them a page at a time.
  do {
    const { data } = await run("Advertisers", { first: PAGE, after });
    const page = data.viewer.advertisers;
    total = page.totalCount;
    rows.push(...page.nodes);
    after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
  } while (after && rows.length < 500);
  return h(
    "section",
    { class: "card" },
    h("h1", {}, "Advertisers"),
    h("p", { class: "muted" }, who.seesAll ? `All ${total} advertisers (${who.role}).` : `The ${total} advertiser(s) this token acts for.`),
    h(
      "div",
      { class: "table-wrap" },
      h(
        "table",
        { id: "advertisers" },
        h("thead", {}, h("tr", {}, ["Advertiser", "Status", "Currency", "Timezone", "Spent today"].map((t) => h("th", { scope: "col" }, t)))),
        h(
          "tbody",
          {},
          rows.map((a) =>
            h(
              "tr",
              { "data-id": a.id },
              h("td", { "data-label": "Advertiser" }, h("a", { href: `#/advertisers/${a.id}` }, a.name)),
              h("td", { "data-label": "Status" }, h("span", { class: `badge ${a.status.toLowerCase()}` }, a.status)),
              h("td", { "data-label": "Currency" }, a.currency),
              h("td", { "data-label": "Timezone" }, a.timezone),
              h("td", { "data-label": "Spent today", class: "num" }, formatMoney(a.spendToday)),
            ),
          ),
        ),
      ),
    ),
    rows.length < total ? h("p", { class: "muted" }, `Showing the first ${rows.length}.`) : null,
  );
}
