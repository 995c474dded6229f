"""Recording events: once per id, counters in step, local days, flags."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ads.accounts.models import Advertiser
from ads.campaigns.rules import CampaignStatus
from ads.ingestion.models import (
    AdGroupDaySpend,
    CampaignDaySpend,
    CampaignHourTraffic,
    DeliveryEvent,
)
from ads.ingestion.rules import EventFlag
from ads.ingestion.service import record_events
from tests.ingestion.fixtures import NOW, Tree, build_tree, event


def test_an_event_sent_twice_is_counted_once(session: Session, tree: Tree) -> None:
    batch = [event("a", tree.ad_id), event("b", tree.ad_id, costMicros=500)]
    first = record_events(session, batch, now=NOW)
    again = record_events(session, [*batch, event("c", tree.ad_id)], now=NOW)
    assert (first.accepted, first.duplicates) == (2, 0)
    assert (again.accepted, again.duplicates) == (1, 2)
    spend = session.scalar(select(CampaignDaySpend.spend_micros))
    assert spend == 2_500 + 500 + 2_500
    assert session.scalar(select(func.count()).select_from(DeliveryEvent)) == 3


def test_a_repeated_id_within_a_batch_counts_once(session: Session, tree: Tree) -> None:
    report = record_events(session, [event("a", tree.ad_id)] * 3, now=NOW)
    assert (report.accepted, report.duplicates) == (1, 2)
    assert session.scalar(select(CampaignDaySpend.impressions)) == 1


def test_bad_events_are_explained_and_good_ones_still_land(session: Session, tree: Tree) -> None:
    batch = [
        event("ok", tree.ad_id),
        event("neg", tree.ad_id, costMicros=-5),
        event("ghost", 999_999),
        event("ok2", tree.ad_id, type="CLICK"),
    ]
    report = record_events(session, batch, now=NOW)
    assert report.accepted == 2
    assert [(r.position, r.event_id, r.reason) for r in report.rejected] == [
        (1, "neg", "NEGATIVE_COST"),
        (2, "ghost", "UNKNOWN_AD"),
    ]
    row = session.execute(select(CampaignDaySpend)).scalar_one()
    assert (row.impressions, row.clicks, row.spend_micros) == (1, 1, 5_000)


def test_counters_follow_the_advertisers_local_day_and_hour(session: Session) -> None:
    # Tokyo is UTC+9: 14:30Z is 23:30 local, 15:30Z is 00:30 of the next local day.
    tree = build_tree(session)
    session.get(Advertiser, tree.advertiser_id).timezone = "Asia/Tokyo"  # type: ignore[union-attr]
    session.commit()
    batch = [
        event("t1", tree.ad_id, occurredAt="2026-11-19T14:30:00Z", costMicros=1),
        event("t2", tree.ad_id, occurredAt="2026-11-20T14:30:00Z", costMicros=10),
        event("t3", tree.ad_id, occurredAt="2026-11-20T15:30:00Z", costMicros=100),
    ]
    record_events(session, batch, now=NOW)
    days = session.execute(select(CampaignDaySpend.day, CampaignDaySpend.spend_micros)).all()
    assert sorted((d.isoformat(), s) for d, s in days) == [
        ("2026-11-19", 1),
        ("2026-11-20", 10),
        ("2026-11-21", 100),
    ]
    assert session.scalar(select(func.sum(AdGroupDaySpend.spend_micros))) == 111
    hours = session.execute(
        select(CampaignHourTraffic.day, CampaignHourTraffic.hour, CampaignHourTraffic.events)
    ).all()
    assert sorted((d.isoformat(), h, n) for d, h, n in hours) == [
        ("2026-11-19", 23, 1),
        ("2026-11-20", 23, 1),
        ("2026-11-21", 0, 1),
    ]


def test_a_25_hour_day_keeps_its_late_hour(session: Session, tree: Tree) -> None:
    # New York leaves daylight saving on 2026-11-01: that local day runs 04:00Z to 05:00Z.
    now = datetime(2026, 11, 2, 6, 0, tzinfo=UTC)
    batch = [
        event("d1", tree.ad_id, occurredAt="2026-11-01T04:30:00Z", costMicros=1),
        event("d2", tree.ad_id, occurredAt="2026-11-02T04:30:00Z", costMicros=10),
        event("d3", tree.ad_id, occurredAt="2026-11-02T05:30:00Z", costMicros=100),
    ]
    record_events(session, batch, now=now)
    days = session.execute(select(CampaignDaySpend.day, CampaignDaySpend.spend_micros)).all()
    assert sorted((d.isoformat(), s) for d, s in days) == [("2026-11-01", 11), ("2026-11-02", 100)]


def test_counters_equal_the_sum_of_their_events(session: Session, tree: Tree) -> None:
    batches = [
        [event(f"e{i}", tree.ad_id, costMicros=i, type=("CLICK" if i % 3 else "IMPRESSION"))
         for i in range(start, start + 50)]
        for start in (0, 25, 40)
    ]  # fmt: skip
    for batch in batches:
        record_events(session, batch, now=NOW)
    events = session.execute(
        select(func.count(), func.sum(DeliveryEvent.cost_micros)).select_from(DeliveryEvent)
    ).one()
    row = session.execute(select(CampaignDaySpend)).scalar_one()
    assert events == (90, sum(range(90)))
    assert (row.impressions + row.clicks, row.spend_micros) == (90, sum(range(90)))


def test_events_of_a_paused_campaign_are_recorded_and_flagged(session: Session) -> None:
    tree = build_tree(session, status=CampaignStatus.PAUSED)
    report = record_events(session, [event("p", tree.ad_id)], now=NOW)
    assert (report.accepted, report.flagged) == (1, 1)
    assert session.scalar(select(DeliveryEvent.flag)) is EventFlag.PAUSED
    assert session.scalar(select(CampaignDaySpend.spend_micros)) == 2_500
