"""Billing: stats, invoices, ledger, exports, adjustments and reconciliation."""

from __future__ import annotations

from datetime import date
from typing import Any

from ariadne import EnumType, MutationType, ObjectType, QueryType
from graphql import GraphQLResolveInfo
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ads.accounts.models import Advertiser
from ads.api.ids import global_id
from ads.api.money import Money
from ads.api.resolvers.payloads import mutate, node_pk
from ads.auth import policy
from ads.billing.adjustments import create_adjustment
from ads.billing.closing import EntryKind
from ads.billing.exports import create_export, get_export
from ads.billing.models import BillingExport, Invoice, InvoiceLine, LedgerEntry
from ads.billing.reconciliation import reconcile
from ads.billing.stats import StatsPoint, stats
from ads.billing.status import ExportFormat, ExportStatus, Granularity, InvoiceStatus
from ads.campaigns.models import Campaign
from ads.errors import DomainError
from ads.time import utcnow

query = QueryType()
mutation = MutationType()
advertiser = ObjectType("Advertiser")
campaign = ObjectType("Campaign")
stats_point = ObjectType("StatsPoint")
ledger_entry = ObjectType("LedgerEntry")
invoice = ObjectType("Invoice")
invoice_line = ObjectType("InvoiceLine")
billing_export = ObjectType("BillingExport")
reconciliation_row = ObjectType("ReconciliationRow")
reconciliation = ObjectType("Reconciliation")
enums = [
    EnumType("BillingGranularity", Granularity),
    EnumType("LedgerEntryKind", EntryKind),
    EnumType("InvoiceStatus", InvoiceStatus),
    EnumType("BillingExportStatus", ExportStatus),
    EnumType("BillingExportFormat", ExportFormat),
]
LEDGER_PAGE_MAX = 500
INVOICES_MAX = 24


class _Stats:
    """A StatsPoint with the currency its amounts are in."""

    def __init__(self, point: StatsPoint, currency: str) -> None:
        self.point, self.currency = point, currency


async def _stats(info: GraphQLResolveInfo, currency: str, **kwargs: Any) -> list[_Stats]:
    viewer = info.context.viewer
    points = await info.context.run_sync(lambda s: stats(s, viewer, **kwargs))
    return [_Stats(p, currency) for p in points]


@campaign.field("stats")
async def resolve_campaign_stats(
    obj: Campaign, info: GraphQLResolveInfo, *, granularity: Granularity, **period: date
) -> list[_Stats]:
    owner = await info.context.loaders.advertiser.load(obj.advertiser_id)
    return await _stats(
        info,
        owner.currency,
        campaign_id=obj.id,
        granularity=granularity,
        date_from=period["from_"] if "from_" in period else period["from"],
        date_to=period["to"],
    )


@advertiser.field("stats")
async def resolve_advertiser_stats(
    obj: Advertiser, info: GraphQLResolveInfo, *, granularity: Granularity, **period: date
) -> list[_Stats]:
    return await _stats(
        info,
        obj.currency,
        advertiser_id=obj.id,
        granularity=granularity,
        date_from=period["from_"] if "from_" in period else period["from"],
        date_to=period["to"],
    )


@stats_point.field("period")
def resolve_period(obj: _Stats, _info: GraphQLResolveInfo) -> date:
    return obj.point.period


for _name in ("impressions", "clicks", "closed"):
    stats_point.set_field(_name, lambda obj, _info, _n=_name: getattr(obj.point, _n))
for _name, _attr in (
    ("delivered", "delivered_micros"),
    ("billable", "billable_micros"),
    ("overdelivery", "overdelivery_micros"),
):
    stats_point.set_field(
        _name, lambda obj, _info, _a=_attr: Money(getattr(obj.point, _a), obj.currency)
    )


