"""Billing: stats, invoices, ledger, adjustments and reconciliation."""

from __future__ import annotations

from datetime import date
from typing import Any

from ariadne import EnumType, MutationType, ObjectType, QueryType
from graphql import GraphQLResolveInfo
from sqlalchemy.orm import Session

from ads.accounts.models import Advertiser
from ads.api.connections import Connection
from ads.api.ids import global_id
from ads.api.loaders import Relation
from ads.api.money import Money
from ads.api.resolvers.connection_types import connection_type
from ads.api.resolvers.node import bind_ids
from ads.api.resolvers.payloads import mutate, node_pk
from ads.billing.adjustments import create_adjustment
from ads.billing.aggregation import EPOCH
from ads.billing.domain.calendar import Granularity
from ads.billing.domain.invoice_document import ACCOUNT_LINE, invoice_number
from ads.billing.domain.invoice_rules import InvoiceStatus
from ads.billing.domain.ledger import EntryKind
from ads.billing.models import Invoice, InvoiceLine, LedgerEntry
from ads.billing.queries import invoices_query, ledger_query
from ads.billing.reconciliation import Source, coverage, reconcile
from ads.billing.stats import StatsPoint, stats
from ads.campaigns.models import Campaign
from ads.time import utcnow

query = QueryType()
mutation = MutationType()
advertiser = ObjectType("Advertiser")
campaign = ObjectType("Campaign")
stats_point = ObjectType("StatsPoint")
ledger_entry = ObjectType("LedgerEntry")
invoice = ObjectType("Invoice")
invoice_line = ObjectType("InvoiceLine")
reconciliation_row = ObjectType("ReconciliationRow")
reconciliation = ObjectType("Reconciliation")
enums = [
    EnumType("BillingGranularity", Granularity),
    EnumType("LedgerEntryKind", EntryKind),
    EnumType("InvoiceStatus", InvoiceStatus),
    EnumType("ReconciliationSource", Source),
]
LEDGER = Relation("ledger", LedgerEntry, LedgerEntry.advertiser_id, ledger_query)
INVOICES = Relation("invoices", Invoice, Invoice.advertiser_id, invoices_query)
bind_ids("LedgerEntry", ledger_entry)
bind_ids("Invoice", invoice)


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
def resolve_invoices(
    obj: Advertiser, info: GraphQLResolveInfo, *, all_versions: bool = False, **args: Any
) -> Connection:
    return info.context.loaders.connection(INVOICES, obj.id, args, latest_only=not all_versions)


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


@invoice.field("number")
def resolve_invoice_number(obj: Invoice, _info: GraphQLResolveInfo) -> str:
    return invoice_number(obj.advertiser_id, obj.month)


invoice.set_field("pdfPath", lambda obj, _info: f"/v1/invoices/{obj.id}.pdf")
invoice.set_field("csvPath", lambda obj, _info: f"/v1/invoices/{obj.id}.csv")


@invoice_line.field("description")
async def resolve_line_description(obj: tuple[InvoiceLine, str], info: GraphQLResolveInfo) -> str:
    if obj[0].campaign_id is None:
        return ACCOUNT_LINE
    found = await info.context.loaders.campaign.load(obj[0].campaign_id)
    return found.name if found is not None else f"Campaign {obj[0].campaign_id}"


invoice_line.set_field("exact", lambda obj, _info: Money(obj[0].exact_micros, obj[1]))
invoice_line.set_field("amount", lambda obj, _info: Money(obj[0].amount_micros, obj[1]))


@advertiser.field("ledger")
def resolve_ledger(
    obj: Advertiser, info: GraphQLResolveInfo, *, to: date | None = None, **args: Any
) -> Connection:
    start = args.get("from_", args.get("from"))
    return info.context.loaders.connection(LEDGER, obj.id, args, date_from=start, date_to=to)


@ledger_entry.field("campaignId")
def resolve_entry_campaign(obj: LedgerEntry, _info: GraphQLResolveInfo) -> str | None:
    return None if obj.campaign_id is None else global_id("Campaign", obj.campaign_id)


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
reconciliation.set_field(
    "differences",
    lambda obj, _info: list(dict.fromkeys(d.row for d in obj.differences)),
)
reconciliation_row.set_field(
    "advertiserId", lambda obj, _info: global_id("Advertiser", obj.advertiser_id)
)
reconciliation_row.set_field(
    "campaignId", lambda obj, _info: global_id("Campaign", obj.campaign_id)
)
reconciliation_row.set_field("eventsMicros", lambda obj, _info: obj.raw_micros)
reconciliation_row.set_field("differences", lambda obj, _info: [k.value for k in obj.differences()])
reconciliation.set_field("coverage", lambda obj, _info: coverage(obj))
reconciliation.set_field(
    "rawEventsFrom",
    lambda obj, _info: None if obj.raw_events_from <= EPOCH else obj.raw_events_from,
)

bindables = [
    query,
    mutation,
    advertiser,
    campaign,
    stats_point,
    ledger_entry,
    invoice,
    invoice_line,
    reconciliation_row,
    reconciliation,
    connection_type("LedgerEntryConnection"),
    connection_type("InvoiceConnection"),
    *enums,
]
