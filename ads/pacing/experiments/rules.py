"""Pure experiment rules: what a pacing strategy is, arm assignment, confidence intervals.

A **pacing strategy**, in production terms, is the controller configuration and the
traffic-profile policy the pacing service runs a campaign with (`strategy_plan`):

* DEFAULT: `ads.pacing.domain.controller` with its default `ControllerConfig` and the campaign's
  learned hourly traffic shape (until it has history, its market's or its targeted
  regions' shape, else the default diurnal one): what every campaign runs outside
  experiments.
* LINEAR_PROFILE: the same controller tracking a flat profile, i.e. an even spread of
  the budget over the real hours of the local day, whatever the traffic shape.
* HIGH_GAIN: the same controller with Mystique-like aggressive feedback (half the spend
  gap closed per tick, slope feedforward halved towards the last rate, no dead band).

Arms: a campaign is in the CANDIDATE arm when u(campaign) < allocation, where u is the
first 8 bytes of sha256("<salt>:<campaign id>") read as a fraction of 2^64: stable (the
same campaign stays in its arm for the whole experiment, on every worker), independent
across experiments (each has its own salt), and uniform, so the candidate share of a
large population is the allocation.
"""

from __future__ import annotations

import hashlib
import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from ads.errors import Invalid
from ads.pacing.domain.controller import DEFAULT_CONFIG, ControllerConfig
from ads.pacing.domain.profile import HOURS_PER_DAY, TrafficProfile
from ads.text import check_storable

NAME_MAX = 200
FLAT_PROFILE = TrafficProfile(tuple([1.0] * HOURS_PER_DAY))


class PacingStrategy(StrEnum):
    DEFAULT = "DEFAULT"
    LINEAR_PROFILE = "LINEAR_PROFILE"
    HIGH_GAIN = "HIGH_GAIN"


class Arm(StrEnum):
    CONTROL = "CONTROL"
    CANDIDATE = "CANDIDATE"


class ExperimentStatus(StrEnum):
    RUNNING = "RUNNING"  # assigns arms between start_at and end_at
    STOPPED = "STOPPED"  # stopped by hand (or ended): no campaign is assigned any more


@dataclass(frozen=True)
class StrategyPlan:
    """How the pacing service runs a campaign: its controller config, and the profile
    it tracks (None: the campaign's own learned profile, as outside experiments)."""

    strategy: PacingStrategy
    config: ControllerConfig
    profile: TrafficProfile | None = None


def strategy_plan(strategy: PacingStrategy, *, tick_seconds: float) -> StrategyPlan:
    """The production meaning of a strategy, on the deployment's tick."""
    base = replace(DEFAULT_CONFIG, tick_seconds=tick_seconds)
    if strategy is PacingStrategy.LINEAR_PROFILE:
        return StrategyPlan(strategy, base, FLAT_PROFILE)
    if strategy is PacingStrategy.HIGH_GAIN:
        return StrategyPlan(
            strategy, replace(base, gain=0.5, slope_gain=0.5, dead_band_fraction=0.0)
        )
    return StrategyPlan(strategy, base)


def assignment_point(campaign_id: int, salt: str) -> float:
    """The campaign's stable point in [0, 1) for this experiment's salt."""
    digest = hashlib.sha256(f"{salt}:{campaign_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def arm_for(campaign_id: int, *, salt: str, allocation: float) -> Arm:
    """CANDIDATE for a share `allocation` of campaigns, CONTROL for the rest."""
    return Arm.CANDIDATE if assignment_point(campaign_id, salt) < allocation else Arm.CONTROL


def is_running(status: ExperimentStatus, start_at: datetime, end_at: datetime | None,
               at: datetime) -> bool:  # fmt: skip
    """Whether the experiment assigns arms at `at`."""
    return status is ExperimentStatus.RUNNING and start_at <= at and (end_at is None or at < end_at)


def validate_experiment(
    *,
    name: str,
    control: PacingStrategy,
    candidate: PacingStrategy,
    allocation: float,
    start_at: datetime,
    end_at: datetime | None,
) -> str:
    """The cleaned name, or Invalid naming the field at fault."""
    text = name.strip() if isinstance(name, str) else ""
    if not text:
        raise Invalid("a name is required", field="name", code="BLANK")
    if len(text) > NAME_MAX:
        raise Invalid(f"at most {NAME_MAX} characters", field="name", code="TOO_LONG")
    check_storable(text, field="name")
    if control is candidate:
        raise Invalid(
            "the candidate strategy must differ from the control", field="candidateStrategy"
        )
    if not (math.isfinite(allocation) and 0.0 < allocation < 1.0):
        raise Invalid("the allocation is a share strictly between 0 and 1", field="allocation")
    if start_at.tzinfo is None or (end_at is not None and end_at.tzinfo is None):
        raise Invalid("times must carry a timezone", field="startAt", code="INVALID_TIME")
    if end_at is not None and end_at <= start_at:
        raise Invalid("the end must be after the start", field="endAt", code="END_BEFORE_START")
    return text


# --- confidence intervals ----------------------------------------------------------

#: Two-sided 95% Student t quantiles t(0.975, df) for df = 1..30; beyond, the normal 1.96.
_T975 = (
    12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
    2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
    2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
)  # fmt: skip


@dataclass(frozen=True)
class Estimate:
    """A mean with its 95% confidence interval (None bounds with fewer than 2 values)."""

    mean: float
    low: float | None
    high: float | None
    n: int


def mean_ci(values: Sequence[float]) -> Estimate:
    """Mean and 95% t interval: mean ± t(0.975, n-1) × s / √n (normal beyond 31 values)."""
    n = len(values)
    if n == 0:
        return Estimate(0.0, None, None, 0)
    mean = statistics.fmean(values)
    if n < 2:
        return Estimate(mean, None, None, n)
    t = _T975[n - 2] if n - 1 <= len(_T975) else 1.96
    half = t * statistics.stdev(values) / math.sqrt(n)
    return Estimate(mean, mean - half, mean + half, n)
