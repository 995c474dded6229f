"""The overdelivery guard: the throttle and bid cap under which the hard cap holds.

Spend reaches the controller a refresh horizon late (event delay plus the ad server's
poll), so before a later decision can correct this one the campaign buys what is already
in flight plus what the new throttle buys until the next decision takes over at the ad
server (`ahead_seconds`: a tick plus half a poll), none of it seen yet. Charges are
whole clicks and impressions: at the end of a small budget one click is several percent
of it, and the number of charges in a window is Poisson, not its mean. So the guard bounds the
*probability* of crossing the cap instead of planning on expected flow:

* With bids capped at b (b = the campaign's largest charge c when uncapped), K =
  floor(h / b) charges fit in the headroom h under the hard cap (before spend in
  flight). Counting all unseen spend, in flight and until the next decision, in charges
  of b gives a Poisson count N with mean Λ = (in flight + θ·rate·horizon) / b; taking
  every charge at its largest size is the worst case for a given expected spend (the
  variance is largest). The guard keeps P(N > K) <= `risk`, i.e. Λ <= λ_max(K), the
  `risk` quantile of a Gamma(K + 1) (`poisson_mean_limit`).
* A lower bid cap makes more, smaller charges fit, and the Poisson count concentrates:
  when the throttle the plan asks for does not fit under b = c, the guard tries b =
  h/k for k = K+1, K+2, … (a few steps, while the cap stays a useful charge) and takes
  the first that lets the planned throttle through, or else the one with the largest
  throttle × cap (a lower bid wins less), never below half a charge. A campaign whose
  bid is larger than the headroom thus keeps serving at a lower bid instead of stopping
  a click short of its budget.

Where the ad server cannot apply a bid cap (ad groups' own caps), b is always c, and the
campaign stops when not even one charge fits. Where the largest charge is unknown (0),
there is no count to bound: the guard keeps the expected flow of a whole refresh horizon
(`horizon_seconds`) at the new throttle under the headroom left after spend in flight,
the longer window being its only margin.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from statistics import NormalDist

__all__ = ["GuardInput", "GuardOutcome", "guard", "poisson_mean_limit"]

#: Beyond this many charges the Wilson-Hilferty approximation is exact to < 0.1%.
_EXACT_UP_TO = 60
#: How many lower bid caps the guard tries, and the most charges it will split into.
_SPLIT_STEPS = 4
_SPLIT_MAX_CHARGES = 16
_MAX_BID_CUT = 2


def poisson_mean_limit(charges: int, risk: float) -> float:
    """The largest Poisson mean λ with P(N > charges) <= risk.

    That λ is the `risk` quantile of a Gamma(charges + 1) distribution (P(N <= k) for
    N ~ Poisson(λ) equals P(Gamma(k + 1) > λ)): exact by bisection on the Poisson
    distribution function for small counts (cached), Wilson-Hilferty beyond (a few
    flops: campaigns far from their cap each have their own count, every tick).
    """
    if charges < 0:
        return 0.0
    if charges <= _EXACT_UP_TO:
        return _exact_limit(charges, risk)
    shape = charges + 1
    z = _normal_quantile(risk)
    return shape * (1.0 - 1.0 / (9.0 * shape) + z / (3.0 * math.sqrt(shape))) ** 3


@lru_cache(maxsize=64)
def _normal_quantile(risk: float) -> float:
    if not 0.0 < risk < 1.0:
        raise ValueError("risk lies in (0, 1)")
    return NormalDist().inv_cdf(risk)


@lru_cache(maxsize=4096)
def _exact_limit(charges: int, risk: float) -> float:
    _normal_quantile(risk)  # the same check of `risk`
    shape = charges + 1
    low, high = 0.0, shape + 10.0 * math.sqrt(shape) + 10.0
    for _ in range(60):
        mid = (low + high) / 2
        if _poisson_cdf(charges, mid) >= 1.0 - risk:
            low = mid
        else:
            high = mid
    return low


def _poisson_cdf(k: int, mean: float) -> float:
    term = total = math.exp(-mean)
    for i in range(1, k + 1):
        term *= mean / i
        total += term
    return total


@dataclass(frozen=True, slots=True)
class GuardInput:
    """What the guard needs, all in micros and seconds.

    `headroom`: hard cap minus reported spend (spend in flight not taken off).
    `in_flight`: expected spend bought but not reported yet. `rate`: expected spend per
    second at throttle 1 (None: not known yet). `ahead_seconds`: how long the new
    throttle is in force before the next decision takes over; `horizon_seconds`: the
    refresh horizon (event delay plus poll). `max_charge`: the largest single
    charge (0: unknown). `bid_capping`: whether the ad server applies a bid cap.
    """

    planned: float
    headroom: float
    in_flight: float
    rate: float | None
    ahead_seconds: float
    horizon_seconds: float
    max_charge: int
    bid_capping: bool
    risk: float


@dataclass(frozen=True, slots=True)
class GuardOutcome:
    """The throttle to publish (0: stop) and the bid cap (None: bids uncapped)."""

    throttle: float
    bid_cap: int | None


def guard(g: GuardInput) -> GuardOutcome:
    """The planned throttle, lowered (and the bids capped) until the hard cap holds."""
    if g.headroom <= 0:
        return GuardOutcome(0.0, None)
    rate = 0.0 if g.rate is None else g.rate
    c = g.max_charge
    if c <= 0:
        room = g.headroom - g.in_flight
        return GuardOutcome(_fit(g.planned, room, rate * g.horizon_seconds), None)
    flow = rate * g.ahead_seconds  # expected spend per unit of throttle
    fits = int(g.headroom // c)
    if not g.bid_capping:
        if fits < 1:
            return GuardOutcome(0.0, None)
        return GuardOutcome(_fit(g.planned, _room(fits, c, g), flow), None)
    best, best_value = GuardOutcome(0.0, None), 0.0
    # Lower bids win less, and a cap far below the bid may win nothing at all: the
    # guard cuts the bid at most by half of what one charge could be (c or h).
    smallest = max(1, math.ceil(min(c, g.headroom) / _MAX_BID_CUT))
    first = max(1, fits)
    last = first if fits >= _SPLIT_MAX_CHARGES else min(first + _SPLIT_STEPS, _SPLIT_MAX_CHARGES)
    for k in range(first, last + 1):
        cap = c if k <= fits else int(g.headroom // k)
        if cap < smallest:
            break
        throttle = _fit(g.planned, _room(int(g.headroom // cap), cap, g), flow)
        # A lower bid wins less: weigh the throttle by the share of the bid kept.
        value = throttle * cap
        if value > best_value:
            best, best_value = GuardOutcome(throttle, None if cap >= c else cap), value
        if throttle >= g.planned:
            break
    return best


def _room(charges: int, cap: int, g: GuardInput) -> float:
    """Expected spend the new throttle may add, with `charges` charges of `cap` fitting."""
    return poisson_mean_limit(charges, g.risk) * cap - g.in_flight


def _fit(planned: float, room: float, flow: float) -> float:
    """The planned throttle, at most the one whose expected spend fills `room`."""
    if room <= 0:
        return 0.0
    if flow <= 0:
        return planned
    return min(planned, room / flow)
