"""Daily partitions of delivery events: made ahead, made on demand, dropped by day."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ads.config import Settings
from ads.db import make_engine, session_factory
from ads.ingestion import partitions
from ads.ingestion.models import DeliveryEvent
from ads.ingestion.partition_rules import (
    AHEAD_DAYS,
    day_bounds,
    days_to_prepare,
    partition_day,
    partition_name,
    writable_days,
)
from ads.ingestion.service import record_events
from tests.ingestion.fixtures import NOW, Tree, event


def _postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def test_partition_names_round_trip_and_cover_whole_utc_days() -> None:
    day = date(2026, 2, 28)
    assert partition_day(partition_name(day)) == day
    assert partition_day("delivery_events") is None
    assert partition_day("delivery_events_p2026022") is None
    assert day_bounds(day) == (
        datetime(2026, 2, 28, tzinfo=UTC),
        datetime(2026, 3, 1, tzinfo=UTC),
    )


def test_the_days_to_prepare_span_every_accepted_event_and_the_days_ahead() -> None:
    now = datetime(2026, 11, 20, 23, 57, tzinfo=UTC)
    # 7 days back; 5 minutes of clock skew reach into Nov 21.
    assert writable_days(now)[0] == date(2026, 11, 13)
    assert writable_days(now)[-1] == date(2026, 11, 21)
    prepared = days_to_prepare(now)
    assert prepared[0] == date(2026, 11, 13)
    assert prepared[-1] == date(2026, 11, 20) + timedelta(days=AHEAD_DAYS)
    assert prepared == sorted(set(prepared))


def test_partitions_are_made_once_whoever_asks_at_the_same_time(
    settings: Settings, session: Session
) -> None:
    far = [date(2031, 5, 1) + timedelta(days=n) for n in range(4)]
    engine = make_engine(settings)
    sessions = session_factory(engine)
    made: list[list[date]] = []
    errors: list[BaseException] = []

    def prepare() -> None:
        try:
            with sessions() as own:
                made.append(partitions.ensure(own, far))
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=prepare) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    engine.dispose()
    assert not errors
    if _postgres(session):
        assert sorted(d for days in made for d in days) == far
        assert set(far) <= set(partitions.stored_days(session))
        assert partitions.ensure(session, far) == []
    else:
        assert made == [[], [], []]  # one plain table: nothing to make


def test_an_event_of_a_day_without_a_partition_gets_one(session: Session, tree: Tree) -> None:
    day = NOW.date()
    partitions.drop_day(session, day)
    session.commit()
    report = record_events(session, [event("x", tree.ad_id)], now=NOW)
    assert report.accepted == 1
    assert session.scalar(select(func.count()).select_from(DeliveryEvent)) == 1
    if _postgres(session):
        assert day in partitions.stored_days(session)


def test_dropping_a_day_removes_its_events_and_no_others(session: Session, tree: Tree) -> None:
    times = ["2026-11-18T23:59:59.999999Z", "2026-11-19T00:00:00Z", "2026-11-20T12:00:00Z"]
    batch = [event(f"e{i}", tree.ad_id, occurredAt=t) for i, t in enumerate(times)]
    assert record_events(session, batch, now=NOW).accepted == 3
    assert partitions.stored_days(session)[0] <= date(2026, 11, 18)
    partitions.drop_day(session, date(2026, 11, 19))
    session.commit()
    left = session.scalars(select(DeliveryEvent.event_id).order_by(DeliveryEvent.event_id))
    assert list(left) == ["e0", "e2"]
