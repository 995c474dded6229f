"""Pacing use cases: recompute a shard for a tick slot, and read decisions for the APIs.

`recompute_shard` is what the `pacing.recompute_shard` actor runs; `campaign_pacing`
and `advertiser_spend_today` are batched reads for GraphQL DataLoaders (one query each);
what the ad server polls is `ads.pacing.published`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Table, delete, func, select
from sqlalchemy.orm import Session

from ads.accounts.models import Advertiser
from ads.campaigns.budget_rules import BudgetRule, rule_for
from ads.campaigns.models import Campaign
from ads.campaigns.rules import BudgetType, CampaignStatus
from ads.config import Settings
from ads.db import upsert
from ads.ingestion.models import CampaignDaySpend
from ads.pacing.domain.controller import ControllerConfig, PacingController, PacingStatus
from ads.pacing.domain.exposure import Market, MarketPool, learned_profiles
from ads.pacing.domain.profile import TrafficProfile
from ads.pacing.domain.state import stored_last_tick
from ads.pacing.domain.targeting import targeted_regions, targeting_profile
from ads.pacing.experiments.service import ExperimentPlans, experiment_plans, record_ticks
from ads.pacing.models import AdGroupPacing, CampaignPacing, PacingShardRun
from ads.pacing.tick import store
from ads.pacing.tick.decide import (
    DayRefresh,
    ExposureStep,
    ShardDecider,
    ShardDecisions,
    ShardInputs,
)
from ads.pacing.tick.load import (
    ad_group_targeting,
    hourly_exposure,
    hourly_traffic,
    load_chunk,
    spend_by_day,
)
from ads.pacing.tick.pipeline import Pipeline
from ads.pacing.tick.store import write_decisions
from ads.time import local_day, utcnow, zone

CAMPAIGN_PACING: Table = CampaignPacing.__table__  # type: ignore[assignment]
AD_GROUP_PACING: Table = AdGroupPacing.__table__  # type: ignore[assignment]
SHARD_RUNS: Table = PacingShardRun.__table__  # type: ignore[assignment]
#: Starts of one shard's run before it gives way to the later ticks that keep superseding
#: it (each start skips what they decided, so more than a few means they are overtaking).
SUPERSEDED_STARTS = 3

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ShardResult:
    shard: int
    tick_at: datetime
    campaigns: int
    ad_groups: int
    duration_seconds: float


def slot_time(slot: float) -> datetime:
    """The tick's `now`: the scheduler's slot, so a redelivery decides the same thing."""
    return datetime.fromtimestamp(slot, UTC)


def recompute_shard(
    session: Session, *, slot: float, shard: int, shards: int, settings: Settings
) -> ShardResult:
    """Decide every campaign of the shard for this slot, all in one transaction.

    Campaigns whose stored decision is already for this slot (or a later one) are not
    loaded, so a duplicate or late message changes nothing; one that a later slot's tick
    decides while this one runs is not overwritten: the shard starts over without it
    (`store.SupersededTick`), and gives way to the later ticks, writing nothing, when
    they supersede it `SUPERSEDED_STARTS` times. The shard is read, decided and written
    chunk by chunk (`ads.pacing.tick.pipeline`), so its memory does not grow with its
    size. On any other error nothing of the shard is written and the actor's retry
    starts over.
    """
    assert 0 <= shard < shards
    started = time.perf_counter()
    tick_at = slot_time(slot)
    lag = max(0.0, (utcnow() - tick_at).total_seconds())
    threaded = session.connection().dialect.name == "postgresql"
    for _ in range(SUPERSEDED_STARTS):
        tick = _ShardTick(session, settings, tick_at=tick_at, shard=shard, shards=shards)
        try:
            Pipeline(tick.load, tick.decide, tick.write, threaded=threaded).run()
            break
        except store.SupersededTick:
            # Each start over finds fewer campaigns to decide: those a later tick
            # decided are not loaded again.
            session.rollback()
    else:
        # Later ticks keep deciding this shard's campaigns: this slot is past, and they
        # decide the rest. Nothing of it is written, the later run's record stands.
        log.warning(
            "pacing shard %d of slot %s gave way to later ticks after %d starts",
            shard, tick_at.isoformat(), SUPERSEDED_STARTS,
        )  # fmt: skip
        return ShardResult(shard, tick_at, 0, 0, time.perf_counter() - started)
    duration = time.perf_counter() - started
    upsert(
        session,
        SHARD_RUNS,
        ["shard"],
        [
            {
                "shard": shard,
                "shards": shards,
                "tick_at": tick_at,
                "finished_at": utcnow(),
                "duration_seconds": duration,
                "lag_seconds": lag,
                "campaigns": tick.campaigns,
            }
        ],
        older="tick_at",  # a late run of an earlier slot leaves the later one's record
    )
    # Records of shards beyond the count now in force are of an earlier count: they would
    # hold the change cursor (`ads.pacing.published`) and the shard metrics in the past.
    session.execute(delete(PacingShardRun).where(PacingShardRun.shard >= shards))
    session.commit()
    return ShardResult(shard, tick_at, tick.campaigns, tick.ad_groups, duration)


@dataclass
class _Loaded:
    """One chunk as loaded: its rows, its experiment arms, what its day change needs."""

    inputs: ShardInputs
    arms: ExperimentPlans
    history: _DayHistory

    @property
    def last_id(self) -> int:
        return int(self.inputs.campaigns[-1].id)


@dataclass
class _DayHistory:
    """Read once per local day per campaign: spend of earlier days, hourly history."""

    todays: dict[int, date] = field(default_factory=dict)
    zones: dict[int, str] = field(default_factory=dict)
    targeting: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    steps: dict[int, ExposureStep] = field(default_factory=dict)
    spent_before: dict[int, int] = field(default_factory=dict)
    lifetime: list[int] = field(default_factory=list)
    counts: dict[int, list[float]] = field(default_factory=dict)
    exposure: dict[int, list[float]] = field(default_factory=dict)


class _ShardTick:
    """The steps of one shard's tick: `load` and `write` touch the database (on the
    pipeline's database thread), `decide` does not."""

    def __init__(
        self, session: Session, settings: Settings, *, tick_at: datetime, shard: int, shards: int
    ) -> None:
        self.session, self.settings = session, settings
        self.tick_at, self.shard, self.shards = tick_at, shard, shards
        self.controller = PacingController(
            ControllerConfig(tick_seconds=settings.pacing_tick_seconds)
        )
        self.pool: MarketPool = {}
        self.regions = settings.regions
        self.mixes: dict[tuple[str, frozenset[str], date], TrafficProfile | None] = {}
        self.campaigns = self.ad_groups = 0

    def _decider(self, plans: Any = None) -> ShardDecider:
        return ShardDecider(
            self.controller,
            tick_at=self.tick_at,
            horizon=self.settings.refresh_horizon_seconds,
            poll=self.settings.pacing_poll_seconds,
            plans=plans,
        )

    def load(self, after: int | None) -> _Loaded | None:
        inputs = load_chunk(
            self.session,
            shard=self.shard,
            shards=self.shards,
            tick_at=self.tick_at,
            after=after,
            size=store.CHUNK,
        )
        if not inputs.campaigns:
            return None
        # A running pacing experiment paces each campaign with its arm's strategy.
        ids = [row.id for row in inputs.campaigns]
        arms = experiment_plans(
            self.session, ids, at=self.tick_at, tick_seconds=self.settings.pacing_tick_seconds
        )
        return _Loaded(inputs, arms, self._day_history(inputs))

    def decide(self, loaded: _Loaded) -> ShardDecisions:
        return self._decider(loaded.arms.plans).decide(
            loaded.inputs, self._day_refresh(loaded.history)
        )

    def write(self, loaded: _Loaded, decisions: ShardDecisions) -> None:
        write_decisions(self.session, decisions)
        record_ticks(self.session, loaded.arms, decisions.campaigns)
        self.campaigns += len(decisions.campaigns)
        self.ad_groups += len(decisions.ad_groups)

    def _day_history(self, inputs: ShardInputs) -> _DayHistory:
        """What the chunk's campaigns changing local day in this tick need from history.

        Yesterday's last hour is still in the campaign's row, not in the history table
        (this very tick hands it over): its exposure step is worked out here, to add that
        hour to the profile, and handed to the tick to reuse.
        """
        history = _DayHistory()
        decider = self._decider()
        for row in inputs.campaigns:
            today = decider.today(row.timezone)[1]
            if row.pacing_day != today:
                history.todays[row.id] = today
                history.zones[row.id] = row.timezone
                history.steps[row.id] = decider.exposure(
                    row, stored_last_tick(row.controller_state)
                )
                if row.budget_type is BudgetType.LIFETIME:
                    history.lifetime.append(row.id)
        if not history.todays:
            return history
        history.spent_before = {
            cid: sum(micros for day, micros in days if day < history.todays[cid])
            for cid, days in spend_by_day(self.session, history.lifetime).items()
        }
        earliest = min(history.todays.values())
        ids = sorted(history.todays)
        history.counts = hourly_traffic(self.session, ids, before=earliest)
        history.exposure = hourly_exposure(self.session, ids, before=earliest)
        if self.regions:
            history.targeting = ad_group_targeting(self.session, ids)
        return history

    def _day_refresh(self, history: _DayHistory) -> DayRefresh:
        """Once per local day per campaign: LIFETIME spend of earlier days, traffic shape.

        The shape is learned from delivered events per local hour divided by the
        throttle-seconds in force then (`ads.pacing.domain.exposure.learned_profiles`): the
        traffic the campaign could have bought, not what its throttle and budget let it
        buy. The campaigns of each timezone changing day in this tick pool their shapes
        into the prior for each other and for those without history (through `self.pool`,
        across the shard's chunks); a campaign's market is its timezone and the regions it
        targets, whose mix is the prior where the market has no history yet.
        """
        if not history.todays:
            return DayRefresh({}, {})
        exposure = history.exposure
        for cid, step in history.steps.items():
            for hour in step:
                if hour is not None and hour.day < history.todays[cid]:
                    exposure.setdefault(cid, [0.0] * 24)[hour.hour] += hour.seconds
        markets, mixes = self._markets(history)
        profiles = learned_profiles(
            markets, history.counts, exposure, pool=self.pool, targeting=mixes
        )
        spent = {cid: history.spent_before.get(cid, 0) for cid in history.lifetime}
        return DayRefresh(spent, profiles, history.steps)

    def _markets(self, history: _DayHistory) -> tuple[dict[int, Market], dict[int, TrafficProfile]]:
        """Each campaign's market, and its regions' mix for the local day it starts."""
        markets: dict[int, Market] = {}
        mixes: dict[int, TrafficProfile] = {}
        for cid, tz in history.zones.items():
            if not self.regions:
                markets[cid] = (tz, frozenset())
                continue
            targeted = targeted_regions(history.targeting.get(cid, ()), self.regions)
            markets[cid] = (tz, targeted)
            # A timezone's campaigns change day together: one mix per market and day.
            key = (tz, targeted, history.todays[cid])
            if key not in self.mixes:
                self.mixes[key] = targeting_profile(self.regions, targeted, zone(tz), key[2])
            mix = self.mixes[key]
            if mix is not None:
                mixes[cid] = mix
        return markets, mixes


