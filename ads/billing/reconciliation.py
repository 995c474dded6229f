"""Reconciliation: per advertiser, day and campaign, ledger = aggregates = raw events.

Three independent sums of the same delivered spend must agree to the micro:
the raw events (`delivery_events`, by their local day), the hourly aggregates, and, for
closed days, the ledger's CHARGE + OVERDELIVERY_CREDIT rows. Every disagreement is
listed; nothing is netted away. Adjustments are finance's, outside this equation.

Raw events are kept for the retention window only (`ads.billing.retention`): before that
instant, the aggregates are checked against the seals stored when their hours were final
and found equal to their raw events (`ads.billing.seals`) instead. Each row says which it
was checked against: raw events, sealed aggregates, or both for a local day that straddles
the instant.

Events received after the aggregation watermark are not aggregated yet, by design (the
settle time); a row holding such events is reported as pending, not as a difference,
and becomes checkable once aggregation has passed it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ads.accounts.models import Advertiser
from ads.auth import policy
from ads.auth.principal import Principal
from ads.billing.aggregation import EPOCH, read_watermark
from ads.billing.domain.ledger import EntryKind
from ads.billing.models import DayClose, HourlyDelivery, LedgerEntry
from ads.billing.retention import raw_events_from
from ads.billing.seals import seal_checks
from ads.errors import Invalid
from ads.ingestion.models import DeliveryEvent
from ads.time import day_bounds, zone

#: The longest period one reconciliation covers (it reads every raw event of it).
MAX_DAYS = 366


class DifferenceKind(StrEnum):
    AGGREGATES_DIFFER_FROM_EVENTS = "AGGREGATES_DIFFER_FROM_EVENTS"
    #: The aggregates of an hour whose raw events are gone no longer match its seal.
    AGGREGATES_DIFFER_FROM_SEALS = "AGGREGATES_DIFFER_FROM_SEALS"
    LEDGER_DIFFERS_FROM_AGGREGATES = "LEDGER_DIFFERS_FROM_AGGREGATES"


class Source(StrEnum):
    """What a row's aggregates were checked against."""

    RAW_EVENTS = "RAW_EVENTS"
    SEALED_AGGREGATES = "SEALED_AGGREGATES"


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
    #: The part of `aggregated_micros` in hours whose raw events are gone.
    sealed_micros: int = 0
    checked_against: tuple[Source, ...] = (Source.RAW_EVENTS,)
    #: Some sealed hour of the row's advertiser and day no longer matches its seal.
    seal_broken: bool = False

    @property
    def pending(self) -> bool:
        """Events not aggregated yet: events and aggregates cannot agree until they are."""
        return self.pending_events > 0

    def differences(self) -> list[DifferenceKind]:
        found = []
        unsealed = self.aggregated_micros - self.sealed_micros
        if self.raw_micros != unsealed and not self.pending:
            found.append(DifferenceKind.AGGREGATES_DIFFER_FROM_EVENTS)
        if self.seal_broken:
            found.append(DifferenceKind.AGGREGATES_DIFFER_FROM_SEALS)
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
    #: Raw events before this instant are gone; aggregates before it were checked
    #: against their seals.
    raw_events_from: datetime = EPOCH
    #: How many stored seals (advertiser, day, hour) were compared.
    seals_checked: int = 0

    def checked_against(self, source: Source) -> tuple[ReconciledDay, ...]:
        return tuple(row for row in self.rows if source in row.checked_against)

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
    raw_from = raw_events_from(session)
    sealed = _sums(
        session,
        limit(
            select(h.advertiser_id, h.day, h.campaign_id, func.sum(h.spend_micros)).where(
                h.hour < raw_from
            ),
            h.advertiser_id,
            h.day,
        ).group_by(h.advertiser_id, h.day, h.campaign_id),
    )
    seals = seal_checks(
        session,
        before=raw_from,
        date_from=date_from,
        date_to=date_to,
        advertiser_ids=None if wanted is None else sorted(wanted),
    )
    keys = sorted(set(raw) | set(aggregated) | set(ledger))
    zones = _timezones(session, {key[0] for key in keys})
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
            sealed_micros=sealed.get(key, 0),
            checked_against=_sources(key[1], zones[key[0]], raw_from),
            seal_broken=(key[0], key[1]) in seals.broken,
        )
        for key in keys
    )
    differences = tuple(Difference(kind, row) for row in rows for kind in row.differences())
    return Reconciliation(date_from, date_to, rows, differences, raw_from, seals.checked)


@dataclass(frozen=True)
class Coverage:
    """The rows checked against one source, and the local days they span."""

    source: Source
    rows: int
    first_day: date
    last_day: date


def coverage(report: Reconciliation) -> list[Coverage]:
    """Per source that checked any row: how many rows, from which day to which."""
    found = []
    for source in Source:
        rows = report.checked_against(source)
        if rows:
            days = sorted({row.day for row in rows})
            found.append(Coverage(source, len(rows), days[0], days[-1]))
    return found


def checked_against(report: Reconciliation) -> list[str]:
    """One line per source: how many rows, which days, and the seals compared."""
    lines = []
    for part in coverage(report):
        what = "raw events" if part.source is Source.RAW_EVENTS else "sealed aggregates"
        line = f"checked against {what}: {part.rows} rows, days {part.first_day} to {part.last_day}"
        if part.source is Source.SEALED_AGGREGATES:
            line += (
                f" ({report.seals_checked} hour seals compared; raw events kept from "
                f"{report.raw_events_from.isoformat()})"
            )
        lines.append(line)
    return lines


def _timezones(session: Session, advertiser_ids: set[int]) -> dict[int, ZoneInfo]:
    rows = session.execute(
        select(Advertiser.id, Advertiser.timezone).where(Advertiser.id.in_(sorted(advertiser_ids)))
    )
    return {advertiser_id: zone(tz) for advertiser_id, tz in rows}


def _sources(day: date, tz: ZoneInfo, raw_from: datetime) -> tuple[Source, ...]:
    """Raw events for the part of the local day from `raw_from` on, seals before it."""
    start, end = day_bounds(day, tz)
    if end <= raw_from:
        return (Source.SEALED_AGGREGATES,)
    if start >= raw_from:
        return (Source.RAW_EVENTS,)
    return (Source.SEALED_AGGREGATES, Source.RAW_EVENTS)


def _sums(session: Session, query: Any) -> dict[tuple[int, date, int], int]:
    result: dict[tuple[int, date, int], int] = defaultdict(int)
    for advertiser_id, day, campaign_id, amount in session.execute(query):
        result[(advertiser_id, day, campaign_id)] += int(amount or 0)
    return dict(result)
