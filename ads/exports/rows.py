"""The rows of a finance export: ledger sums per advertiser, campaign and day or month.

One SELECT, ordered by a total key, so a closed period always yields the same rows in
the same order (byte-identical files). Amounts are integer micros: exact, and the same
in CSV, JSONL and PostgreSQL's own COPY of this query (see bench/export_bench.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import Select, case, func, select
from sqlalchemy.sql.elements import ColumnElement

from ads.billing.domain.calendar import Granularity
from ads.billing.domain.ledger import EntryKind
from ads.billing.models import LedgerEntry
from ads.billing.sql_dates import month_of
from ads.exports.rules import ExportSpec

HEADER = (
    "advertiser_id",
    "currency",
    "campaign_id",
    "period",
    "charges_micros",
    "overdelivery_credits_micros",
    "adjustments_micros",
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
            # Labelled as the file's header, so COPY of this query writes the same bytes.
            le.advertiser_id.label(HEADER[0]),
            le.currency.label(HEADER[1]),
            le.campaign_id.label(HEADER[2]),
            period.label(HEADER[3]),
            _sum_of(EntryKind.CHARGE).label(HEADER[4]),
            _sum_of(EntryKind.OVERDELIVERY_CREDIT).label(HEADER[5]),
            _sum_of(EntryKind.ADJUSTMENT).label(HEADER[6]),
        )
        .where(le.day >= spec.date_from, le.day <= spec.date_to)
        .group_by(le.advertiser_id, le.currency, le.campaign_id, period)
        .order_by(le.advertiser_id, period, campaign_key)
    )
    if spec.advertiser_ids is not None:
        query = query.where(le.advertiser_id.in_(sorted(spec.advertiser_ids)))
    return query


def shape(row: Sequence[Any]) -> tuple[Any, ...]:
    """Plain values: ints, the currency, '' for no campaign, the period as ISO text."""
    advertiser_id, currency, campaign_id, period, charges, credits, adjustments = row
    return (
        int(advertiser_id),
        currency,
        "" if campaign_id is None else int(campaign_id),
        period.isoformat() if isinstance(period, date) else str(period),
        int(charges or 0),
        int(credits or 0),
        int(adjustments or 0),
    )
