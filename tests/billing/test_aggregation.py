"""Incremental aggregation: a run reads what is new, and a late event changes only its hour."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ads.billing.aggregation import add_window, aggregate, read_watermark
from ads.billing.models import HourlyDelivery
from tests.billing.fixtures import Send, make_account

T = datetime(2026, 11, 10, 13, 20, tzinfo=UTC)
HOUR = timedelta(hours=1)


def _rows(session: Session) -> dict[tuple[object, ...], tuple[int, int, int, int]]:
    h = HourlyDelivery
    return {
        (r.ad_group_id, r.hour, r.day): (r.impressions, r.clicks, r.spend_micros, r.events)
        for r in session.execute(select(h)).scalars()
    }


def test_a_late_event_re_aggregates_exactly_its_hour(session: Session, send: Send) -> None:
    acct = make_account(session, budgets=(50_000_000, 50_000_000))
    for n in range(3):
        for ad in acct.ad_ids:
            send(ad, T + n * HOUR, 1_000 * (n + 1))
    first = aggregate(session, now=T + 4 * HOUR, settle_seconds=0)
    assert first.events == 6
    assert len(first.hours) == 3
    before = _rows(session)

    late_at = T + HOUR + timedelta(minutes=7)
    send(acct.ad_ids[1], late_at, 777, received=T + timedelta(days=2), kind="CLICK")
    run = aggregate(session, now=T + timedelta(days=2, minutes=1), settle_seconds=0)

    assert (run.events, run.hours) == (1, (datetime(2026, 11, 10, 14, tzinfo=UTC),))
    after = _rows(session)
    changed = {key for key in after if after[key] != before.get(key)}
    assert len(changed) == 1
    (key,) = changed
    assert key[1] == datetime(2026, 11, 10, 14, tzinfo=UTC)
    assert [a - b for a, b in zip(after[key], before[key], strict=True)] == [0, 1, 777, 1]


def test_a_run_reads_only_the_events_received_since_the_last_one(
    session: Session, send: Send
) -> None:
    acct = make_account(session)
    for n in range(40):
        send(acct.ad_ids[0], T + timedelta(minutes=n), 10, received=T + timedelta(minutes=n))
    assert aggregate(session, now=T + HOUR, settle_seconds=0).events == 40
    assert aggregate(session, now=T + 2 * HOUR, settle_seconds=0).events == 0
    send(acct.ad_ids[0], T, 5, event_id="one-more", received=T + 2 * HOUR)
    run = aggregate(session, now=T + 3 * HOUR, settle_seconds=0)
    assert run.events == 1
    assert session.scalar(select(func.sum(HourlyDelivery.spend_micros))) == 40 * 10 + 5


def test_a_run_that_dies_before_its_commit_adds_nothing_and_the_next_adds_once(
    session: Session, send: Send
) -> None:
    acct = make_account(session)
    send(acct.ad_ids[0], T, 1_000, received=T)
    send(acct.ad_ids[0], T + HOUR, 2_000, received=T + HOUR)
    add_window(session, read_watermark(session), T + 2 * HOUR)
    session.rollback()
    assert session.scalar(select(func.count()).select_from(HourlyDelivery)) == 0
    aggregate(session, now=T + 2 * HOUR, settle_seconds=0)
    aggregate(session, now=T + 3 * HOUR, settle_seconds=0)
    assert session.scalar(select(func.sum(HourlyDelivery.spend_micros))) == 3_000
    assert session.scalar(select(func.sum(HourlyDelivery.events))) == 2
