"""A region's auctions for a minute: every opportunity, or only those a campaign enters.

At high traffic per budget the campaigns' throttles are tiny (10⁻⁵ to 10⁻²), so nearly
every opportunity has no entrant and goes to outside demand. Visiting each one (a billion
a day) would spend the simulation on nothing, so while the throttles are small (at most
`SPARSE_RATE` proposals, below, per opportunity) the opportunities that matter are drawn
directly, and the result is exactly what visiting all of them gives, in distribution:

For one opportunity (user u uniform in [0, 1)), candidate c is the highest-ranked
entrant with probability θ_c ∏ (1 - θ_j) over the higher-ranked j whose audience holds
u, for u in c's audience. So propose candidate c with probability θ_c × (its audience's
width) and u uniform in its audience; reject the proposal when a higher-ranked
candidate holding u passes its coin (that opportunity is the other's, drawn through its
own proposals); the rest of the auction (outside demand, the next entrant for the second
price) is drawn as usual. These events are exclusive, so one opportunity carries at most
one proposal, and the count of opportunities to the next proposal is geometric: the
opportunities without one are skipped without a draw each.

Coins inside the auction are drawn the same way: a candidate with throttle θ < 1 passes
its coin when a unit-rate Poisson process has a point inside its interval of length
-log(1 - θ) on the cumulative scale, so the next candidate to pass is found by an
exponential step and a bisection instead of one draw per candidate; those at throttle 1
always pass and are checked directly.
"""

from __future__ import annotations

import math
import random
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Sequence
from itertools import accumulate

from ads.simulation.market.auction import Candidate, Pricing, Won, first_price, second_price

#: At most this many proposals per opportunity (the most the draw allows: one per
#: opportunity), the opportunities are drawn instead of visited.
SPARSE_RATE = 1.0


class RegionAuctions:
    """One region's ranked candidates (highest eCPM first) and how to auction them."""

    def __init__(self, ranked: Sequence[Candidate], *, pricing: Pricing, reserve: float) -> None:
        self.ranked = ranked
        self.pricing = pricing
        self.clear = first_price if pricing is Pricing.FIRST_PRICE else second_price
        weights = [0.0, *accumulate(
            c.throttle * (c.hi - c.lo) if c.ecpm > reserve else 0.0 for c in ranked
        )]  # fmt: skip
        #: Expected proposals per opportunity.
        self.rate = weights[-1]
        self.sparse = self.rate <= SPARSE_RATE
        if self.sparse:
            self._weights = weights[1:]
            #: Cumulative coin intervals of the candidates that may fail their coin; those
            #: at throttle 1 always enter and are looked up directly (`_sure`).
            self._hazards = [0.0, *accumulate(map(_hazard, ranked))]
            self._sure = [i for i, c in enumerate(ranked) if c.throttle >= 1.0]
            self._lowest = [-c.ecpm for c in ranked]  # ascending, for bisection
            self._log_miss = math.log1p(-self.rate) if self.rate < 1.0 else -math.inf

    def skip(self, rng: random.Random) -> int:
        """How many opportunities on the next one to auction is (1: the very next)."""
        if not self.sparse:
            return 1
        if self.rate <= 0.0:
            return _NEVER
        return 1 + int(math.log(1.0 - rng.random()) / self._log_miss)

    def auction(self, rng: random.Random, floor: Callable[[], float]) -> Won | None:
        """The next auctioned opportunity's winner and price, None when nobody sells.

        `floor` draws the opportunity's floor: max(outside demand, reserve).
        """
        if not self.sparse:
            at = floor()
            return self.clear(self.ranked, user=rng.random(), floor_ecpm=at, coin=rng.random)
        ranked = self.ranked
        k = bisect_right(self._weights, rng.random() * self.rate)
        top = ranked[k]
        user = top.lo + (top.hi - top.lo) * rng.random()
        if self._next_entrant(rng, 0, k, user) is not None:
            return None  # a higher-ranked entrant holds this opportunity
        at = floor()
        if top.ecpm <= at:
            return None
        if self.pricing is Pricing.FIRST_PRICE:
            return Won(top.key, top.ecpm)
        # Only entrants above the floor can set the price.
        above = bisect_left(self._lowest, -at, k + 1)
        runner_up = self._next_entrant(rng, k + 1, above, user)
        return Won(top.key, at if runner_up is None else ranked[runner_up].ecpm)

    def _next_entrant(self, rng: random.Random, start: int, end: int, user: float) -> int | None:
        """The first index in [start, end) whose coin passes and whose audience holds
        `user`, or None."""
        ranked = self.ranked
        sure = None
        for j in self._sure[bisect_left(self._sure, start) :]:
            if j >= end:
                break
            if ranked[j].lo <= user < ranked[j].hi:
                sure = j
                break
        # Only a candidate that may fail its coin can come before the first sure one.
        stop = end if sure is None else sure
        hazards, draw = self._hazards, rng.random
        t, limit = hazards[start], hazards[stop]
        while True:
            t -= math.log(1.0 - draw())
            if t >= limit:
                return sure
            i = bisect_right(hazards, t, start, stop + 1) - 1
            cand = ranked[i]
            if cand.lo <= user < cand.hi:
                return i
            t = hazards[i + 1]


def _hazard(cand: Candidate) -> float:
    """The length of the candidate's coin interval (0 for a sure or a zero throttle)."""
    if cand.throttle >= 1.0 or cand.throttle <= 0.0:
        return 0.0
    return -math.log1p(-cand.throttle)


#: "Never": more opportunities than any minute has.
_NEVER = 1 << 62
