"""The rows of a finance export: ledger sums per advertiser, campaign and day or month.

One SELECT, ordered by a total key, so a closed period always yields the same rows in
the same order (byte-identical files). Amounts are exact integer micros, and beside
them the same amounts in currency units; `invoiced_amount` is what the invoice rule
makes of the row (charges plus adjustments, rounded once to the minor unit, half away
from zero): in a MONTH export, exactly the invoice line, so the rows of an
advertiser-month add up to its invoice total. Each column is described in `COLUMNS` (the
manifest carries those descriptions, and docs/exports.md lists them).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from functools import lru_cache
from typing import Any

from sqlalchemy import Select, case, func, select
from sqlalchemy.sql.elements import ColumnElement

from ads.accounts.models import Advertiser
from ads.billing.domain.calendar import Granularity
from ads.billing.domain.invoice_document import ACCOUNT_LINE
from ads.billing.domain.ledger import EntryKind
from ads.billing.models import LedgerEntry
from ads.billing.sql_dates import month_of
from ads.campaigns.models import Campaign
from ads.exports.rules import ExportSpec
from ads.money import format_amount, round_to_minor
from ads.node_ids import global_id

#: An export repeats each advertiser and campaign on many rows: encode each id once.
_node_id = lru_cache(maxsize=65_536)(global_id)

#: Every column of an export, in file order, with what it holds.
COLUMNS: tuple[tuple[str, str], ...] = (
    ("advertiser_id", "The advertiser's numeric id (GraphQL `databaseId`)."),
    ("currency", "The ISO 4217 currency of every amount of the row."),
    ("campaign_id", "The campaign's numeric id; empty on the ACCOUNT_ADJUSTMENTS line."),
    ("period", "The advertiser's local day, or the first day of its local month (MONTH)."),
    ("charges_micros", "Charged for delivery, within the budgets in force, in micros."),
    (
        "overdelivery_not_charged_micros",
        "Delivered beyond a budget or the account limit, recorded and never charged, in "
        "micros (not money paid back: it was never billed).",
    ),
    ("adjustments_micros", "Finance's signed corrections, in micros (negative: a credit)."),
    (
        "invoiced_amount_micros",
        "charges + adjustments rounded once to the currency's minor unit, half away from "
        "zero, in micros: in a MONTH export, exactly the invoice line.",
    ),
    ("charges", "charges_micros in currency units, exact."),
    ("overdelivery_not_charged", "overdelivery_not_charged_micros in currency units, exact."),
    ("adjustments", "adjustments_micros in currency units, exact."),
    ("invoiced_amount", "invoiced_amount_micros in currency units, as the invoice prints it."),
    ("line", "CAMPAIGN, or ACCOUNT_ADJUSTMENTS for adjustments made without a campaign."),
    ("advertiser_node_id", "The advertiser's GraphQL global id (`Advertiser.id`)."),
    ("advertiser_name", "The advertiser's name."),
    ("campaign_node_id", "The campaign's GraphQL global id; empty on ACCOUNT_ADJUSTMENTS."),
    ("campaign_name", f"The campaign's name; `{ACCOUNT_LINE}` on the ACCOUNT_ADJUSTMENTS line."),
)
HEADER = tuple(name for name, _ in COLUMNS)
#: The columns the SELECT itself returns (the rest are derived from them in `shape`).
SELECTED = (
    "advertiser_id",
    "currency",
    "campaign_id",
    "period",
    "charges_micros",
    "overdelivery_not_charged_micros",
    "adjustments_micros",
    "advertiser_name",
    "campaign_name",
)


def _sum_of(kind: EntryKind) -> ColumnElement[Any]:
    le = LedgerEntry
    return func.sum(case((le.kind == kind, le.amount_micros), else_=0))


def export_query(spec: ExportSpec, dialect: str) -> Select[Any]:
    le = LedgerEntry
    if spec.granularity is Granularity.MONTH:
        period: ColumnElement[Any] = month_of(le.day, dialect)
    else:
        period = le.__table__.c.day
    # -1 sorts account-level adjustments (no campaign) first on both databases.
    campaign_key = func.coalesce(le.campaign_id, -1)
    query = (
        select(
            le.advertiser_id.label("advertiser_id"),
            le.currency.label("currency"),
            le.campaign_id.label("campaign_id"),
            period.label("period"),
            _sum_of(EntryKind.CHARGE).label("charges_micros"),
            _sum_of(EntryKind.OVERDELIVERY_CREDIT).label("overdelivery_not_charged_micros"),
            _sum_of(EntryKind.ADJUSTMENT).label("adjustments_micros"),
            Advertiser.name.label("advertiser_name"),
            Campaign.name.label("campaign_name"),
        )
        .join(Advertiser, Advertiser.id == le.advertiser_id)
        .outerjoin(Campaign, Campaign.id == le.campaign_id)
        .where(le.day >= spec.date_from, le.day <= spec.date_to)
        .group_by(
            le.advertiser_id, le.currency, le.campaign_id, period, Advertiser.name, Campaign.name
        )
        .order_by(le.advertiser_id, period, campaign_key)
    )
    if spec.advertiser_ids is not None:
        query = query.where(le.advertiser_id.in_(sorted(spec.advertiser_ids)))
    return query


def shape(row: Sequence[Any]) -> tuple[Any, ...]:
    """The file's row: ints, the currency, ISO periods, exact units, the invoiced amount."""
    advertiser_id, currency, campaign_id, period, charges, credits, adjustments, adv, name = row
    charges, credits, adjustments = int(charges or 0), int(credits or 0), int(adjustments or 0)
    invoiced = round_to_minor(charges + adjustments, currency)
    account = campaign_id is None
    return (
        int(advertiser_id),
        currency,
        "" if account else int(campaign_id),
        period.isoformat() if isinstance(period, date) else str(period),
        charges,
        credits,
        adjustments,
        invoiced,
        format_amount(charges, currency),
        format_amount(credits, currency),
        format_amount(adjustments, currency),
        format_amount(invoiced, currency),  # rounded already: exactly the minor digits
        "ACCOUNT_ADJUSTMENTS" if account else "CAMPAIGN",
        _node_id("Advertiser", int(advertiser_id)),
        adv,
        "" if account else _node_id("Campaign", int(campaign_id)),
        ACCOUNT_LINE if account else name,
    )
