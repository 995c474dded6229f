// FINANCE and ADMIN: an advertiser's invoices, and ledger exports to download.

import { download, run } from "../api.js";
import { h } from "../dom.js";
import { formatMoney } from "../money.js";

const POLL_MS = 1000;
const POLLS = 120;

export async function invoicesView(id, heading) {
  const { data } = await run("Invoices", { advertiser: id, last: 12 });
  const advertiser = data.advertiser;
  if (!advertiser) throw new Error("this advertiser does not exist or this token may not see it");
  heading.textContent = advertiser.name;
  const invoices = [...advertiser.invoices.nodes].reverse();
  return h(
    "div",
    { class: "card" },
    h("h2", {}, "Invoices"),
    invoices.length === 0 ? h("p", { class: "muted", id: "no-invoices" }, "No invoice yet: one is made for each month with billed spend.") : null,
    h(
      "div",
      { class: "table-wrap" },
      h(
        "table",
        { id: "invoices" },
        h("thead", {}, h("tr", {}, ["Invoice", "Month", "Status", "Total", "Lines", "Documents"].map((t) => h("th", { scope: "col" }, t)))),
        h(
          "tbody",
          {},
          invoices.map((invoice) =>
            h(
              "tr",
              { "data-id": invoice.id },
              h("td", { "data-label": "Invoice" }, `${invoice.number} rev. ${invoice.version}`),
              h("td", { "data-label": "Month" }, invoice.month.slice(0, 7)),
              h("td", { "data-label": "Status" }, h("span", { class: `badge ${invoice.status.toLowerCase()}` }, invoice.status)),
              h("td", { "data-label": "Total", class: "num" }, formatMoney(invoice.total)),
              h(
                "td",
                { "data-label": "Lines" },
                h("details", {}, h("summary", {}, `${invoice.lines.length} line(s)`), h("ul", {}, invoice.lines.map((line) => h("li", {}, `${line.description}: ${line.amount.amount}`)))),
              ),
              h(
                "td",
                { "data-label": "Documents" },
                fileButton("PDF", invoice.pdfPath, `${invoice.number}-${invoice.version}.pdf`),
                " ",
                fileButton("CSV", invoice.csvPath, `${invoice.number}-${invoice.version}.csv`),
              ),
            ),
          ),
        ),
      ),
    ),
  );
}

// A file the API serves to the same token: fetched with it, then handed over.
function fileButton(label, path, filename) {
  return h("button", { type: "button", class: "link download", "data-path": path, onclick: () => download(path, filename).catch((e) => alert(e.message)) }, label);
}

function exportRow(job) {
  const action =
    job.status === "SUCCEEDED"
      ? fileButton("Download", job.downloadPath, `billing-${job.from}-${job.to}.${job.format.toLowerCase()}`)
      : job.status === "FAILED"
        ? h("span", { class: "error" }, job.error || "failed")
        : h("span", { class: "muted" }, "being written…");
  return h(
    "tr",
    { "data-id": job.id, "data-status": job.status },
    h("td", { "data-label": "Period" }, `${job.from} → ${job.to}`),
    h("td", { "data-label": "Format" }, `${job.format} by ${job.granularity.toLowerCase()}`),
    h("td", { "data-label": "Status" }, h("span", { class: `badge ${job.status.toLowerCase()}` }, job.status)),
    h("td", { "data-label": "Rows", class: "num" }, job.rowCount ?? "—"),
    h("td", { "data-label": "" }, action),
  );
}

async function follow(job, row) {
  for (let i = 0; i < POLLS && (job.status === "PENDING" || job.status === "RUNNING"); i += 1) {
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    if (!row.isConnected) return;
    job = (await run("BillingExport", { id: job.id })).data.billingExport;
    const fresh = exportRow(job);
    row.replaceWith(fresh);
    row = fresh;
  }
}

export async function exportsView(id, heading) {
  const { data } = await run("CampaignList", { advertiser: id, first: 1 });
  if (!data.advertiser) throw new Error("this advertiser does not exist or this token may not see it");
  heading.textContent = data.advertiser.name;
  const today = new Date().toISOString().slice(0, 10);
  const monthStart = `${today.slice(0, 8)}01`;
  const rows = h("tbody", {});
  const message = h("div", { role: "status" });
  const form = h(
    "form",
    {
      class: "controls",
      id: "export-form",
      onsubmit: async (event) => {
        event.preventDefault();
        const f = event.currentTarget;
        const input = { from: f.from.value, to: f.to.value, advertiserIds: [id], granularity: f.granularity.value, format: f.format.value, allowOpenPeriod: f.open.checked };
        try {
          const result = (await run("CreateBillingExport", { input })).data.createBillingExport;
          if (result.userErrors.length) {
            message.replaceChildren(...result.userErrors.map((e) => h("p", { class: "error", "data-code": e.code }, e.message)));
            return;
          }
          message.replaceChildren();
          const job = (await run("BillingExport", { id: result.billingExport.id })).data.billingExport;
          const row = exportRow(job);
          rows.prepend(row);
          follow(job, row);
        } catch (error) {
          message.replaceChildren(h("p", { class: "error" }, error.message));
        }
      },
    },
    h("label", {}, "From ", h("input", { type: "date", name: "from", value: monthStart, required: true })),
    h("label", {}, "To ", h("input", { type: "date", name: "to", value: today, required: true })),
    h("label", {}, "By ", h("select", { name: "granularity" }, h("option", { value: "DAY" }, "day"), h("option", { value: "MONTH" }, "month"))),
    h("label", {}, "Format ", h("select", { name: "format" }, h("option", { value: "CSV" }, "CSV"), h("option", { value: "JSONL" }, "JSONL"))),
    h("label", {}, h("input", { type: "checkbox", name: "open" }), " include days not closed yet"),
    h("button", { type: "submit", id: "export" }, "Export"),
  );
  return h(
    "div",
    { class: "card" },
    h("h2", {}, "Ledger exports"),
    h("p", { class: "muted" }, "A worker writes the file; it appears here when it is ready."),
    form,
    message,
    h("div", { class: "table-wrap" }, h("table", { id: "exports" }, h("thead", {}, h("tr", {}, ["Period", "File", "Status", "Rows", ""].map((t) => h("th", { scope: "col" }, t)))), rows)),
  );
}
