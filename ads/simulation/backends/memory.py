"""The pacing side of the simulated market: spend counters fed by late events, a strategy per tick.

`InMemoryPacing` is what the pure simulator runs; `ads.simulation.backends.real_stack.RealStack`
implements the same `PacingBackend` interface over the real ingestion, pacing and
billing services on a database.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from ads.campaigns.budget_rules import BudgetRule
from ads.pacing.domain.budget import (
    flight_days_remaining,
    lifetime_daily_allowance,
    single_charge_micros,
)
from ads.simulation.market.book import SimCampaign
from ads.simulation.strategies.base import Observation, Strategy


@dataclass(frozen=True, slots=True)
class SpendEvent:
    """Delivery of one ad group in one minute, as one (aggregated) event batch.

    `day` is the campaign's simulated day it belongs to (by when it happened), `minute`
    the simulation minute it happened in.
    """

    campaign: int
    ad_group: int
    day: int
    minute: int
    impressions: int
    clicks: int
    cost_micros: int


@dataclass(frozen=True, slots=True)
class Headroom:
    """The most a campaign may still spend on one of its days, as of a tick.

    `micros` is the hard cap less the spend reported by `as_of`; the ad server
    subtracts what it has spent since that reached ingestion, and never bids above what
    is left (a second-price charge is at most the bid), so the hard cap holds whatever
    traffic does before the next decision.
    """

    day: int
    micros: int
    as_of: datetime


class PacingBackend(Protocol):
    """Receives events as they arrive and publishes throttles (and bid caps) at each tick.

    A backend may also say its strategy's lowest rate while budget remains
    (`floor_rate`, for the share of minutes at the floor); without it, none is counted.
    """

    def ingest(self, now: datetime, events: Sequence[SpendEvent]) -> None: ...

    def tick(self, now: datetime) -> dict[int, float]: ...

    def bid_caps(self) -> dict[int, int]:
        """The bid caps published with the last tick: campaign key -> the largest single
        charge it may incur (its currency's micros); a campaign absent is uncapped."""
        ...

    def day_budget(self, key: int, day: int) -> int: ...

    def headrooms(self) -> dict[int, Headroom]:
        """The headrooms published with the last tick, by campaign key."""
        ...


class InMemoryPacing:
    """Reported spend per campaign and day, and a strategy deciding every tick.

    `refresh_horizon_seconds` is the event delay plus the ad server's polling period:
    what a deployment would configure for the production controller.
    """

    def __init__(
        self,
        book: list[SimCampaign],
        strategy: Strategy,
        *,
        refresh_horizon_seconds: float,
        poll_seconds: float | None = None,
        rule: BudgetRule | None = None,
    ) -> None:
        self.book = book
        self.rule = rule or BudgetRule()
        self.rooms: dict[int, Headroom] = {}
        self.strategy = strategy
        self.floor_rate: float | None = getattr(strategy, "floor_rate", None)
        self.horizon = refresh_horizon_seconds
        self.poll = poll_seconds
        self.reported: dict[tuple[int, int], int] = defaultdict(int)
        self.since_last: dict[int, int] = defaultdict(int)
        self.budgets: dict[tuple[int, int], int] = {}
        self.caps: dict[int, int] = {}
        self.max_charge = {
            c.key: max((single_charge_micros(g.bid_micros, g.billing) for g in c.ad_groups),
                       default=0)
            for c in book
        }  # fmt: skip

    def ingest(self, now: datetime, events: Sequence[SpendEvent]) -> None:
        for event in events:
            self.reported[event.campaign, event.day] += event.cost_micros
            self.since_last[event.campaign] += event.cost_micros

    def day_budget(self, key: int, day: int) -> int:
        """The daily budget, or today's allowance of a LIFETIME budget (fixed at first use)."""
        if (key, day) not in self.budgets:
            campaign = self.book[key]
            budget = campaign.spec.budget_micros
            if campaign.lifetime:
                before = sum(self.reported[key, d] for d in range(day))
                left = flight_days_remaining(
                    campaign.days[day].local_date, campaign.flight_last_day
                )
                budget = lifetime_daily_allowance(budget, before, left)
            self.budgets[key, day] = budget
        return self.budgets[key, day]

    def bid_caps(self) -> dict[int, int]:
        return self.caps

    def headrooms(self) -> dict[int, Headroom]:
        return self.rooms

    def tick(self, now: datetime) -> dict[int, float]:
        throttles: dict[int, float] = {}
        self.caps = {}
        self.rooms = {}
        bid_cap = getattr(self.strategy, "bid_cap", None)
        for campaign in self.book:
            key = campaign.key
            day = campaign.day_index(now)
            if day is None:
                throttles[key] = 0.0
                continue
            window = campaign.days[day]
            budget = self.day_budget(key, day)
            reported = self.reported[key, day]
            obs = Observation(
                now=now,
                day_start=window.start,
                day_end=window.end,
                tz=campaign.tz,
                day_budget_micros=budget,
                reported_today_micros=reported,
                reported_since_last_tick_micros=self.since_last.pop(key, 0),
                refresh_horizon_seconds=self.horizon,
                poll_seconds=self.poll,
                usd_per_unit=campaign.usd_per_unit,
                max_charge_micros=self.max_charge[key],
                cap_held=True,
            )
            rate = self.strategy.throttle(key, obs)
            # The budget stop every ad platform has, whatever the pacing strategy: no
            # serving once the budget is reported spent, no spending past the hard cap.
            throttles[key] = 0.0 if reported >= budget else min(1.0, max(0.0, rate))
            # A strategy that publishes a bid cap with its decision (production does).
            cap = None if bid_cap is None or throttles[key] <= 0.0 else bid_cap(key)
            if cap is not None:
                self.caps[key] = cap
            self.rooms[key] = Headroom(day, self.rule.headroom_micros(budget, reported), now)
        return throttles
