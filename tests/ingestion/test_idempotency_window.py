"""Exactly once within the window: a resent event counts once until ingestion refuses it.

An event is its id and its occurrence time. Ingestion accepts an event until
`MAX_EVENT_AGE` after it occurred, and its first copy is kept at least that long
(`partition_rules.MIN_RETENTION_DAYS`), so a retry inside the window meets its first copy
and is a duplicate, and a retry past the window's edge is refused as too old: either way
it is never counted twice.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ads.ingestion.models import CampaignDaySpend, DeliveryEvent
from ads.ingestion.partition_rules import MIN_RETENTION_DAYS, expired
from ads.ingestion.rules import MAX_EVENT_AGE
from ads.ingestion.service import record_events
from tests.ingestion.fixtures import NOW, Tree, event

OCCURRED = NOW - timedelta(minutes=1)
MICROSECOND = timedelta(microseconds=1)


def _counted(session: Session) -> tuple[int, int]:
    events = session.scalar(select(func.count()).select_from(DeliveryEvent))
    spend = session.scalar(select(func.coalesce(func.sum(CampaignDaySpend.spend_micros), 0)))
    return int(events or 0), int(spend or 0)


def _resend(session: Session, tree: Tree, *, after: timedelta) -> tuple[int, int, list[str]]:
    report = record_events(
        session, [event("e1", tree.ad_id, occurredAt=OCCURRED.isoformat())], now=OCCURRED + after
    )
    return report.accepted, report.duplicates, [r.reason for r in report.rejected]


def test_a_resent_event_counts_once_up_to_the_last_instant_of_the_window(
    session: Session, tree: Tree
) -> None:
    first = record_events(
        session, [event("e1", tree.ad_id, occurredAt=OCCURRED.isoformat())], now=OCCURRED
    )
    assert first.accepted == 1
    for after in (timedelta(minutes=2), timedelta(days=3), MAX_EVENT_AGE):
        assert _resend(session, tree, after=after) == (0, 1, [])
    assert _counted(session) == (1, 2_500)


def test_past_the_windows_edge_a_resent_event_is_refused_and_counts_nothing(
    session: Session, tree: Tree
) -> None:
    record_events(session, [event("e1", tree.ad_id, occurredAt=OCCURRED.isoformat())], now=OCCURRED)
    assert _resend(session, tree, after=MAX_EVENT_AGE + MICROSECOND) == (0, 0, ["TOO_OLD"])
    assert _counted(session) == (1, 2_500)


def test_an_id_sent_again_with_another_occurrence_time_is_another_event(
    session: Session, tree: Tree
) -> None:
    record_events(session, [event("e1", tree.ad_id)], now=NOW)
    report = record_events(
        session, [event("e1", tree.ad_id, occurredAt="2026-11-20T16:58:00Z")], now=NOW
    )
    assert (report.accepted, report.duplicates) == (1, 0)
    assert _counted(session) == (2, 5_000)


def test_raw_events_outlive_every_retry_ingestion_still_accepts() -> None:
    day = OCCURRED.date()
    last_retry = OCCURRED + MAX_EVENT_AGE
    assert MAX_EVENT_AGE.days < MIN_RETENTION_DAYS
    # Whatever the setting, the day is kept while a retry of its events is accepted.
    assert not expired(day, now=last_retry, retention_days=1)
    assert expired(day, now=last_retry + timedelta(days=2), retention_days=1)
