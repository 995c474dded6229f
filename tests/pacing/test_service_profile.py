"""The pacing service learns each campaign's traffic shape from exposure, not deliveries."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from ads.campaigns.models import AdGroup
from ads.campaigns.rules import DeliveryStatus
from ads.config import Settings
from ads.ingestion.models import CampaignHourTraffic
from ads.pacing.domain.targeting import targeting_profile
from ads.pacing.models import CampaignHourExposure
from tests import factories
from tests.ingestion.fixtures import build_tree
from tests.pacing.test_service import NOW, decision, tick

YESTERDAY = date(2026, 11, 19)  # NOW is noon of 2026-11-20 in New York
#: True traffic (events per second at throttle 1): the afternoon three times the rest.
RATE = [3.0 if 12 <= h < 18 else 1.0 for h in range(24)]
NEW_YORK = ZoneInfo("America/New_York")


def test_each_tick_counts_the_published_rate_in_its_local_hour(
    session: Session, settings: Settings
) -> None:
    tree = build_tree(session)
    rates = []
    for minutes in (-2, -1, 0, 1):  # 11:58, 11:59, 12:00, 12:01 in New York
        tick(session, settings, slot=(NOW + timedelta(minutes=minutes)).timestamp())
        rates.append(decision(session, tree.campaign_id).throttle)
    rows = session.scalars(select(CampaignHourExposure)).all()
    # 11:58-12:00 at the rates published at 11:58 and 11:59; the 12:00 tick still sums
    # hour 11, the 12:01 one hands it over and starts hour 12.
    assert [(r.campaign_id, r.day, r.hour) for r in rows] == [
        (tree.campaign_id, date(2026, 11, 20), 11)
    ]
    assert rows[0].throttle_seconds == pytest.approx(60 * (rates[0] + rates[1]))
    held = decision(session, tree.campaign_id)
    assert (held.exposure_hour, held.exposure_seconds) == (12, pytest.approx(60 * rates[2]))


def test_a_campaign_held_back_in_the_afternoon_still_learns_the_afternoon_is_busy(
    session: Session, settings: Settings
) -> None:
    throttled = build_tree(session)
    newcomer = build_tree(session)  # same timezone, no history at all
    for hour in range(24):
        throttle = 0.25 if 12 <= hour < 18 else 1.0  # its controller held it back then
        exposure = 3_600 * throttle
        session.add(
            CampaignHourExposure(
                campaign_id=throttled.campaign_id, day=YESTERDAY, hour=hour,
                throttle_seconds=exposure,
            )
        )  # fmt: skip
        session.add(
            CampaignHourTraffic(
                campaign_id=throttled.campaign_id, day=YESTERDAY, hour=hour,
                events=round(RATE[hour] * exposure),
            )
        )  # fmt: skip
    session.commit()
    tick(session, settings)
    learned = decision(session, throttled.campaign_id).profile
    assert learned is not None
    # Its deliveries were flat (3 x 0.25 against 1 x 1); the traffic was not.
    assert learned[14] / learned[8] == pytest.approx(3.0, rel=0.05)
    # The timezone's shape is the prior of a campaign without history.
    prior = decision(session, newcomer.campaign_id).profile
    assert prior is not None
    assert prior[14] / prior[8] == pytest.approx(3.0, rel=0.05)


def test_yesterdays_last_hour_counts_its_exposure_at_midnight(
    session: Session, settings: Settings
) -> None:
    tree = build_tree(session)
    last_minute = datetime(2026, 11, 20, 4, 59, tzinfo=UTC)  # 23:59 on the 19th, New York
    tick(session, settings, slot=(last_minute - timedelta(minutes=1)).timestamp())
    tick(session, settings, slot=last_minute.timestamp())
    held = decision(session, tree.campaign_id)
    assert (held.exposure_day, held.exposure_hour) == (YESTERDAY, 23)
    held.exposure_seconds = 3_600.0  # as if at full rate all hour
    for hour in range(24):  # flat traffic: one event per second at throttle 1
        if hour < 23:
            session.add(
                CampaignHourExposure(
                    campaign_id=tree.campaign_id, day=YESTERDAY, hour=hour,
                    throttle_seconds=3_600.0,
                )
            )  # fmt: skip
        session.add(
            CampaignHourTraffic(campaign_id=tree.campaign_id, day=YESTERDAY, hour=hour,
                                events=3_600)
        )  # fmt: skip
    session.commit()
    tick(session, settings, slot=(last_minute + timedelta(minutes=1)).timestamp())
    learned = decision(session, tree.campaign_id).profile
    assert learned is not None
    # Without the held hour, 23:00 would have 3,600 events and no exposure: a spike.
    assert learned[23] / learned[22] == pytest.approx(1.0, rel=0.05)


def test_a_campaign_without_history_is_paced_on_the_clock_of_the_regions_it_targets(
    session: Session, settings: Settings
) -> None:
    regional = settings.model_copy(
        update={"traffic_regions": "us=America/New_York:0.5,jp=Asia/Tokyo:0.2"}
    )
    tokyo_buyer = build_tree(session)
    ad_group = session.get(AdGroup, tokyo_buyer.ad_group_id)
    assert ad_group is not None
    ad_group.targeting = {"regions": ["jp"], "age": [18, 34]}
    archived = factories.ad_group(
        session, tokyo_buyer.campaign_id, name="Old", targeting={"regions": ["us"]}
    )
    archived.status = DeliveryStatus.ARCHIVED
    everywhere = build_tree(session)  # its ad group names no region: it buys both
    session.commit()
    tick(session, regional)
    day = date(2026, 11, 20)
    mix = targeting_profile(regional.regions, {"jp"}, NEW_YORK, day)
    both = targeting_profile(regional.regions, {"us", "jp"}, NEW_YORK, day)
    assert mix is not None
    assert both is not None
    learned = decision(session, tokyo_buyer.campaign_id).profile
    assert learned == pytest.approx(list(mix.weights))
    # 06:00 in New York is 20:00 in Tokyo, its evening peak.
    assert max(range(24), key=lambda h: (learned or [])[h]) == 6
    assert decision(session, everywhere.campaign_id).profile == pytest.approx(list(both.weights))


def test_without_regions_configured_a_new_campaign_keeps_the_default_shape(
    session: Session, settings: Settings
) -> None:
    tree = build_tree(session)
    ad_group = session.get(AdGroup, tree.ad_group_id)
    assert ad_group is not None
    ad_group.targeting = {"regions": ["jp"]}
    session.commit()
    tick(session, settings)
    assert decision(session, tree.campaign_id).profile is None
