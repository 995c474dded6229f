"""Traffic profiles: the share of a day's traffic in each local hour of the day."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

HOURS_PER_DAY = 24


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


# Typical consumer-internet diurnal shape by local hour: a trough around 03:00-05:00,
# a daytime plateau and an evening peak around 20:00-21:00. Only the shape matters.
DEFAULT_DIURNAL = TrafficProfile(
    (
        2.4, 1.6, 1.1, 0.8, 0.7, 0.8, 1.3, 2.3, 3.4, 4.2, 4.7, 5.0,
        5.2, 5.1, 5.0, 5.0, 5.1, 5.3, 5.6, 6.0, 6.3, 6.2, 5.1, 3.6,
    )
)  # fmt: skip
