"""Hourly aggregation of delivery events: deterministic, idempotent, safe under concurrency.

Why no event is lost or counted twice while ingestion and aggregation run at once:

* Ingestion stamps each event with `received_at` (its clock at insert) and commits within
  seconds; `billing_settle_seconds` is chosen longer than any ingestion transaction. So
  at time `now`, every event with `received_at < now - settle` is committed and visible.
* A run scans the window `[watermark, now - settle)` of `received_at` for the UTC hours
  (of `occurred_at`) those events belong to, then moves the watermark to the window's
  end. Consecutive windows tile time, so every event is in exactly one window: none is
  missed, whatever the order or lateness of arrival.
* Each touched hour is **recomputed whole** from all its raw events (delete its rows,
  insert the fresh GROUP BY), never incremented. Seeing an event twice (an overlap, a
  retried message, a re-run after a crash) therefore cannot count it twice, and events
  are unique by their client id in the raw table.
* The rewritten hours and the new watermark commit in one transaction: a crash half-way
  rolls both back and the next run redoes the same window with the same result.
* Two runs at once: the watermark row is locked (SELECT … FOR UPDATE on PostgreSQL;
  SQLite has one writer at a time), so the second waits and then sees the new window.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import case, delete, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ads.billing.domain.calendar import HOUR
from ads.billing.models import BillingWatermark, HourlyDelivery
from ads.billing.sql_dates import utc_hour
from ads.ingestion.models import DeliveryEvent
from ads.ingestion.rules import EventType

WATERMARK = "aggregation"
#: Before any run, the watermark is the epoch: the first run covers every event.
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class AggregationRun:
    window_start: datetime
    window_end: datetime
    hours: tuple[datetime, ...]


def ensure_watermark(session: Session, name: str) -> None:
    """Create the watermark row once (a concurrent creator wins harmlessly)."""
    if session.get(BillingWatermark, name) is not None:
        return
    try:
        with session.begin_nested():
            session.add(BillingWatermark(name=name, value=EPOCH))
    except IntegrityError:
        pass
    session.commit()


def read_watermark(session: Session, name: str = WATERMARK) -> datetime:
    row = session.get(BillingWatermark, name)
    return row.value if row is not None else EPOCH


def complete_through(session: Session, *, now: datetime, settle_seconds: int) -> datetime:
    """The instant before which every event received, as of `now`, is aggregated.

    The watermark says how far aggregation got; when no event received since then has
    settled (none at all, e.g. before the first run or on a quiet system) there is nothing
    left to aggregate, so the answer is `now - settle` itself. A billing day can therefore
    be due from the first second the system runs, delivery or not.
    """
    settled = now - timedelta(seconds=settle_seconds)
    mark = read_watermark(session)
    if mark >= settled:
        return settled
    waiting = session.scalar(
        select(func.min(DeliveryEvent.received_at)).where(DeliveryEvent.received_at >= mark)
    )
    if waiting is None or waiting >= settled:
        return settled
    return mark


def aggregate(session: Session, *, now: datetime, settle_seconds: int) -> AggregationRun:
    """Recompute every hour that got events since the last run; advance the watermark."""
    ensure_watermark(session, WATERMARK)
    mark = session.scalars(
        select(BillingWatermark).where(BillingWatermark.name == WATERMARK).with_for_update()
    ).one()
    start, end = mark.value, now - timedelta(seconds=settle_seconds)
    if end <= start:
        session.rollback()
        return AggregationRun(start, start, ())
    hours = touched_hours(session, start, end)
    for hour in hours:
        recompute_hour(session, hour)
    mark.value = end
    session.commit()
    return AggregationRun(start, end, tuple(hours))


def touched_hours(session: Session, start: datetime, end: datetime) -> list[datetime]:
    """The UTC hours of events received in [start, end)."""
    dialect = session.get_bind().dialect.name
    hour = utc_hour(DeliveryEvent.occurred_at, dialect)
    texts = session.scalars(
        select(hour)
        .where(DeliveryEvent.received_at >= start, DeliveryEvent.received_at < end)
        .group_by(hour)
        .order_by(hour)
    ).all()
    return [datetime.strptime(t, "%Y-%m-%d %H").replace(tzinfo=UTC) for t in texts]


def recompute_hour(session: Session, hour: datetime) -> int:
    """Replace the rows of one UTC hour by a fresh GROUP BY of its raw events (caller commits)."""
    events = DeliveryEvent
    grouped = (
        select(
            events.ad_group_id,
            events.local_day,
            func.min(events.campaign_id),
            func.min(events.advertiser_id),
            func.sum(case((events.type == EventType.IMPRESSION, 1), else_=0)),
            func.sum(case((events.type == EventType.CLICK, 1), else_=0)),
            func.sum(events.cost_micros),
            func.count(),
        )
        .where(events.occurred_at >= hour, events.occurred_at < hour + HOUR)
        .group_by(events.ad_group_id, events.local_day)
    )
    rows = session.execute(grouped).all()
    session.execute(delete(HourlyDelivery).where(HourlyDelivery.hour == hour))
    if rows:
        session.execute(
            insert(HourlyDelivery),
            [
                {
                    "ad_group_id": r[0],
                    "hour": hour,
                    "day": r[1],
                    "campaign_id": r[2],
                    "advertiser_id": r[3],
                    "impressions": int(r[4]),
                    "clicks": int(r[5]),
                    "spend_micros": int(r[6]),
                    "events": int(r[7]),
                }
                for r in rows
            ],
        )
    return len(rows)
