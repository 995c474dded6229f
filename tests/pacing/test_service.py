"""The pacing service against a real database: decisions, idempotency, caps, reads."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ads.campaigns.models import Campaign
from ads.campaigns.rules import BudgetType, CampaignStatus, DeliveryStatus, PacingMode
from ads.config import Settings
from ads.ingestion.service import record_events
from ads.pacing.domain.controller import PacingStatus
from ads.pacing.models import AdGroupPacing, CampaignPacing
from ads.pacing.published import published_decisions
from ads.pacing.service import (
    advertiser_spend_today,
    campaign_pacing,
    recompute_shard,
)
from tests import factories
from tests.ingestion.fixtures import build_tree, event

NOW = datetime(2026, 11, 20, 17, 0, tzinfo=UTC)  # noon in New York
SLOT = NOW.timestamp()


def tick(session: Session, settings: Settings, slot: float = SLOT, shards: int = 1) -> int:
    done = 0
    for shard in range(shards):
        done += recompute_shard(
            session, slot=slot, shard=shard, shards=shards, settings=settings
        ).campaigns
    return done


def decision(session: Session, campaign_id: int) -> CampaignPacing:
    session.expire_all()
    found = session.get(CampaignPacing, campaign_id)
    assert found is not None
    return found


def spend(session: Session, ad_id: int, micros: int, prefix: str = "s") -> None:
    record_events(
        session,
        [
            event(
                f"{prefix}-{ad_id}-{micros}",
                ad_id,
                costMicros=micros,
                occurredAt="2026-11-20T16:00:00Z",
            )
        ],
        now=NOW,
    )


def test_a_live_campaign_gets_a_rate_in_0_1_and_version_1(
    session: Session, settings: Settings
) -> None:
    tree = build_tree(session)
    assert tick(session, settings) == 1
    found = decision(session, tree.campaign_id)
    assert 0 <= found.throttle <= 1
    assert found.status in (PacingStatus.PACING, PacingStatus.LIMITED_BY_BUDGET)
    assert found.version == 1
    assert found.day.isoformat() == "2026-11-20"
    assert found.ad_group_throttles == {str(tree.ad_group_id): found.throttle}
    assert found.target_spend_micros > 0  # noon: part of the curve has passed


def test_the_same_slot_twice_changes_nothing(session: Session, settings: Settings) -> None:
    tree = build_tree(session)
    tick(session, settings)
    first = decision(session, tree.campaign_id)
    snapshot = (first.controller_state, first.version, first.tick_at, first.throttle)
    assert tick(session, settings) == 0
    again = decision(session, tree.campaign_id)
    assert (again.controller_state, again.version, again.tick_at, again.throttle) == snapshot


def test_an_older_slot_after_a_newer_one_changes_nothing(
    session: Session, settings: Settings
) -> None:
    tree = build_tree(session)
    tick(session, settings, slot=SLOT + 60)
    assert tick(session, settings, slot=SLOT) == 0
    assert decision(session, tree.campaign_id).tick_at == NOW + timedelta(seconds=60)


def test_paused_and_archived_campaigns_get_zero(session: Session, settings: Settings) -> None:
    paused = build_tree(session, status=CampaignStatus.PAUSED)
    live = build_tree(session)
    tick(session, settings)
    assert (
        decision(session, paused.campaign_id).status,
        decision(session, paused.campaign_id).throttle,
    ) == (PacingStatus.PAUSED, 0.0)
    campaign = session.get(Campaign, live.campaign_id)
    assert campaign is not None
    campaign.status = CampaignStatus.ARCHIVED
    session.commit()
    tick(session, settings, slot=SLOT + 60)
    archived = decision(session, live.campaign_id)
    assert (archived.status, archived.throttle, archived.version) == (PacingStatus.PAUSED, 0.0, 2)
    assert archived.computed_at == NOW + timedelta(seconds=60)


def test_the_version_stays_while_nothing_published_changes(
    session: Session, settings: Settings
) -> None:
    tree = build_tree(session, status=CampaignStatus.PAUSED)
    tick(session, settings)
    tick(session, settings, slot=SLOT + 60)
    found = decision(session, tree.campaign_id)
    assert (found.version, found.computed_at, found.tick_at) == (
        1,
        NOW,
        NOW + timedelta(seconds=60),
    )


def test_a_spent_budget_is_exhausted(session: Session, settings: Settings) -> None:
    tree = build_tree(session, budget_micros=10_000_000)
    spend(session, tree.ad_id, 10_000_000)
    tick(session, settings)
    found = decision(session, tree.campaign_id)
    assert (found.status, found.throttle, found.remaining_micros) == (
        PacingStatus.EXHAUSTED,
        0.0,
        0,
    )
    assert found.spent_today_micros == 10_000_000


def test_not_started_and_ended_schedules(session: Session, settings: Settings) -> None:
    future = build_tree(session, start_at=NOW + timedelta(days=2))
    over = build_tree(session, start_at=NOW - timedelta(days=9), end_at=NOW - timedelta(days=1))
    tick(session, settings)
    assert decision(session, future.campaign_id).status is PacingStatus.NOT_STARTED
    assert decision(session, over.campaign_id).status is PacingStatus.ENDED


def test_accelerated_campaigns_run_at_full_rate(session: Session, settings: Settings) -> None:
    tree = build_tree(session, pacing_mode=PacingMode.ACCELERATED)
    tick(session, settings)
    assert decision(session, tree.campaign_id).throttle == 1.0


def test_a_capped_ad_group_is_held_by_its_own_cap(session: Session, settings: Settings) -> None:
    tree = build_tree(session, pacing_mode=PacingMode.ACCELERATED)
    capped = factories.ad_group(
        session, tree.campaign_id, name="Capped", budget_cap_micros=1_000_000
    )
    paused = factories.ad_group(session, tree.campaign_id, name="Off", status=DeliveryStatus.PAUSED)
    capped_ad = factories.ad(session, capped.id)
    spend(session, capped_ad.id, 1_000_000)
    tick(session, settings)
    found = decision(session, tree.campaign_id)
    assert found.ad_group_throttles == {
        str(tree.ad_group_id): 1.0,
        str(capped.id): 0.0,
        str(paused.id): 0.0,
    }
    group = session.get(AdGroupPacing, capped.id)
    assert group is not None
    assert group.status is PacingStatus.EXHAUSTED


def test_a_lifetime_budget_spreads_what_is_left_over_the_days_left(
    session: Session, settings: Settings
) -> None:
    start = datetime(2026, 11, 16, 5, 0, tzinfo=UTC)  # local midnight, Nov 16
    tree = build_tree(
        session, budget_type=BudgetType.LIFETIME, budget_micros=100_000_000,
        start_at=start, end_at=start + timedelta(days=10),
    )  # fmt: skip
    record_events(
        session,
        [event("old", tree.ad_id, costMicros=20_000_000, occurredAt="2026-11-17T16:00:00Z")],
        now=NOW,
    )
    tick(session, settings)
    found = decision(session, tree.campaign_id)
    # 80 left over Nov 20..25: 6 days.
    assert found.spent_before_today_micros == 20_000_000
    assert found.day_budget_micros == 80_000_000 // 6


def test_shards_split_campaigns_by_id(session: Session, settings: Settings) -> None:
    trees = [build_tree(session) for _ in range(5)]
    recompute_shard(session, slot=SLOT, shard=1, shards=2, settings=settings)
    session.expire_all()
    done = {row for row in session.scalars(select(CampaignPacing.campaign_id))}
    assert done == {t.campaign_id for t in trees if t.campaign_id % 2 == 1}


def test_reads_for_graphql_are_batched(session: Session, settings: Settings) -> None:
    tree = build_tree(session)
    other = build_tree(session)
    spend(session, tree.ad_id, 3_000_000)
    tick(session, settings)
    views = campaign_pacing(session, [tree.campaign_id, other.campaign_id, 999])
    assert set(views) == {tree.campaign_id, other.campaign_id}
    view = views[tree.campaign_id]
    assert view.spent_today_micros == 3_000_000
    assert view.remaining_micros == 97_000_000
    assert view.rule.delivered_overdelivery_fraction == 0.01
    spent = advertiser_spend_today(session, [tree.advertiser_id, other.advertiser_id], now=NOW)
    assert spent == {tree.advertiser_id: 3_000_000, other.advertiser_id: 0}
    # Nov 21 02:00Z is still Nov 20 in New York; Nov 21 06:00Z is not.
    later = advertiser_spend_today(session, [tree.advertiser_id], now=NOW + timedelta(hours=13))
    assert later == {tree.advertiser_id: 0}


def test_published_decisions_carry_a_stable_etag(session: Session, settings: Settings) -> None:
    build_tree(session, status=CampaignStatus.PAUSED)
    tick(session, settings)
    first = published_decisions(session)
    assert first.campaigns is not None
    assert len(first.campaigns) == 1
    tick(session, settings, slot=SLOT + 60)
    assert published_decisions(session, if_none_match=first.etag).campaigns is None
