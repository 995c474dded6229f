"""The reference strategies: no pacing at all, and an even spread over the day."""

from __future__ import annotations

from ads.simulation.strategies.base import Observation


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
