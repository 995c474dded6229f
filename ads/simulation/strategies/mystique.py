"""Mystique's pacing-signal update (Stram et al., WWW 2024), as its authors published it.

Source: the paper "Mystique: A Budget Pacing System for Performance Optimization in
Online Advertising" (WWW '24 Companion, doi 10.1145/3589335.3648342) and its reference
implementation, github.com/yahoo/BudgetPacingSimulation
(`src/system/budget_pacing/mystique/mystique.py`, `mystique_constants.py`). Every
constant below is theirs. Each iteration (one minute, N iterations a day) with
x = spend today / daily budget, c(t) the target curve and s(t) its slope (linear:
c = t/N, s = 1):

    e  = x - c(t)                                spend error
    g  = (spend last interval / budget) * N - s  gradient error
    T  = -N e / g   (N + 1 when g ≈ 0)           intervals until the target is hit
    w1 = 0.5 if T < 0 else min(0.9, 0.2 T);  w2 = 1 - w1
    Δe = 0.025 min(1, |e| / 0.25)
    Δg = max(0.01, 0.025 min(1, |g|) / 1.5)
    ps = clip(ps_prev - w1 Δe sign(e) - w2 Δg sign(g), 0.0001, 1)

with the published edge cases: a new campaign starts at ps = 0.0001 (1 if its daily
budget exceeds 10,000); once the budget is depleted ps is frozen; a "runaway train"
(g > 12, T < 3600 and x > min(c, 1)) sets ps = 0; in the last 3 iterations of the day,
and at the start of the next, ps is the day's average ps over iterations where
x < 0.95. `ps_prev` is the last positive signal, read as the reference code reads it.

We run the linear target curve (their MYSTIQUE_LINEAR, the curve a campaign has before
any history) and hard throttling (their MystiqueHardThrottling variant: ps is the
probability of entering the auction), because our ad server applies a throttle, not a
bid multiplier. The signal is fed reported spend, which lags by the event delay, as
any production pacer is.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime

from ads.simulation.strategies.base import Observation

MIN_PS = 0.0001
MAX_PS = 1.0
INITIAL_PS = 0.0001
HIGH_INIT_BUDGET_USD = 10_000.0
ERROR_FOR_MAX_CORRECTION = 0.25
MAX_PS_CORRECTION = 0.025
GRADIENT_ERROR_FOR_MAX_CORRECTION = 1.5
MIN_NONZERO_CORRECTION = 0.01
MAX_CORRECTION_WEIGHT = 0.9
CORRECTION_WEIGHT_FACTOR = 0.2
BUDGET_SPEND_THRESHOLD = 0.95
END_OF_DAY_ITERATIONS = 3
RUNAWAY_GRADIENT = 12.0
RUNAWAY_INTERVALS = 3600.0


@dataclass
class _Tracked:
    ps: float
    last_positive_ps: float
    day_start: datetime
    sum_below: float = 0.0
    count_below: int = 0

    def avg_below(self) -> float | None:
        return None if self.count_below == 0 else self.sum_below / self.count_below


def mystique_update(
    *, previous_ps: float, spend_error: float, gradient_error: float, iterations_per_day: float
) -> float:
    """The published update for one iteration, without the edge cases (pure, for tests)."""
    if math.isclose(gradient_error, 0.0, abs_tol=1e-9):
        intervals = iterations_per_day + 1.0
    else:
        intervals = -iterations_per_day * spend_error / gradient_error
    if intervals < 0:
        w1, w2 = 0.5, 0.5
    else:
        w1 = min(MAX_CORRECTION_WEIGHT, CORRECTION_WEIGHT_FACTOR * intervals)
        w2 = 1.0 - w1
    spend_corr = MAX_PS_CORRECTION * min(1.0, abs(spend_error) / ERROR_FOR_MAX_CORRECTION)
    grad_corr = max(
        MIN_NONZERO_CORRECTION,
        MAX_PS_CORRECTION * min(1.0, abs(gradient_error)) / GRADIENT_ERROR_FOR_MAX_CORRECTION,
    )
    ps = previous_ps - w1 * spend_corr * _sign(spend_error) - w2 * grad_corr * _sign(gradient_error)
    return min(MAX_PS, max(MIN_PS, ps))


@dataclass
class Mystique:
    """Mystique (linear target curve, hard throttling), one iteration per pacing tick."""

    tick_seconds: int = 60
    name: str = "mystique"
    tracked: dict[int, _Tracked] = field(default_factory=dict)
    #: Its lowest pacing signal while budget remains.
    floor_rate: float = MIN_PS

    def throttle(self, key: int, obs: Observation) -> float:
        t = self.tracked.get(key)
        if t is None:
            budget_usd = obs.day_budget_micros / 1e6 * obs.usd_per_unit
            start = MAX_PS if budget_usd > HIGH_INIT_BUDGET_USD else INITIAL_PS
            t = self.tracked[key] = _Tracked(start, start, obs.day_start)
        elif t.day_start != obs.day_start:
            # New day: start from the day's average signal below the spend threshold.
            avg = t.avg_below()
            if avg is not None:
                t.ps = t.last_positive_ps = min(MAX_PS, avg)
            t.day_start, t.sum_below, t.count_below = obs.day_start, 0.0, 0
        new_ps = self._next(t, obs)
        if t.ps > 0:
            t.last_positive_ps = t.ps
        t.ps = new_ps
        budget = obs.day_budget_micros
        if budget > 0 and obs.reported_today_micros / budget < BUDGET_SPEND_THRESHOLD:
            t.sum_below += new_ps
            t.count_below += 1
        return new_ps

    def _next(self, t: _Tracked, obs: Observation) -> float:
        n = (obs.day_end - obs.day_start).total_seconds() / self.tick_seconds
        iteration = (obs.now - obs.day_start).total_seconds() / self.tick_seconds
        if iteration > n - END_OF_DAY_ITERATIONS and (avg := t.avg_below()) is not None:
            return min(MAX_PS, avg)
        budget = obs.day_budget_micros
        if budget <= 0 or obs.reported_today_micros >= budget:
            return t.ps
        spent = obs.reported_today_micros / budget
        target = obs.day_fraction
        spend_error = spent - target
        last = obs.reported_since_last_tick_micros
        gradient_error = (last / budget) * n - 1.0 if last > 0 else -1.0
        runaway = gradient_error > RUNAWAY_GRADIENT and spent > min(target, 1.0)
        if runaway and -n * spend_error / gradient_error < RUNAWAY_INTERVALS:
            return 0.0
        return mystique_update(
            previous_ps=t.last_positive_ps,
            spend_error=spend_error,
            gradient_error=gradient_error,
            iterations_per_day=n,
        )


def _sign(x: float) -> float:
    return (x > 0) - (x < 0)
