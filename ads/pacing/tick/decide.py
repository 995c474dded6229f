"""Turn one shard's loaded rows into decision rows: the controller wired to stored state.

No I/O: `ads.pacing.service` loads the rows, calls `decide_shard`, writes what it returns.
Time is the tick's slot, never the wall clock, so a recomputation of the same slot from
the same rows gives the same rows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from ads.accounts.rules import AdvertiserStatus
from ads.campaigns.budget_rules import rule_for
from ads.campaigns.rules import BudgetType, CampaignStatus, DeliveryStatus
from ads.pacing.domain.budget import (
    flight_days_remaining,
    lifetime_daily_allowance,
    single_charge_micros,
)
from ads.pacing.domain.controller import PacingController, TickInput, effective_throttle
from ads.pacing.domain.exposure import HourExposure, advance
from ads.pacing.domain.precision import published_rate
from ads.pacing.domain.profile import DEFAULT_DIURNAL, TrafficProfile
from ads.pacing.domain.state import ControllerState
from ads.time import day_bounds, local_day, zone


@dataclass
class ShardInputs:
    """One shard's rows as `ads.pacing.tick.load` reads them (plain row tuples)."""

    campaigns: Sequence[Any]  # rows of the campaign query (see load_shard)
    ad_groups: dict[int, list[Any]]  # campaign id -> its ad groups not archived
    ad_group_states: dict[int, Any]  # ad group id -> its stored pacing
    campaign_spend: dict[tuple[int, date], int]
    ad_group_spend: dict[tuple[int, date], int]


@dataclass
class ShardDecisions:
    campaigns: list[dict[str, Any]] = field(default_factory=list)
    ad_groups: list[dict[str, Any]] = field(default_factory=list)
    #: Finished local hours of exposure (`campaign_hour_exposure` rows to add).
    exposures: list[dict[str, Any]] = field(default_factory=list)


#: How one campaign is paced when a pacing experiment says otherwise than the default:
#: its arm's controller, and the profile it tracks (None: its own learned profile).
CampaignPlan = tuple[PacingController, TrafficProfile | None]


#: A campaign's hour of exposure in progress, and a finished one to store (or None).
ExposureStep = tuple[HourExposure | None, HourExposure | None]


@dataclass(frozen=True)
class DayRefresh:
    """What is recomputed once per local day: LIFETIME spend before today, traffic shape.

    `exposures` holds the exposure step of each campaign changing day, already worked
    out to hand yesterday's last hour to its profile; the tick reuses it.
    """

    spent_before_today: dict[int, int]
    profiles: dict[int, list[float] | None]
    exposures: dict[int, ExposureStep] = field(default_factory=dict)


