"""A period's state is right from the first second, and an open one says why."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy.orm import Session

from ads.billing.aggregation import aggregate
from ads.billing.period_state import PeriodState, period_state
from tests.billing.fixtures import ALLOWANCE, Send, make_account

SETTLE = 120


def _state(session: Session, now: datetime, date_to: date = date(2026, 10, 31)) -> PeriodState:
    return period_state(
        session,
        advertiser_ids=None,
        date_from=date(2026, 10, 1),
        date_to=date_to,
        allowance_seconds=ALLOWANCE,
        settle_seconds=SETTLE,
        now=now,
    )


def test_a_month_without_delivery_is_closed_before_any_aggregation(session: Session) -> None:
    make_account(session, timezone="America/Los_Angeles")
    state = _state(session, datetime(2026, 11, 2, tzinfo=UTC))
    assert state.closed, state


def test_the_allowance_still_running_is_the_reason(session: Session) -> None:
    make_account(session, timezone="America/Los_Angeles")
    # Oct 31 in Los Angeles ends Nov 1 07:00 UTC; late events count for one more hour.
    state = _state(session, datetime(2026, 11, 1, 7, 30, tzinfo=UTC))
    assert not state.closed
    assert state.reason is not None
    assert "accepted until 2026-11-01T08:00:00Z" in state.reason
    assert _state(session, datetime(2026, 11, 1, 8, 2, tzinfo=UTC)).closed


def test_events_waiting_for_aggregation_and_unbilled_days_are_named(
    session: Session, send: Send
) -> None:
    acct = make_account(session)
    delivered = datetime(2026, 10, 30, 15, tzinfo=UTC)
    send(acct.ad_ids[0], delivered, 1_000, received=delivered + timedelta(minutes=1))
    now = datetime(2026, 11, 3, tzinfo=UTC)
    waiting = _state(session, now)
    assert waiting.reason is not None
    assert "not aggregated yet" in waiting.reason
    assert "ads billing aggregate" in waiting.reason
    aggregate(session, now=now, settle_seconds=SETTLE)
    unbilled = _state(session, now)
    assert not unbilled.closed
    assert unbilled.reason is not None
    assert f"advertiser {acct.advertiser_id}'s day 2026-10-30" in unbilled.reason
    assert "ads billing close-days" in unbilled.reason
