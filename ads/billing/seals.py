"""Sealing final hours, and checking aggregates against their seals.

`seal_final_hours` walks the final hours in order from the "seals" watermark (every hour
before it is sealed, or had no delivery at all). For each hour with events or aggregate
rows it sums the hour's raw events afresh, per advertiser, local day and ad group, and
compares that with the aggregate rows: equal, it stores one seal per advertiser and day
and moves on; different, it stops there, so nothing from that hour on can be dropped
until the difference is resolved (reconciliation lists it). `seal_checks` is
reconciliation's side: it recomputes the checksums of aggregate rows and compares them
with the stored seals.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Table, func, insert, select
from sqlalchemy.orm import Session

from ads.billing.aggregation import EPOCH, delivery_sums, ensure_watermark, read_watermark
from ads.billing.domain.calendar import HOUR, hour_floor
from ads.billing.domain.seal_rules import SealedRow, checksum, final_before, seal
from ads.billing.models import BillingWatermark, HourlyDelivery, HourSeal
from ads.ingestion.models import DeliveryEvent

SEALS = "seals"
SEAL_TABLE: Table = HourSeal.__table__  # type: ignore[assignment]
#: (advertiser, local day) -> the rows of one hour.
HourRows = dict[tuple[int, date], list[SealedRow]]


@dataclass(frozen=True)
class SealRun:
    #: Every hour before this one is sealed (or had no delivery).
    sealed_until: datetime
    hours: int
    #: The hour whose aggregates differ from its raw events, if the run stopped at one.
    mismatch: datetime | None = None


def seal_final_hours(session: Session, *, max_hours: int | None = None) -> SealRun:
    """Seal the final hours not sealed yet, oldest first (at most `max_hours`); commit."""
    ensure_watermark(session, SEALS)
    mark = session.scalars(
        select(BillingWatermark).where(BillingWatermark.name == SEALS).with_for_update()
    ).one()
    until = final_before(read_watermark(session))
    hour, sealed, mismatch = mark.value, 0, None
    while hour < until and (max_hours is None or sealed < max_hours):
        found = _next_hour_with_delivery(session, hour, until)
        if found is None:
            hour = until
            break
        hour = found
        aggregates, raw = aggregate_rows(session, hour), raw_rows(session, hour)
        if aggregates != raw:
            mismatch = hour
            break
        seals = [seal(a, d, hour, rows) for (a, d), rows in sorted(aggregates.items())]
        session.execute(insert(HourSeal), [s._asdict() for s in seals])
        hour += HOUR
        sealed += 1
    mark.value = max(mark.value, hour)
    session.commit()
    return SealRun(mark.value, sealed, mismatch)


def sealed_until(session: Session) -> datetime:
    return read_watermark(session, SEALS)


def _next_hour_with_delivery(session: Session, start: datetime, until: datetime) -> datetime | None:
    """The first hour in [start, until) with raw events or aggregate rows (index seeks)."""
    e, h = DeliveryEvent, HourlyDelivery
    first_event = session.scalar(
        select(func.min(e.occurred_at)).where(e.occurred_at >= start, e.occurred_at < until)
    )
    first_row = session.scalar(select(func.min(h.hour)).where(h.hour >= start, h.hour < until))
    found = [hour_floor(t) for t in (first_event, first_row) if t is not None]
    return min(found) if found else None


def aggregate_rows(session: Session, hour: datetime) -> HourRows:
    h = HourlyDelivery
    return _by_advertiser_day(
        session.execute(
            select(
                h.advertiser_id,
                h.day,
                h.ad_group_id,
                h.campaign_id,
                h.impressions,
                h.clicks,
                h.spend_micros,
                h.events,
            ).where(h.hour == hour)
        )
    )


def raw_rows(session: Session, hour: datetime) -> HourRows:
    """The hour's aggregate rows as a fresh sum of its raw events would make them."""
    e = DeliveryEvent
    return _by_advertiser_day(
        session.execute(
            select(
                e.advertiser_id,
                e.local_day,
                e.ad_group_id,
                func.min(e.campaign_id),
                *delivery_sums(),
            )
            .where(e.occurred_at >= hour, e.occurred_at < hour + HOUR)
            .group_by(e.advertiser_id, e.local_day, e.ad_group_id)
        )
    )


def _by_advertiser_day(result: Iterable[Any]) -> HourRows:
    """Rows (advertiser, day, then a SealedRow's fields) grouped and sorted."""
    rows: HourRows = defaultdict(list)
    for r in result:
        rows[(r[0], r[1])].append(SealedRow(*map(int, r[2:])))
    return {key: sorted(value) for key, value in rows.items()}


@dataclass(frozen=True)
class SealCheck:
    """Aggregates of hours before `before` checked against their seals."""

    before: datetime
    #: Seals compared (advertiser, day, hour).
    checked: int
    #: (advertiser, day) whose aggregates no longer match their seals, or lack one.
    broken: frozenset[tuple[int, date]]


def seal_checks(
    session: Session,
    *,
    before: datetime,
    date_from: date,
    date_to: date,
    advertiser_ids: Collection[int] | None,
) -> SealCheck:
    """Recompute the checksum of every (advertiser, day, hour) of aggregates before
    `before` in the period and compare them with the stored seals."""
    if before <= EPOCH:
        return SealCheck(before, 0, frozenset())
    h, s = HourlyDelivery, HourSeal

    def limit(query: Any, advertiser: Any, day: Any, hour: Any) -> Any:
        query = query.where(day >= date_from, day <= date_to, hour < before)
        return query if advertiser_ids is None else query.where(advertiser.in_(advertiser_ids))

    current: dict[tuple[int, date, datetime], list[SealedRow]] = defaultdict(list)
    for r in session.execute(
        limit(
            select(
                h.advertiser_id,
                h.day,
                h.hour,
                h.ad_group_id,
                h.campaign_id,
                h.impressions,
                h.clicks,
                h.spend_micros,
                h.events,
            ),
            h.advertiser_id,
            h.day,
            h.hour,
        )
    ):
        current[(r[0], r[1], r[2])].append(SealedRow(*map(int, r[3:])))
    stored = {
        (a, d, t): digest
        for a, d, t, digest in session.execute(
            limit(
                select(s.advertiser_id, s.day, s.hour, s.checksum), s.advertiser_id, s.day, s.hour
            )
        )
    }
    broken = {
        (key[0], key[1])
        for key in set(current) | set(stored)
        if stored.get(key) != (checksum(current[key]) if key in current else None)
    }
    return SealCheck(before, len(stored), frozenset(broken))
