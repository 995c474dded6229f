"""What the pacing controller remembers between ticks, and its JSON form for storage."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

_FORMAT = 1


@dataclass(frozen=True)
class ControllerState:
    """One campaign's (or ad group's) controller memory.

    `throttle` is the last published rate; `recent_throttles` the last few published
    rates, newest last, one per tick, so delayed spend can be matched with the rate that
    actually bought it and spend still in flight can be estimated. `spend_sum_micros`
    and `exposure_sum_seconds` are discounted sums of reported spend and of the
    throttle-seconds that bought it; their ratio is the traffic value per unit throttle.
    `slow_*` are the same sums forgetting ten times more slowly: the overdelivery guard
    plans on the larger of both rates, so a quiet spell that has washed the fast
    estimate out cannot open the throttle near the cap. These are estimates used for
    planning, never booked as money.
    """

    throttle: float
    spend_sum_micros: float = 0.0
    exposure_sum_seconds: float = 0.0
    last_tick: datetime | None = None
    recent_throttles: tuple[float, ...] = ()
    slow_spend_sum_micros: float = 0.0
    slow_exposure_sum_seconds: float = 0.0

    def __post_init__(self) -> None:
        # Plain comparisons, no generators: a tick builds a few states per campaign.
        # Every check is false for NaN, so NaN is refused like any value out of range.
        if not 0.0 <= self.throttle <= 1.0:
            raise ValueError("throttle rates lie in [0, 1]")
        for rate in self.recent_throttles:
            if not 0.0 <= rate <= 1.0:
                raise ValueError("throttle rates lie in [0, 1]")
        if not (
            0.0 <= self.spend_sum_micros < _INF
            and 0.0 <= self.exposure_sum_seconds < _INF
            and 0.0 <= self.slow_spend_sum_micros < _INF
            and 0.0 <= self.slow_exposure_sum_seconds < _INF
        ):
            raise ValueError("spend and exposure sums are finite and non-negative")
        if self.last_tick is not None and self.last_tick.tzinfo is None:
            raise ValueError("last_tick must be timezone-aware")

    @property
    def rate_estimate(self) -> float | None:
        """Expected spend in micros per second at throttle 1; None until observed."""
        return _per_second(self.spend_sum_micros, self.exposure_sum_seconds)

    @property
    def guard_rate_estimate(self) -> float | None:
        """The larger of the fast and the slow estimate (None until observed)."""
        fast = self.rate_estimate
        slow = _per_second(self.slow_spend_sum_micros, self.slow_exposure_sum_seconds)
        if slow is None:
            return fast
        return slow if fast is None else max(fast, slow)

    def with_applied_throttle(self, throttle: float) -> ControllerState:
        """This state, recording that `throttle` (not the one decided) was applied.

        For ad groups: the ad server applies min(campaign, ad group), and the traffic
        estimate must be per unit of the rate that was really in force.
        """
        recent = (*self.recent_throttles[:-1], throttle) if self.recent_throttles else ()
        return replace(self, throttle=throttle, recent_throttles=recent)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-safe dict (floats, strings, lists) for a JSON column."""
        return {
            "format": _FORMAT,
            "throttle": self.throttle,
            "spend_sum_micros": self.spend_sum_micros,
            "exposure_sum_seconds": self.exposure_sum_seconds,
            "last_tick": None if self.last_tick is None else _isoformat(self.last_tick),
            "recent_throttles": list(self.recent_throttles),
            "slow_spend_sum_micros": self.slow_spend_sum_micros,
            "slow_exposure_sum_seconds": self.slow_exposure_sum_seconds,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ControllerState:
        """Inverse of `to_dict`."""
        if data.get("format", _FORMAT) != _FORMAT:
            raise ValueError(f"unknown controller state format {data.get('format')!r}")
        last_tick = data.get("last_tick")
        return cls(
            throttle=float(data["throttle"]),
            spend_sum_micros=float(data.get("spend_sum_micros", 0.0)),
            exposure_sum_seconds=float(data.get("exposure_sum_seconds", 0.0)),
            last_tick=None if last_tick is None else _from_isoformat(last_tick),
            recent_throttles=tuple(map(float, data.get("recent_throttles", ()))),
            slow_spend_sum_micros=float(data.get("slow_spend_sum_micros", 0.0)),
            slow_exposure_sum_seconds=float(data.get("slow_exposure_sum_seconds", 0.0)),
        )


def stored_last_tick(data: Mapping[str, Any] | None) -> datetime | None:
    """The `last_tick` of a stored state (`to_dict`), without building the whole state."""
    raw = None if data is None else data.get("last_tick")
    return None if raw is None else _from_isoformat(raw)


# A shard's states share their last tick (the previous slot): parse and format it once.
_from_isoformat = lru_cache(maxsize=64)(datetime.fromisoformat)
_utc_isoformat = lru_cache(maxsize=64)(datetime.isoformat)
_INF = math.inf


def _isoformat(moment: datetime) -> str:
    # Equal instants in other zones hash alike but print differently: cache UTC only.
    return _utc_isoformat(moment) if moment.tzinfo is UTC else moment.isoformat()


def _per_second(spend_micros: float, exposure_seconds: float) -> float | None:
    """Spend per second of exposure; None without exposure, and None for an exposure
    so small (a decayed denormal) that the ratio overflows: it carries no evidence, and
    an infinite rate would make NaN of the guard's arithmetic."""
    if exposure_seconds <= 0:
        return None
    rate = spend_micros / exposure_seconds
    return rate if math.isfinite(rate) else None
