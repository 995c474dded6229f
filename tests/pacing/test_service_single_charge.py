"""The pacing service feeds the controller each campaign's largest single charge."""

from __future__ import annotations

from sqlalchemy.orm import Session

from ads.campaigns.rules import BillingEvent, DeliveryStatus
from ads.config import Settings
from ads.pacing.domain.controller import PacingStatus
from tests import factories
from tests.ingestion.fixtures import build_tree

from .test_service import decision, spend, tick

CLICK_BID = 5_000_000  # 5% of the 100-unit budget


def test_a_cpc_campaign_keeps_serving_with_a_bid_cap_when_one_click_could_cross_the_cap(
    session: Session, settings: Settings
) -> None:
    # (Was: the campaign stops.) The decision publishes a bid cap within the headroom.
    tree = build_tree(session)
    factories.ad_group(
        session, tree.campaign_id, name="Clicks", bid_micros=CLICK_BID,
        billing_event=BillingEvent.CLICK,
    )  # fmt: skip
    spend(session, tree.ad_id, 97_000_000)  # cap 101: 4 units left, less than one click
    tick(session, settings)
    found = decision(session, tree.campaign_id)
    assert found.status is not PacingStatus.EXHAUSTED
    assert found.throttle > 0.0
    assert found.max_charge_micros is not None
    assert 1 <= found.max_charge_micros <= 4_000_000


def test_an_uncapped_campaign_publishes_no_bid_cap(session: Session, settings: Settings) -> None:
    tree = build_tree(session)  # CPM: one impression costs 2,500 micros
    tick(session, settings)
    assert decision(session, tree.campaign_id).max_charge_micros is None


def test_paused_ad_groups_bids_do_not_stop_the_campaign(
    session: Session, settings: Settings
) -> None:
    tree = build_tree(session)  # its CPM ad group: one impression costs 2,500 micros
    factories.ad_group(
        session, tree.campaign_id, name="Paused clicks", bid_micros=CLICK_BID,
        billing_event=BillingEvent.CLICK, status=DeliveryStatus.PAUSED,
    )  # fmt: skip
    spend(session, tree.ad_id, 97_000_000)
    tick(session, settings)
    assert decision(session, tree.campaign_id).status is not PacingStatus.EXHAUSTED


def test_a_capped_ad_group_stops_on_its_own_bid(session: Session, settings: Settings) -> None:
    tree = build_tree(session)
    group = factories.ad_group(
        session, tree.campaign_id, name="Capped clicks", bid_micros=CLICK_BID,
        billing_event=BillingEvent.CLICK, budget_cap_micros=4_900_000,  # cap 4.949
    )  # fmt: skip
    tick(session, settings)
    found = decision(session, tree.campaign_id)
    assert found.ad_group_throttles[str(group.id)] == 0.0
    assert found.ad_group_throttles[str(tree.ad_group_id)] == found.throttle