@advertiser.field("invoices")
async def resolve_invoices(
    obj: Advertiser, info: GraphQLResolveInfo, *, all_versions: bool = False
) -> list[Invoice]:
    policy.require_read_advertiser(info.context.viewer, obj.id, what="advertiser")
    found = await info.context.scalars(
        select(Invoice)
        .where(Invoice.advertiser_id == obj.id)
        .order_by(Invoice.month.desc(), Invoice.version.desc())
        .options(selectinload(Invoice.lines))
    )
    if not all_versions:
        latest: dict[date, Invoice] = {}
        for item in found:
            latest.setdefault(item.month, item)
        found = list(latest.values())
    return list(found)[: INVOICES_MAX * (1 if not all_versions else 10)]


def _money_field(obj_type: ObjectType, field: str, attr: str) -> None:
    obj_type.set_field(field, lambda obj, _info: Money(getattr(obj, attr), obj.currency))


_money_field(invoice, "total", "total_micros")
_money_field(invoice, "exact", "exact_micros")
_money_field(invoice, "roundingResidue", "residue_micros")
_money_field(ledger_entry, "amount", "amount_micros")


@invoice.field("lines")
def resolve_lines(obj: Invoice, _info: GraphQLResolveInfo) -> list[tuple[InvoiceLine, str]]:
    return [(line, obj.currency) for line in obj.lines]


@invoice_line.field("campaignId")
def resolve_line_campaign(obj: tuple[InvoiceLine, str], _info: GraphQLResolveInfo) -> str | None:
    cid = obj[0].campaign_id
    return None if cid is None else global_id("Campaign", cid)


@invoice_line.field("description")
async def resolve_line_description(obj: tuple[InvoiceLine, str], info: GraphQLResolveInfo) -> str:
    if obj[0].campaign_id is None:
        return "Account adjustments"
    found = await info.context.loaders.campaign.load(obj[0].campaign_id)
    return found.name if found is not None else f"Campaign {obj[0].campaign_id}"


invoice_line.set_field("exact", lambda obj, _info: Money(obj[0].exact_micros, obj[1]))
invoice_line.set_field("amount", lambda obj, _info: Money(obj[0].amount_micros, obj[1]))


@advertiser.field("ledger")
async def resolve_ledger(
    obj: Advertiser,
    info: GraphQLResolveInfo,
    *,
    to: date,
    first: int = LEDGER_PAGE_MAX,
    **rest: Any,
) -> list[LedgerEntry]:
    policy.require_read_advertiser(info.context.viewer, obj.id, what="advertiser")
    start = rest.get("from_", rest.get("from"))
    return list(
        await info.context.scalars(
            select(LedgerEntry)
            .where(
                LedgerEntry.advertiser_id == obj.id, LedgerEntry.day >= start, LedgerEntry.day <= to
            )
            .order_by(LedgerEntry.id)
            .limit(max(0, min(first, LEDGER_PAGE_MAX)))
        )
    )


@ledger_entry.field("campaignId")
def resolve_entry_campaign(obj: LedgerEntry, _info: GraphQLResolveInfo) -> str | None:
    return None if obj.campaign_id is None else global_id("Campaign", obj.campaign_id)


@billing_export.field("from")
def resolve_export_from(obj: BillingExport, _info: GraphQLResolveInfo) -> date:
    return obj.date_from


@billing_export.field("to")
def resolve_export_to(obj: BillingExport, _info: GraphQLResolveInfo) -> date:
    return obj.date_to


@billing_export.field("totals")
def resolve_export_totals(obj: BillingExport, _info: GraphQLResolveInfo) -> list[dict[str, Any]]:
    return [
        {
            "currency": currency,
            "charges": Money(t["charges_micros"], currency),
            "overdelivery_credits": Money(t["overdelivery_credits_micros"], currency),
            "adjustments": Money(t["adjustments_micros"], currency),
        }
        for currency, t in sorted((obj.totals or {}).items())
    ]


# convert_names_case would look for `sha_256`.
billing_export.set_field("sha256", lambda obj, _info: obj.sha256)