# --- reads ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PacingView:
    """A campaign's pacing as of its last tick, for the admin API."""

    campaign_id: int
    status: PacingStatus
    throttle: float
    day: date
    day_budget_micros: int
    spent_today_micros: int
    target_spend_micros: int
    remaining_micros: int
    updated_at: datetime
    rule: BudgetRule
    #: The published bid cap (largest single charge until the next refresh); None: uncapped.
    max_charge_micros: int | None = None


@dataclass(frozen=True)
class UndecidedPacing:
    """The pacing of a campaign no tick has decided yet: NOT_YET_COMPUTED, throttle 0."""

    campaign_id: int
    rule: BudgetRule
    reason: str
    status: PacingStatus = PacingStatus.NOT_YET_COMPUTED
    throttle: float = 0.0
    day: date | None = None
    day_budget_micros: int | None = None
    spent_today_micros: int | None = None
    target_spend_micros: int | None = None
    remaining_micros: int | None = None
    updated_at: datetime | None = None
    max_charge_micros: int | None = None


#: Why a campaign has no decision yet, by its status (the tick paces ACTIVE and PAUSED ones).
UNDECIDED_REASONS = {
    CampaignStatus.ACTIVE: "the campaign can deliver, but its first pacing decision comes "
    "with the next pacing tick (every ADS_PACING_TICK_SECONDS): do not serve it until then",
    CampaignStatus.PAUSED: "paused before any pacing tick: its first decision comes with "
    "the next one",
    CampaignStatus.DRAFT: "a DRAFT campaign is not paced: activate it to have it decided",
    CampaignStatus.ARCHIVED: "an archived campaign is never paced",
}