class ShardDecider:
    """Decides every campaign (and capped ad group) of a shard for one tick slot."""

    def __init__(
        self,
        controller: PacingController,
        *,
        tick_at: datetime,
        horizon: float,
        poll: float | None = None,
        plans: Mapping[int, CampaignPlan] | None = None,
    ):
        self.controller = controller
        self.tick_at = tick_at
        self.horizon = horizon
        self.poll = poll
        #: Campaign id -> its experiment arm's plan (ads.experiments); others: the default.
        self.plans = plans or {}
        self._today: dict[str, tuple[ZoneInfo, date, datetime, datetime]] = {}

    def today(self, tz_name: str) -> tuple[ZoneInfo, date, datetime, datetime]:
        """The zone, local day and the day's UTC bounds at the tick (once per zone)."""
        found = self._today.get(tz_name)
        if found is None:
            tz = zone(tz_name)
            day = local_day(self.tick_at, tz)
            found = self._today[tz_name] = (tz, day, *day_bounds(day, tz))
        return found

    def exposure(self, row: Any, last_tick: datetime | None) -> ExposureStep:
        """The campaign's hour of exposure in progress and a finished one, if any, after
        counting the rate published at the last tick (`last_tick`), in force until now."""
        return advance(
            _held_exposure(row),
            last_tick=last_tick,
            throttle=row.throttle or 0.0,
            now=self.tick_at,
            tz=self.today(row.timezone)[0],
        )

    def decide(self, inputs: ShardInputs, refresh: DayRefresh) -> ShardDecisions:
        out = ShardDecisions()
        for row in inputs.campaigns:
            self._campaign(row, inputs, refresh, out)
        return out

    def _campaign(
        self, row: Any, inputs: ShardInputs, refresh: DayRefresh, out: ShardDecisions
    ) -> None:
        tz, today, day_start, day_end = self.today(row.timezone)
        new_day = row.pacing_day != today
        spent = inputs.campaign_spend.get((row.id, today), 0)
        before = refresh.spent_before_today.get(row.id, row.spent_before_today_micros or 0)
        profile_weights = refresh.profiles.get(row.id, row.profile)
        profile = DEFAULT_DIURNAL if profile_weights is None else TrafficProfile(profile_weights)
        controller, fixed_profile = self.plans.get(row.id, (self.controller, None))
        profile = fixed_profile or profile
        active = (
            row.campaign_status is CampaignStatus.ACTIVE
            and row.advertiser_status is AdvertiserStatus.ACTIVE
        )
        common = {
            "now": self.tick_at,
            "day_start": day_start,
            "day_end": day_end,
            "tz": tz,
            "mode": row.pacing_mode,
            "profile": profile,
            "refresh_horizon_seconds": self.horizon,
            "poll_seconds": self.poll,
            "started": self.tick_at >= row.start_at,
            "ended": row.end_at is not None and self.tick_at >= row.end_at,
        }
        budget = self._day_budget(row, today, before, tz)
        serving = [g for g in inputs.ad_groups.get(row.id, []) if g.status is DeliveryStatus.ACTIVE]
        state = _state(row.controller_state)
        rule = rule_for(row.budget_type)
        decision = controller.tick(
            state,
            TickInput(
                day_budget_micros=budget,
                spent_today_micros=spent,
                spend_since_last_tick_micros=_since(new_day, spent, row.spent_today_micros),
                rule=rule,
                active=active,
                max_charge_micros=max(map(_max_charge, serving), default=0),
                cap_held=True,
                **common,
            ),
        )
        throttle = published_rate(decision.throttle)
        groups: dict[str, float] = {}
        for group in inputs.ad_groups.get(row.id, []):
            rate = throttle if group.status is DeliveryStatus.ACTIVE else 0.0
            if group.budget_cap_micros is not None:
                rate = self._ad_group(
                    group, inputs, today, throttle, active, common, out, controller
                )
            groups[str(group.id)] = rate
        step = refresh.exposures.get(row.id)
        if step is None:
            step = self.exposure(row, None if state is None else state.last_tick)
        exposure, finished = step
        if finished is not None and finished.seconds > 0:
            out.exposures.append(
                {
                    "campaign_id": row.id,
                    "day": finished.day,
                    "hour": finished.hour,
                    "throttle_seconds": finished.seconds,
                }
            )
        bid_cap = decision.max_charge_micros
        headroom = rule.headroom_micros(budget, spent)
        publish = (decision.status, throttle, groups, bid_cap, headroom, day_end)
        changed = row.version is None or publish != (
            row.pacing_status,
            row.throttle,
            row.ad_group_throttles,
            row.max_charge_micros,
            row.headroom_micros,
            row.headroom_until,
        )
        out.campaigns.append(
            {
                "campaign_id": row.id,
                "advertiser_id": row.advertiser_id,
                "day": today,
                "status": decision.status,
                "throttle": throttle,
                "ad_group_throttles": groups,
                "max_charge_micros": bid_cap,
                "headroom_micros": headroom,
                "headroom_until": day_end,
                "day_budget_micros": budget,
                "spent_today_micros": spent,
                "target_spend_micros": decision.target_spend_micros,
                "remaining_micros": decision.remaining_micros,
                "spent_before_today_micros": before,
                "profile": profile_weights,
                "controller_state": decision.state.to_dict(),
                "exposure_day": None if exposure is None else exposure.day,
                "exposure_hour": None if exposure is None else exposure.hour,
                "exposure_seconds": None if exposure is None else exposure.seconds,
                "tick_at": self.tick_at,
                "version": 1 if row.version is None else row.version + int(changed),
                "computed_at": self.tick_at if changed else row.computed_at,
            }
        )

    def _ad_group(
        self,
        group: Any,
        inputs: ShardInputs,
        today: date,
        campaign_throttle: float,
        campaign_active: bool,
        common: dict[str, Any],
        out: ShardDecisions,
        controller: PacingController,
    ) -> float:
        """Pace an ad group's own daily cap; return the rate the ad server applies."""
        stored = inputs.ad_group_states.get(group.id)
        spent = inputs.ad_group_spend.get((group.id, today), 0)
        new_day = stored is None or stored.day != today
        previous = None if stored is None else stored.spent_today_micros
        decision = controller.tick(
            None if stored is None else _state(stored.controller_state),
            TickInput(
                day_budget_micros=group.budget_cap_micros,
                spent_today_micros=spent,
                spend_since_last_tick_micros=_since(new_day, spent, previous),
                rule=rule_for(BudgetType.DAILY),
                active=campaign_active and group.status is DeliveryStatus.ACTIVE,
                max_charge_micros=_max_charge(group),
                # The bid cap is published per campaign only: an ad group's own cap
                # keeps the stop before one charge at its full bid could cross it.
                bid_capping=False,
                **common,
            ),
        )
        applied = effective_throttle(campaign_throttle, published_rate(decision.throttle))
        out.ad_groups.append(
            {
                "ad_group_id": group.id,
                "campaign_id": group.campaign_id,
                "day": today,
                "status": decision.status,
                "throttle": published_rate(decision.throttle),
                "day_budget_micros": group.budget_cap_micros,
                "spent_today_micros": spent,
                "target_spend_micros": decision.target_spend_micros,
                "remaining_micros": decision.remaining_micros,
                # Learn traffic per unit of the rate really in force (see effective_throttle).
                "controller_state": decision.state.with_applied_throttle(applied).to_dict(),
                "tick_at": self.tick_at,
            }
        )
        return applied

    def _day_budget(self, row: Any, today: date, before: int, tz: ZoneInfo) -> int:
        if row.budget_type is BudgetType.DAILY:
            return int(row.budget_micros)
        last_day = local_day(row.end_at - timedelta(microseconds=1), tz)
        first_day = max(today, local_day(row.start_at, tz))
        days = flight_days_remaining(first_day, last_day)
        return lifetime_daily_allowance(row.budget_micros, before, days)


def _max_charge(group: Any) -> int:
    """The largest single charge of one of the shard's ad group rows."""
    return single_charge_micros(group.bid_micros, group.billing_event)


def _held_exposure(row: Any) -> HourExposure | None:
    """The hour of exposure the campaign's stored decision was summing, if any."""
    if row.exposure_day is None or row.exposure_hour is None:
        return None
    return HourExposure(row.exposure_day, row.exposure_hour, row.exposure_seconds or 0.0)


def _state(data: dict[str, Any] | None) -> ControllerState | None:
    return None if data is None else ControllerState.from_dict(data)


def _since(new_day: bool, spent: int, previous: int | None) -> int:
    """Spend reported since the last tick (a new day starts from zero)."""
    if new_day or previous is None:
        return spent
    return max(0, spent - previous)
