"""Our production controller as the pacing service runs it, behind the strategy interface."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from ads.campaigns.budget_rules import BudgetRule
from ads.campaigns.rules import PacingMode
from ads.pacing.domain.controller import ControllerConfig, PacingController, TickInput
from ads.pacing.domain.profile import DEFAULT_DIURNAL, TrafficProfile
from ads.pacing.domain.state import ControllerState
from ads.pacing.domain.targeting import Region, targeting_profile
from ads.simulation.strategies.base import Observation


@dataclass
class Production:
    """Our production controller (`ads.pacing.domain.controller.PacingController`) as run.

    STANDARD mode, the profile of a campaign without history: its targeted regions'
    mix (`ads.pacing.domain.targeting`, from `regions` and `targeted[key]`), else the
    default diurnal shape (or `profiles[key]`, for the diagnostic with learned
    profiles); the scenario's overdelivery allowance, the refresh horizon
    (event delay + poll period) the deployment configures, and the campaign's largest
    single charge, as the pacing service passes them; the decision's bid cap is
    published with the throttle (`bid_cap`).
    """

    rule: BudgetRule = field(default_factory=BudgetRule)
    config: ControllerConfig = field(default_factory=ControllerConfig)
    name: str = "production"
    profiles: dict[int, TrafficProfile] = field(default_factory=dict)
    regions: tuple[Region, ...] = ()
    targeted: dict[int, frozenset[str]] = field(default_factory=dict)
    states: dict[int, ControllerState] = field(default_factory=dict)
    caps: dict[int, int | None] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.controller = PacingController(self.config)
        self._targeting: dict[tuple[int, date], TrafficProfile] = {}

    @property
    def floor_rate(self) -> float:
        """The controller's lowest rate while budget remains."""
        return self.config.min_rate

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
                profile=self._profile(key, obs),
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

    def _profile(self, key: int, obs: Observation) -> TrafficProfile:
        learned = self.profiles.get(key)
        if learned is not None:
            return learned
        day = obs.day_start.astimezone(obs.tz).date()
        cached = self._targeting.get((key, day))
        if cached is None:
            mix = targeting_profile(self.regions, self.targeted.get(key, ()), obs.tz, day)
            cached = self._targeting[key, day] = mix or DEFAULT_DIURNAL
        return cached

    def bid_cap(self, key: int) -> int | None:
        """The bid cap of the campaign's last decision (the same controller decision)."""
        return self.caps.get(key)
