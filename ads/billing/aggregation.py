"""Hourly aggregation of delivery events: incremental, exactly once, safe under concurrency.

Why no event is lost or counted twice while ingestion and aggregation run at once:

* Ingestion stamps each event with `received_at` (its clock at insert) and commits within
  seconds; `billing_settle_seconds` is chosen longer than any ingestion transaction. So
  at time `now`, every event with `received_at < now - settle` is committed and visible.
* A run reads only the events received in the window `[watermark, now - settle)` (the
  index on `received_at`), sums them per UTC hour of `occurred_at`, ad group and local
  day, **adds** those sums to the hourly rows, and moves the watermark to the window's
  end. Consecutive windows tile time, so every event is in exactly one window and is
  added exactly once, whatever the order or lateness of arrival: a late event is read by
  the run after it arrives and changes exactly the row of its own hour. A run's cost is
  the events it reads, not the volume of the hours they belong to.
* The additions and the new watermark commit in one transaction: a crash half-way rolls
  both back, and the next run reads the same window again with the same result. Events
  are unique by their key in the raw table, so no event is read twice by one window.
* Two runs at once: the watermark row is locked (SELECT … FOR UPDATE on PostgreSQL;
  SQLite has one writer at a time), so the second waits and then sees the new window.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Table, case, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from ads.billing.models import BillingWatermark, HourlyDelivery
from ads.billing.sql_dates import utc_hour
from ads.db import upsert
from ads.ingestion.models import DeliveryEvent
from ads.ingestion.rules import EventType

WATERMARK = "aggregation"
#: Before any run, the watermark is the epoch: the first run covers every event.
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
HOURLY: Table = HourlyDelivery.__table__  # type: ignore[assignment]
_KEY = ("ad_group_id", "hour", "day")
_SUMS = ("impressions", "clicks", "spend_micros", "events")


@dataclass(frozen=True)
class AggregationRun:
    window_start: datetime
    window_end: datetime
    #: The UTC hours whose rows the run changed.
    hours: tuple[datetime, ...]
    #: Events read (those received in the window).
    events: int = 0


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
    """Add the events received since the last run to their hours; advance the watermark."""
    ensure_watermark(session, WATERMARK)
    mark = session.scalars(
        select(BillingWatermark).where(BillingWatermark.name == WATERMARK).with_for_update()
    ).one()
    start, end = mark.value, now - timedelta(seconds=settle_seconds)
    if end <= start:
        session.rollback()
        return AggregationRun(start, start, ())
    rows = add_window(session, start, end)
    mark.value = end
    session.commit()
    hours = tuple(sorted({row["hour"] for row in rows}))
    return AggregationRun(start, end, hours, sum(row["events"] for row in rows))


def add_window(session: Session, start: datetime, end: datetime) -> list[dict[str, Any]]:
    """Add the sums of the events received in [start, end) to the hourly rows (caller
    commits, with the watermark); return the sums added, one per row touched."""
    rows = window_sums(session, start, end)
    upsert(session, HOURLY, _KEY, rows, add=_SUMS)
    return rows


def delivery_sums() -> tuple[ColumnElement[Any], ...]:
    """Impressions, clicks, spend and events of a group of raw events, as rows hold them."""
    events = DeliveryEvent
    return (
        func.sum(case((events.type == EventType.IMPRESSION, 1), else_=0)),
        func.sum(case((events.type == EventType.CLICK, 1), else_=0)),
        func.sum(events.cost_micros),
        func.count(),
    )


def window_sums(session: Session, start: datetime, end: datetime) -> list[dict[str, Any]]:
    """Sums per (ad group, UTC hour, local day) of the events received in [start, end),
    in key order (concurrent writers of the same rows lock them in one order)."""
    events = DeliveryEvent
    hour = utc_hour(events.occurred_at, session.get_bind().dialect.name)
    grouped = (
        select(
            events.ad_group_id,
            hour,
            events.local_day,
            func.min(events.campaign_id),
            func.min(events.advertiser_id),
            *delivery_sums(),
        )
        .where(events.received_at >= start, events.received_at < end)
        .group_by(events.ad_group_id, hour, events.local_day)
        .order_by(events.ad_group_id, hour, events.local_day)
    )
    return [
        {
            "ad_group_id": row[0],
            "hour": datetime.strptime(row[1], "%Y-%m-%d %H").replace(tzinfo=UTC),
            "day": row[2],
            "campaign_id": row[3],
            "advertiser_id": row[4],
            "impressions": int(row[5]),
            "clicks": int(row[6]),
            "spend_micros": int(row[7]),
            "events": int(row[8]),
        }
        for row in session.execute(grouped)
    ]
