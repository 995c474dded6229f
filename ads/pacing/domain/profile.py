"""Traffic profiles: the share of a day's traffic in each local hour of the day."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

HOURS_PER_DAY = 24
#: Weight of the prior shape in `TrafficProfile.from_exposure`, in pseudo events per hour.
PRIOR_EVENTS_PER_HOUR = 50.0


@dataclass(frozen=True)
class TrafficProfile:
    """Relative traffic per local hour of day (index 0 = 00:00-01:00 local).

    Weights are normalised to sum to 1 on construction, so two profiles of the same
    shape compare equal. The curve module weights each real hour of a local day by
    these, which is what makes "on track" mean "on the traffic curve".
    """

    weights: tuple[float, ...]

    def __post_init__(self) -> None:
        weights = tuple(float(w) for w in self.weights)
        if len(weights) != HOURS_PER_DAY:
            raise ValueError(f"a traffic profile has {HOURS_PER_DAY} hourly weights")
        if any(not math.isfinite(w) or w < 0 for w in weights):
            raise ValueError("traffic weights must be finite and non-negative")
        total = math.fsum(weights)
        if total <= 0:
            raise ValueError("a traffic profile needs some traffic")
        object.__setattr__(self, "weights", tuple(w / total for w in weights))

    def weight(self, local_hour: int) -> float:
        """Share of a (24-hour) day's traffic in this local hour."""
        return self.weights[local_hour]

    @classmethod
    def from_observed(
        cls,
        counts_by_hour: Sequence[int],
        *,
        prior: TrafficProfile | None = None,
        prior_strength: float = 2_400.0,
    ) -> TrafficProfile:
        """Blend a campaign's observed hourly counts with a prior shape.

        A Dirichlet-style posterior mean: the prior counts as `prior_strength` pseudo
        events spread by its shape, so with little history the default diurnal shape
        dominates and with much history the campaign's own shape does (at
        `prior_strength` observed events the two weigh the same). Hours the campaign
        has never seen keep a prior share instead of dropping to zero. `prior` defaults
        to DEFAULT_DIURNAL (defined below this class).
        """
        base = DEFAULT_DIURNAL if prior is None else prior
        if len(counts_by_hour) != HOURS_PER_DAY:
            raise ValueError(f"expected {HOURS_PER_DAY} hourly counts")
        if any(c < 0 for c in counts_by_hour):
            raise ValueError("hourly counts must be non-negative")
        if not math.isfinite(prior_strength) or prior_strength < 0:
            raise ValueError("prior_strength must be finite and non-negative")
        if sum(counts_by_hour) == 0:
            return base
        return cls(
            tuple(c + prior_strength * p for c, p in zip(counts_by_hour, base.weights, strict=True))
        )

    @classmethod
    def from_exposure(
        cls,
        events_by_hour: Sequence[float],
        exposure_by_hour: Sequence[float],
        *,
        prior: TrafficProfile | None = None,
        prior_events_per_hour: float = PRIOR_EVENTS_PER_HOUR,
    ) -> TrafficProfile:
        """The shape of the traffic a campaign could buy, from what it bought while throttled.

        `events_by_hour[h]` is what it delivered in local hour h over its history;
        `exposure_by_hour[h]` the throttle-seconds in force then (the integral of its
        throttle over those hours). Their ratio is what it buys per second at throttle 1,
        whatever its throttle, budget stop or pauses did: a campaign held at 0.25 in a
        busy afternoon still learns that the afternoon is busy; deliveries alone would say
        the opposite.

        Each hour is a Gamma-Poisson posterior mean: the prior shape at the campaign's
        own level L (fitted to all its hours) counts as `prior_events_per_hour` pseudo
        events at that hour's prior rate, so hours with little exposure (throttled to
        nearly 0, or after the budget ran out) keep the prior's rate, and hours with much
        exposure take their own. `prior` defaults to DEFAULT_DIURNAL; pass the shape of
        the advertiser's timezone (`pooled`) for a campaign with little history.
        """
        base = DEFAULT_DIURNAL if prior is None else prior
        events, exposure = _hourly(events_by_hour), _hourly(exposure_by_hour)
        if not math.isfinite(prior_events_per_hour) or prior_events_per_hour <= 0:
            raise ValueError("prior_events_per_hour must be finite and positive")
        level = _level(events, exposure, base)
        if level is None:
            return base
        n0 = prior_events_per_hour
        return cls(
            tuple(
                (e + n0 * HOURS_PER_DAY * p) / (x + n0 / level)
                for e, x, p in zip(events, exposure, base.weights, strict=True)
            )
        )

    @classmethod
    def pooled(
        cls, profiles: Iterable[TrafficProfile], *, prior: TrafficProfile | None = None
    ) -> TrafficProfile:
        """The shape common to several campaigns (e.g. a timezone's), as a prior for others.

        The mean of their learned shapes (`from_exposure`), each campaign counting once:
        campaigns differ in level by orders of magnitude, and pooling raw counts would
        make the biggest campaign's hours the platform's shape. Without any profile it is
        `prior` (default DEFAULT_DIURNAL).
        """
        sums = [0.0] * HOURS_PER_DAY
        count = 0
        for profile in profiles:
            count += 1
            for h, w in enumerate(profile.weights):
                sums[h] += w
        if count == 0:
            return DEFAULT_DIURNAL if prior is None else prior
        return cls(tuple(sums))


def _hourly(values: Sequence[float]) -> list[float]:
    if len(values) != HOURS_PER_DAY:
        raise ValueError(f"expected {HOURS_PER_DAY} hourly values")
    out = [float(v) for v in values]
    if any(not math.isfinite(v) or v < 0 for v in out):
        raise ValueError("hourly values must be finite and non-negative")
    return out


def _level(events: list[float], exposure: list[float], shape: TrafficProfile) -> float | None:
    """Events per throttle-second at an average hour, if `shape` is the traffic's shape.

    The Poisson maximum-likelihood scale: sum of events over the exposure weighted by
    the shape (24 x weight is an hour's rate relative to the day's mean). None when
    there is no event or no exposure to scale by.
    """
    weighted = math.fsum(
        x * HOURS_PER_DAY * p for x, p in zip(exposure, shape.weights, strict=True)
    )
    total = math.fsum(events)
    if weighted <= 0 or total <= 0:
        return None
    return total / weighted


# Typical consumer-internet diurnal shape by local hour: a trough around 03:00-05:00,
# a daytime plateau and an evening peak around 20:00-21:00. Only the shape matters.
DEFAULT_DIURNAL = TrafficProfile(
    (
        2.4, 1.6, 1.1, 0.8, 0.7, 0.8, 1.3, 2.3, 3.4, 4.2, 4.7, 5.0,
        5.2, 5.1, 5.0, 5.0, 5.1, 5.3, 5.6, 6.0, 6.3, 6.2, 5.1, 3.6,
    )
)  # fmt: skip