@billing_export.field("downloadPath")
def resolve_download(obj: BillingExport, _info: GraphQLResolveInfo) -> str | None:
    return f"/v1/exports/{obj.id}" if obj.status is ExportStatus.SUCCEEDED else None


@query.field("billingExport")
async def resolve_billing_export(_: Any, info: GraphQLResolveInfo, *, id: str) -> Any:
    if not id.isdigit():
        return None
    viewer = info.context.viewer
    try:
        return await info.context.run_sync(lambda s: get_export(s, viewer, int(id)))
    except DomainError:
        return None


@mutation.field("createBillingExport")
async def resolve_create_export(_: Any, info: GraphQLResolveInfo, *, input: dict[str, Any]) -> Any:
    viewer = info.context.viewer

    def use_case() -> Any:
        ids = input.get("advertiser_ids")
        pks = (
            None
            if ids is None
            else [
                node_pk({"advertiser_ids": value}, "advertiser_ids", "Advertiser") for value in ids
            ]
        )
        return lambda s: create_export(
            s,
            viewer,
            date_from=input["from"] if "from" in input else input["from_"],
            date_to=input["to"],
            granularity=input["granularity"],
            fmt=input["format"],
            advertiser_ids=pks,
        )

    payload = await mutate(info, input, "billing_export", use_case)
    job = payload["billing_export"]
    if job is not None:
        from workers.billing import enqueue_export

        enqueue_export(info.context.settings, job.id)
    return payload


@mutation.field("createBillingAdjustment")
async def resolve_create_adjustment(
    _: Any, info: GraphQLResolveInfo, *, input: dict[str, Any]
) -> Any:
    viewer, settings = info.context.viewer, info.context.settings

    def use_case() -> Any:
        advertiser_id = node_pk(input, "advertiser_id", "Advertiser")
        campaign_id = (
            node_pk(input, "campaign_id", "Campaign") if input.get("campaign_id") else None
        )

        def run(s: Session) -> LedgerEntry:
            return create_adjustment(
                s,
                viewer,
                advertiser_id=advertiser_id,
                campaign_id=campaign_id,
                day=input["day"],
                amount_micros=input["amount_micros"],
                reason=input["reason"],
                now=utcnow(),
                allowance_seconds=settings.billing_late_allowance_seconds,
            )

        return run

    return await mutate(info, input, "ledger_entry", use_case)


@query.field("reconciliation")
async def resolve_reconciliation(
    _: Any,
    info: GraphQLResolveInfo,
    *,
    to: date,
    advertiser_ids: list[str] | None = None,
    **rest: Any,
) -> Any:
    viewer = info.context.viewer
    start: date = rest["from_"] if "from_" in rest else rest["from"]
    pks = (
        None
        if advertiser_ids is None
        else [node_pk({"a": value}, "a", "Advertiser") for value in advertiser_ids]
    )
    return await info.context.run_sync(
        lambda s: reconcile(s, viewer, date_from=start, date_to=to, advertiser_ids=pks)
    )


reconciliation.set_field("rowsChecked", lambda obj, _info: len(obj.rows))
reconciliation.set_field("differences", lambda obj, _info: [d.row for d in obj.differences])
reconciliation_row.set_field(
    "advertiserId", lambda obj, _info: global_id("Advertiser", obj.advertiser_id)
)
reconciliation_row.set_field(
    "campaignId", lambda obj, _info: global_id("Campaign", obj.campaign_id)
)
reconciliation_row.set_field("eventsMicros", lambda obj, _info: obj.raw_micros)
reconciliation_row.set_field("differences", lambda obj, _info: [k.value for k in obj.differences()])

bindables = [
    query,
    mutation,
    advertiser,
    campaign,
    stats_point,
    ledger_entry,
    invoice,
    invoice_line,
    billing_export,
    reconciliation_row,
    reconciliation,
    *enums,
]
