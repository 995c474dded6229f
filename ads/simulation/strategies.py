"""Pacing strategies behind one small interface, so one market can be replayed under each.

A strategy sees what the pacing service sees at a tick (reported spend, which lags the
truth by the event delay) and returns the throttle the ad server will apply after its
next poll. A strategy may also publish a bid cap per campaign (`bid_cap(key)`, the
largest single charge until the next refresh, None: uncapped); only production does.
Every strategy also gets the same budget stop from the market: once reported spend
reaches the day's budget the campaign stops serving, and the ad server never spends past
the hard cap (the headroom published with every decision, `pacing_backend.Headroom`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol
from zoneinfo import ZoneInfo

from ads.campaigns.budget_rules import BudgetRule
from ads.campaigns.rules import PacingMode
from ads.pacing.domain.controller import ControllerConfig, PacingController, TickInput
from ads.pacing.domain.profile import DEFAULT_DIURNAL, TrafficProfile
from ads.pacing.domain.state import ControllerState


@dataclass(frozen=True, slots=True, kw_only=True)
class Observation:
    """One campaign at one tick, as the pacing service knows it."""

    now: datetime
    day_start: datetime
    day_end: datetime
    tz: ZoneInfo
    day_budget_micros: int
    reported_today_micros: int
    reported_since_last_tick_micros: int
    refresh_horizon_seconds: float
    #: The ad server's polling period (None: the controller's tick interval).
    poll_seconds: float | None = None
    usd_per_unit: float = 1.0
    #: The campaign's largest single charge (`ads.pacing.domain.budget.single_charge_micros`).
    max_charge_micros: int = 0
    #: Whether the ad server holds a headroom with the decision (the hard cap less
    #: the spend reported, against which it counts its own spend since).
    cap_held: bool = False

    @property
    def day_fraction(self) -> float:
        """Share of the local day's real time (23, 24 or 25 hours) that has passed."""
        total = (self.day_end - self.day_start).total_seconds()
        return min(1.0, max(0.0, (self.now - self.day_start).total_seconds() / total))


class Strategy(Protocol):
    """Decides a campaign's throttle each tick; keeps its own per-campaign memory."""

    name: str

    def throttle(self, key: int, obs: Observation) -> float: ...


class NoPacing:
    """Spend as fast as possible: throttle 1 until the budget stop."""

    name = "no_pacing"

    def throttle(self, key: int, obs: Observation) -> float:
        return 1.0


class EvenSpread:
    """Even spread over the day: serve while reported spend is under a straight line.

    The naive "spend no faster than budget x elapsed time" rule many systems start with.
    """

    name = "even_spread"

    def throttle(self, key: int, obs: Observation) -> float:
        line = obs.day_budget_micros * obs.day_fraction
        return 1.0 if obs.reported_today_micros < line else 0.0


@dataclass
class Production:
    """Our production controller (`ads.pacing.domain.controller.PacingController`) as run.

    STANDARD mode, the default diurnal profile (or `profiles[key]`, for the diagnostic
    with learned profiles), the scenario's overdelivery allowance, the refresh horizon
    (event delay + poll period) the deployment configures, and the campaign's largest
    single charge, as the pacing service passes them; the decision's bid cap is
    published with the throttle (`bid_cap`).
    """

    rule: BudgetRule = field(default_factory=BudgetRule)
    config: ControllerConfig = field(default_factory=ControllerConfig)
    name: str = "production"
    profiles: dict[int, TrafficProfile] = field(default_factory=dict)
    states: dict[int, ControllerState] = field(default_factory=dict)
    caps: dict[int, int | None] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.controller = PacingController(self.config)

    def throttle(self, key: int, obs: Observation) -> float:
        decision = self.controller.tick(
            self.states.get(key),
            TickInput(
                now=obs.now,
                day_start=obs.day_start,
                day_end=obs.day_end,
                tz=obs.tz,
                day_budget_micros=obs.day_budget_micros,
                spent_today_micros=obs.reported_today_micros,
                spend_since_last_tick_micros=obs.reported_since_last_tick_micros,
                mode=PacingMode.STANDARD,
                profile=self.profiles.get(key, DEFAULT_DIURNAL),
                rule=self.rule,
                refresh_horizon_seconds=obs.refresh_horizon_seconds,
                poll_seconds=obs.poll_seconds,
                max_charge_micros=obs.max_charge_micros,
                cap_held=obs.cap_held,
            ),
        )
        self.states[key] = decision.state
        self.caps[key] = decision.max_charge_micros
        return decision.throttle

    def bid_cap(self, key: int) -> int | None:
        """The bid cap of the campaign's last decision (the same controller decision)."""
        return self.caps.get(key)