def undecided_pacing(
    campaign_id: int, status: CampaignStatus, budget_type: BudgetType
) -> UndecidedPacing:
    return UndecidedPacing(campaign_id, rule_for(budget_type), UNDECIDED_REASONS[status])


def campaign_pacing(session: Session, campaign_ids: Collection[int]) -> dict[int, PacingView]:
    """Pacing of each campaign that has a decision yet (absent: never ticked); one query."""
    if not campaign_ids:
        return {}
    rows = session.execute(
        select(CampaignPacing, Campaign.budget_type)
        .join(Campaign, Campaign.id == CampaignPacing.campaign_id)
        .where(CampaignPacing.campaign_id.in_(sorted(campaign_ids)))
    ).all()
    return {
        p.campaign_id: PacingView(
            campaign_id=p.campaign_id,
            status=p.status,
            throttle=p.throttle,
            day=p.day,
            day_budget_micros=p.day_budget_micros,
            spent_today_micros=p.spent_today_micros,
            target_spend_micros=p.target_spend_micros,
            remaining_micros=p.remaining_micros,
            updated_at=p.tick_at,
            rule=rule_for(budget_type),
            max_charge_micros=p.max_charge_micros,
        )
        for p, budget_type in rows
    }


def advertiser_spend_today(
    session: Session, advertiser_ids: Collection[int], *, now: datetime | None = None
) -> dict[int, int]:
    """Each advertiser's spend so far on its own local day, live from the counters.

    One query: the counters of the three UTC-adjacent dates, joined with the advertiser's
    timezone; the right date is picked per advertiser. Unknown ids are left out.
    """
    if not advertiser_ids:
        return {}
    moment = now or utcnow()
    utc_day = moment.astimezone(UTC).date()
    days = [utc_day - timedelta(days=1), utc_day, utc_day + timedelta(days=1)]
    ids = sorted(advertiser_ids)
    rows = session.execute(
        select(
            Advertiser.id,
            Advertiser.timezone,
            CampaignDaySpend.day,
            func.sum(CampaignDaySpend.spend_micros),
        )
        .outerjoin(
            CampaignDaySpend,
            (CampaignDaySpend.advertiser_id == Advertiser.id) & CampaignDaySpend.day.in_(days),
        )
        .where(Advertiser.id.in_(ids))
        .group_by(Advertiser.id, Advertiser.timezone, CampaignDaySpend.day)
    ).all()
    spend: dict[int, int] = {}
    for advertiser_id, tz, day, micros in rows:
        spend.setdefault(advertiser_id, 0)
        if day is not None and day == local_day(moment, zone(tz)):
            spend[advertiser_id] += int(micros or 0)
    return spend
