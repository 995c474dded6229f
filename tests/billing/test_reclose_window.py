"""Day close looks back a bounded window for late events, but never skips a day never closed."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ads.billing.aggregation import aggregate
from ads.billing.day_close import close_due_days
from ads.billing.models import DayClose, LedgerEntry
from tests.billing.fixtures import ALLOWANCE, Send, make_account, run_billing

NOV_1 = date(2026, 11, 1)


def revisions(session: Session, day: date) -> int:
    return int(session.scalar(select(func.max(DayClose.revision)).where(DayClose.day == day)) or 0)


def billed(session: Session) -> int:
    return int(session.scalar(select(func.sum(LedgerEntry.amount_micros))) or 0)


def test_a_late_event_older_than_the_window_is_left_to_reconciliation(
    session: Session, send: Send
) -> None:
    acct = make_account(session, timezone="UTC")
    send(acct.ad_ids[0], datetime(2026, 11, 1, 12, tzinfo=UTC), 1_000_000)
    run_billing(session, datetime(2026, 11, 2, 6, tzinfo=UTC))
    assert revisions(session, NOV_1) == 1
    late = datetime(2026, 11, 6, tzinfo=UTC)
    send(acct.ad_ids[0], datetime(2026, 11, 1, 13, tzinfo=UTC), 5_000, received=late)
    aggregate(session, now=datetime(2026, 11, 7, tzinfo=UTC), settle_seconds=0)

    # Due through Nov 5: a 2-day window starts on Nov 3, so Nov 1 is not looked at.
    close_due_days(session, allowance_seconds=ALLOWANCE, reclose_window_days=2)
    assert (revisions(session, NOV_1), billed(session)) == (1, 1_000_000)

    close_due_days(session, allowance_seconds=ALLOWANCE, reclose_window_days=10)
    assert (revisions(session, NOV_1), billed(session)) == (2, 1_005_000)


def test_days_never_closed_are_closed_whatever_their_age(session: Session, send: Send) -> None:
    acct = make_account(session, timezone="UTC")
    send(acct.ad_ids[0], datetime(2026, 11, 1, 12, tzinfo=UTC), 1_000_000)
    run_billing(session, datetime(2026, 11, 2, 6, tzinfo=UTC))
    # Then no day close ran for seven weeks (an outage): every day after the last close
    # is billed, and so is every day of an advertiser never closed at all.
    send(acct.ad_ids[0], datetime(2026, 11, 2, 12, tzinfo=UTC), 2_000_000)
    send(acct.ad_ids[0], datetime(2026, 11, 5, 12, tzinfo=UTC), 3_000_000)
    other = make_account(session, timezone="UTC")
    send(other.ad_ids[0], datetime(2026, 11, 10, 12, tzinfo=UTC), 7_000_000)
    aggregate(session, now=datetime(2026, 12, 20, tzinfo=UTC), settle_seconds=0)
    close_due_days(session, allowance_seconds=ALLOWANCE, reclose_window_days=35)
    closed = set(session.scalars(select(DayClose.day)))
    assert closed == {NOV_1, date(2026, 11, 2), date(2026, 11, 5), date(2026, 11, 10)}
    assert billed(session) == 13_000_000
