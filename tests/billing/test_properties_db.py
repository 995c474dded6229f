"""Property test on the database: the ledger depends on the events, not on how they came.

Random events over a DST weekend are ingested in a random order, with duplicates, with
aggregation runs (and a crashed one) in between; the final ledger must equal the one
the pure rules compute from the distinct events, and reconciliation must balance.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete
from sqlalchemy.orm import Session

from ads.auth.principal import CLI_PRINCIPAL
from ads.billing.aggregation import add_window, aggregate, read_watermark
from ads.billing.domain.day_fold import CampaignDelivery, DeliveryDay, bill_days
from ads.billing.models import BillingWatermark
from ads.billing.reconciliation import reconcile
from ads.campaigns.rules import BudgetType
from ads.time import local_day, zone
from tests.billing.fixtures import Send, make_account, run_billing
from tests.billing.test_day_close import ledger

START = datetime(2026, 10, 31, 12, tzinfo=UTC)
BUDGETS = (7_000_000, 20_000_000)

events = st.lists(
    st.tuples(st.integers(0, 1), st.integers(0, 3 * 24 * 60), st.integers(0, 5_000_000)),
    min_size=1,
    max_size=25,
)


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    events,
    st.randoms(use_true_random=False),
    st.sets(st.integers(0, 24), max_size=5),
    st.integers(0, 25),
    st.sampled_from(["America/New_York", "Asia/Kolkata"]),
)
def test_same_ledger_whatever_the_order_duplicates_or_crash(
    session: Session,
    send: Send,
    generated: list[tuple[int, int, int]],
    rnd: object,
    duplicated: set[int],
    crash_at: int,
    tz_name: str,
) -> None:
    session.execute(delete(BillingWatermark))  # each example starts a fresh timeline
    session.commit()
    acct = make_account(session, timezone=tz_name, budgets=BUDGETS)
    tz = zone(tz_name)
    items = [
        (f"{acct.advertiser_id}-{i}", c, START + timedelta(minutes=m), cost)
        for i, (c, m, cost) in enumerate(generated)
    ]
    arrivals = items + [items[i] for i in sorted(duplicated) if i < len(items)]
    rnd.shuffle(arrivals)  # type: ignore[attr-defined]
    received = START + timedelta(days=3, hours=1)
    for n, (event_id, c, occurred, cost) in enumerate(arrivals):
        send(
            acct.ad_ids[c],
            occurred,
            cost,
            event_id=event_id,
            received=received + timedelta(seconds=n),
        )
        if n == crash_at:  # a run that dies before committing leaves nothing behind
            add_window(session, read_watermark(session), received + timedelta(seconds=n + 1))
            session.rollback()
        elif n % 7 == 3:
            aggregate(session, now=received + timedelta(seconds=n), settle_seconds=0)
    run_billing(session, received + timedelta(days=3))

    delivered: dict[date, dict[int, int]] = {}
    for _id, c, occurred, cost in items:
        per_day = delivered.setdefault(local_day(occurred, tz), {})
        per_day[acct.campaign_ids[c]] = per_day.get(acct.campaign_ids[c], 0) + cost
    plan = [
        DeliveryDay(
            day,
            tuple(
                CampaignDelivery(
                    cid, amount, BudgetType.DAILY, BUDGETS[acct.campaign_ids.index(cid)]
                )
                for cid, amount in sorted(delivered[day].items())
            ),
            None,
        )
        for day in sorted(delivered)
    ]
    expected = {}
    for day, bills in bill_days(plan, account_charged_before=0, campaign_charged_before={}).items():
        for bill in bills:
            if bill.billable_micros:
                expected[(bill.campaign_id, day, "CHARGE")] = bill.billable_micros
            if bill.overdelivery_micros:
                expected[(bill.campaign_id, day, "OVERDELIVERY_CREDIT")] = bill.overdelivery_micros
    assert ledger(session, acct.advertiser_id) == expected
    report = reconcile(
        session,
        CLI_PRINCIPAL,
        date_from=date(2026, 10, 30),
        date_to=date(2026, 11, 5),
        advertiser_ids=[acct.advertiser_id],
    )
    assert report.balanced, report.differences
    assert all(row.closed for row in report.rows)
