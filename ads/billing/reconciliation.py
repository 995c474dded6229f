"""Reconciliation: per advertiser, day and campaign, ledger = aggregates = raw events.

Three independent sums of the same delivered spend must agree to the micro:
the raw events (`delivery_events`, by their local day), the hourly aggregates, and, for
closed days, the ledger's CHARGE + OVERDELIVERY_CREDIT rows. Every disagreement is
listed; nothing is netted away. Adjustments are finance's, outside this equation.

Events received after the aggregation watermark are not aggregated yet, by design (the
settle time); a row holding such events is reported as pending, not as a difference,
and becomes checkable once aggregation has passed it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ads.auth import policy
from ads.auth.principal import Principal
from ads.billing.aggregation import read_watermark
from ads.billing.domain.ledger import EntryKind
from ads.billing.models import DayClose, HourlyDelivery, LedgerEntry
from ads.errors import Invalid
from ads.ingestion.models import DeliveryEvent

#: The longest period one reconciliation covers (it reads every raw event of it).
MAX_DAYS = 366


class DifferenceKind(StrEnum):
    AGGREGATES_DIFFER_FROM_EVENTS = "AGGREGATES_DIFFER_FROM_EVENTS"
    LEDGER_DIFFERS_FROM_AGGREGATES = "LEDGER_DIFFERS_FROM_AGGREGATES"


@dataclass(frozen=True)
class ReconciledDay:
    advertiser_id: int
    day: date
    campaign_id: int
    raw_micros: int
    aggregated_micros: int
    ledger_micros: int
    closed: bool
    #: Cost of this row's events received after the aggregation watermark.
    pending_micros: int = 0
    pending_events: int = 0

    @property
    def pending(self) -> bool:
        """Events not aggregated yet: events and aggregates cannot agree until they are."""
        return self.pending_events > 0

    def differences(self) -> list[DifferenceKind]:
        found = []
        if self.raw_micros != self.aggregated_micros and not self.pending:
            found.append(DifferenceKind.AGGREGATES_DIFFER_FROM_EVENTS)
        if self.closed and self.ledger_micros != self.aggregated_micros:
            found.append(DifferenceKind.LEDGER_DIFFERS_FROM_AGGREGATES)
        return found


@dataclass(frozen=True)
class Difference:
    kind: DifferenceKind
    row: ReconciledDay


@dataclass(frozen=True)
class Reconciliation:
    date_from: date
    date_to: date
    rows: tuple[ReconciledDay, ...]
    differences: tuple[Difference, ...]

    @property
    def balanced(self) -> bool:
        return not self.differences

    @property
    def pending(self) -> tuple[ReconciledDay, ...]:
        return tuple(row for row in self.rows if row.pending)


def reconcile(
    session: Session,
    principal: Principal,
    *,
    date_from: date,
    date_to: date,
    advertiser_ids: Iterable[int] | None = None,
) -> Reconciliation:
    """Compare the three sums for every (advertiser, day, campaign) of the period."""
    if date_to < date_from or (date_to - date_from).days >= MAX_DAYS:
        raise Invalid(f"the period must be 1 to {MAX_DAYS} days", field="to", code="INVALID_PERIOD")
    wanted = policy.readable_advertisers(principal, advertiser_ids)

    def limit(query: Any, advertiser: Any, day: Any) -> Any:
        query = query.where(day >= date_from, day <= date_to)
        return query if wanted is None else query.where(advertiser.in_(sorted(wanted)))

    e, h, le = DeliveryEvent, HourlyDelivery, LedgerEntry
    raw = _sums(
        session,
        limit(
            select(e.advertiser_id, e.local_day, e.campaign_id, func.sum(e.cost_micros)),
            e.advertiser_id,
            e.local_day,
        ).group_by(e.advertiser_id, e.local_day, e.campaign_id),
    )
    aggregated = _sums(
        session,
        limit(
            select(h.advertiser_id, h.day, h.campaign_id, func.sum(h.spend_micros)),
            h.advertiser_id,
            h.day,
        ).group_by(h.advertiser_id, h.day, h.campaign_id),
    )
    ledger = _sums(
        session,
        limit(
            select(le.advertiser_id, le.day, le.campaign_id, func.sum(le.amount_micros)).where(
                le.kind.in_((EntryKind.CHARGE, EntryKind.OVERDELIVERY_CREDIT))
            ),
            le.advertiser_id,
            le.day,
        ).group_by(le.advertiser_id, le.day, le.campaign_id),
    )
    watermark = read_watermark(session)
    pending_counts: dict[tuple[int, date, int], tuple[int, int]] = {}
    pending_query = limit(
        select(
            e.advertiser_id, e.local_day, e.campaign_id, func.count(), func.sum(e.cost_micros)
        ).where(e.received_at >= watermark),
        e.advertiser_id,
        e.local_day,
    ).group_by(e.advertiser_id, e.local_day, e.campaign_id)
    for advertiser_id, day, campaign_id, count, amount in session.execute(pending_query):
        pending_counts[(advertiser_id, day, campaign_id)] = (int(count), int(amount or 0))
    closed_query = limit(
        select(DayClose.advertiser_id, DayClose.day), DayClose.advertiser_id, DayClose.day
    ).distinct()
    closed = {(advertiser_id, day) for advertiser_id, day in session.execute(closed_query)}
    rows = tuple(
        ReconciledDay(
            advertiser_id=key[0],
            day=key[1],
            campaign_id=key[2],
            raw_micros=raw.get(key, 0),
            aggregated_micros=aggregated.get(key, 0),
            ledger_micros=ledger.get(key, 0),
            closed=(key[0], key[1]) in closed,
            pending_events=pending_counts.get(key, (0, 0))[0],
            pending_micros=pending_counts.get(key, (0, 0))[1],
        )
        for key in sorted(set(raw) | set(aggregated) | set(ledger))
    )
    differences = tuple(Difference(kind, row) for row in rows for kind in row.differences())
    return Reconciliation(date_from, date_to, rows, differences)


def _sums(session: Session, query: Any) -> dict[tuple[int, date, int], int]:
    result: dict[tuple[int, date, int], int] = defaultdict(int)
    for advertiser_id, day, campaign_id, amount in session.execute(query):
        result[(advertiser_id, day, campaign_id)] += int(amount or 0)
    return dict(result)
