"""Aggregation and day close against the database: caps, DST days, JPY, late events."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from ads.audit.models import AuditEntry
from ads.auth.principal import CLI_PRINCIPAL
from ads.billing.aggregation import aggregate
from ads.billing.domain.ledger import EntryKind
from ads.billing.models import DayClose, HourlyDelivery, LedgerEntry
from ads.billing.reconciliation import reconcile
from ads.campaigns.rules import BudgetType
from ads.campaigns.service import update_campaign
from tests.billing.fixtures import Send, make_account, run_billing

DST_END = date(2026, 11, 1)  # America/New_York: 25 hours, 04:00Z to 05:00Z next day


def ledger(session: Session, advertiser_id: int) -> dict[tuple[int | None, date, str], int]:
    rows = session.execute(
        select(
            LedgerEntry.campaign_id,
            LedgerEntry.day,
            LedgerEntry.kind,
            func.sum(LedgerEntry.amount_micros),
        )
        .where(LedgerEntry.advertiser_id == advertiser_id)
        .group_by(LedgerEntry.campaign_id, LedgerEntry.day, LedgerEntry.kind)
    )
    return {(c, d, EntryKind(k).value): int(a) for c, d, k, a in rows if a}


def test_25_hour_day_is_billed_whole_and_capped_by_the_daily_budget(
    session: Session, send: Send
) -> None:
    acct = make_account(session, budgets=(10_000_000,))
    ad, campaign = acct.ad_ids[0], acct.campaign_ids[0]
    start = datetime(2026, 11, 1, 4, tzinfo=UTC)  # local midnight, EDT
    send(ad, start, 4_000_000)
    send(ad, start + timedelta(hours=24, minutes=30), 8_000_000)  # 23:30 EST, same local day
    send(ad, start + timedelta(hours=25), 1_000_000)  # next local day
    run_billing(session, datetime(2026, 11, 4, tzinfo=UTC))
    assert ledger(session, acct.advertiser_id) == {
        (campaign, DST_END, "CHARGE"): 10_000_000,
        (campaign, DST_END, "OVERDELIVERY_CREDIT"): 2_000_000,
        (campaign, date(2026, 11, 2), "CHARGE"): 1_000_000,
    }
    assert reconcile(session, CLI_PRINCIPAL, date_from=DST_END, date_to=date(2026, 11, 3)).balanced


def test_23_hour_day_and_jpy_whole_yen(session: Session, send: Send) -> None:
    acct = make_account(session, currency="JPY", timezone="Asia/Tokyo", budgets=(5_000_000_000,))
    ad, campaign = acct.ad_ids[0], acct.campaign_ids[0]
    ny = make_account(session, budgets=(50_000_000,))
    spring = datetime(2026, 3, 8, 5, tzinfo=UTC)  # NY local midnight; the day has 23 hours
    send(ny.ad_ids[0], spring, 30_000_000)
    send(ny.ad_ids[0], spring + timedelta(hours=22, minutes=59), 30_000_000)
    send(ny.ad_ids[0], spring + timedelta(hours=23), 7_000_000)
    tokyo_day = datetime(2026, 3, 9, 15, tzinfo=UTC)  # 2026-03-10 00:00 JST
    send(ad, tokyo_day, 3_000_400_000)
    send(ad, tokyo_day + timedelta(hours=23), 2_500_000_000)
    run_billing(session, datetime(2026, 3, 12, tzinfo=UTC))
    assert ledger(session, acct.advertiser_id) == {
        (campaign, date(2026, 3, 10), "CHARGE"): 5_000_000_000,
        (campaign, date(2026, 3, 10), "OVERDELIVERY_CREDIT"): 500_400_000,
    }
    assert ledger(session, ny.advertiser_id) == {
        (ny.campaign_ids[0], date(2026, 3, 8), "CHARGE"): 50_000_000,
        (ny.campaign_ids[0], date(2026, 3, 8), "OVERDELIVERY_CREDIT"): 10_000_000,
        (ny.campaign_ids[0], date(2026, 3, 9), "CHARGE"): 7_000_000,
    }


def test_a_day_is_closed_only_after_the_late_allowance(session: Session, send: Send) -> None:
    acct = make_account(session)
    day_start = datetime(2026, 11, 10, 5, tzinfo=UTC)
    send(acct.ad_ids[0], day_start, 1_000_000)
    run_billing(session, day_start + timedelta(hours=24, minutes=30))  # allowance is 1 h
    assert session.scalar(select(func.count()).select_from(DayClose)) == 0
    run_billing(session, day_start + timedelta(hours=25, minutes=1))
    assert session.scalar(select(func.count()).select_from(DayClose)) == 1


def test_late_event_reaggregates_its_hour_and_recloses_with_new_rows(
    session: Session, send: Send
) -> None:
    acct = make_account(session, budgets=(3_000_000,))
    ad, campaign = acct.ad_ids[0], acct.campaign_ids[0]
    t = datetime(2026, 11, 10, 15, 10, tzinfo=UTC)
    send(ad, t, 2_000_000)
    run_billing(session, datetime(2026, 11, 12, tzinfo=UTC))
    first = session.scalar(select(func.count()).select_from(LedgerEntry))
    run_billing(session, datetime(2026, 11, 12, 0, 5, tzinfo=UTC))  # nothing new: no rows
    assert session.scalar(select(func.count()).select_from(LedgerEntry)) == first
    send(ad, t + timedelta(minutes=5), 2_000_000, received=datetime(2026, 11, 12, 1, tzinfo=UTC))
    run_billing(session, datetime(2026, 11, 12, 2, tzinfo=UTC))
    assert (
        session.scalar(
            select(HourlyDelivery.spend_micros).where(HourlyDelivery.campaign_id == campaign)
        )
        == 4_000_000
    )
    day = date(2026, 11, 10)
    assert ledger(session, acct.advertiser_id) == {
        (campaign, day, "CHARGE"): 3_000_000,
        (campaign, day, "OVERDELIVERY_CREDIT"): 1_000_000,
    }
    revisions = session.scalars(select(DayClose.revision).order_by(DayClose.id)).all()
    assert revisions == [1, 2]


def test_budget_lowered_during_the_day_applies_to_the_whole_day(
    session: Session, send: Send
) -> None:
    acct = make_account(session, budgets=(10_000_000,))
    ad, campaign = acct.ad_ids[0], acct.campaign_ids[0]
    day_start = datetime(2026, 11, 10, 5, tzinfo=UTC)
    send(ad, day_start + timedelta(hours=1), 6_000_000)
    update_campaign(session, CLI_PRINCIPAL, campaign, {"budget_micros": 4_000_000})
    update_campaign(session, CLI_PRINCIPAL, campaign, {"budget_micros": 9_000_000})
    entries = session.scalars(select(AuditEntry.id).where(AuditEntry.action == "update")).all()
    moments = [day_start + timedelta(hours=12), day_start + timedelta(hours=30)]
    for entry_id, moment in zip(entries, moments, strict=True):  # made mid-day, and next day
        session.execute(
            update(AuditEntry).where(AuditEntry.id == entry_id).values(occurred_at=moment)
        )
    session.commit()
    run_billing(session, datetime(2026, 11, 12, tzinfo=UTC))
    assert ledger(session, acct.advertiser_id) == {
        (campaign, date(2026, 11, 10), "CHARGE"): 4_000_000,
        (campaign, date(2026, 11, 10), "OVERDELIVERY_CREDIT"): 2_000_000,
    }


def test_lifetime_budget_and_account_limit_carry_over_days(session: Session, send: Send) -> None:
    acct = make_account(
        session,
        budgets=(5_000_000, 100_000_000),
        budget_type=BudgetType.LIFETIME,
        spend_limit_micros=9_000_000,
    )
    (ad1, ad2), (c1, c2) = acct.ad_ids, acct.campaign_ids
    d1 = datetime(2026, 11, 10, 15, tzinfo=UTC)
    send(ad1, d1, 3_000_000)
    send(ad1, d1 + timedelta(days=1), 3_000_000)  # lifetime left: 2
    send(ad2, d1 + timedelta(days=1), 3_000_000)
    send(ad2, d1 + timedelta(days=2), 4_000_000)  # account left: 9 - 8 = 1
    run_billing(session, datetime(2026, 11, 15, tzinfo=UTC))
    got = ledger(session, acct.advertiser_id)
    assert got[(c1, date(2026, 11, 11), "CHARGE")] == 2_000_000
    assert got[(c1, date(2026, 11, 11), "OVERDELIVERY_CREDIT")] == 1_000_000
    assert got[(c2, date(2026, 11, 12), "CHARGE")] == 1_000_000
    charges = sum(v for k, v in got.items() if k[2] == "CHARGE")
    assert charges == 9_000_000


def test_aggregation_twice_or_after_a_crash_gives_the_same_rows(
    session: Session, send: Send
) -> None:
    acct = make_account(session)
    t = datetime(2026, 11, 10, 15, tzinfo=UTC)
    for i in range(5):
        send(acct.ad_ids[0], t + timedelta(minutes=i * 20), 1_000_000 + i, kind="CLICK")
    now = datetime(2026, 11, 11, tzinfo=UTC)

    def rows() -> list[tuple[object, ...]]:
        return [
            tuple(r)
            for r in session.execute(
                select(
                    HourlyDelivery.hour,
                    HourlyDelivery.day,
                    HourlyDelivery.clicks,
                    HourlyDelivery.spend_micros,
                    HourlyDelivery.events,
                ).order_by(HourlyDelivery.hour)
            )
        ]

    aggregate(session, now=now, settle_seconds=0)
    once = rows()
    assert [r[2] for r in once] == [3, 2]
    # A crash after rewriting the hours but before the commit: nothing is kept.
    session.execute(update(HourlyDelivery).values(spend_micros=0))
    session.rollback()
    aggregate(session, now=now + timedelta(minutes=1), settle_seconds=0)
    assert rows() == once
