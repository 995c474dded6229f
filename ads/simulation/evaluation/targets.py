"""The pacing targets as PASS/FAIL checks on a run's summaries.

What the production controller must achieve on a scenario: utilization, worst
overdelivery, mean pacing error and early exhaustion within bounds, and beating
Mystique on error and early exhaustion without losing utilization. A scenario may add
targets of its own (`Scenario.targets`): the last spend of every campaign with enough
traffic late in its day, and few campaign-minutes at the floor.
"""

from __future__ import annotations

from dataclasses import dataclass

from ads.simulation.evaluation.quality import Summary
from ads.simulation.market.scenario import Targets

UTILIZATION_MIN = 0.98
OVERDELIVERY_MAX = 0.01
PACING_ERROR_MAX = 0.05
EARLY_EXHAUSTION_MAX = 0.02
UTILIZATION_TOLERANCE = 0.005  # "without losing utilization": within half a point


@dataclass(frozen=True)
class Check:
    """One criterion: what it says, the figure it looked at, and whether it holds."""

    name: str
    passed: bool
    detail: str

    def line(self) -> str:
        return f"{'PASS' if self.passed else 'FAIL'}  {self.name}: {self.detail}"


def target_checks(
    summaries: dict[str, Summary],
    *,
    candidate: str = "production",
    published: str = "mystique",
    targets: Targets | None = None,
) -> list[Check]:
    """The five criteria for `candidate` (the fifth needs the `published` baseline run),
    then the scenario's own `targets`."""
    ours = summaries.get(candidate)
    if ours is None:
        return []
    checks = [
        Check(
            "utilization >= 98% (campaigns with enough traffic)",
            ours.utilization_mean >= UTILIZATION_MIN,
            f"mean {ours.utilization_mean:.2%}, min {ours.utilization_min:.2%} "
            f"over {ours.enough_traffic} campaign-days",
        ),
        Check(
            "worst overdelivery <= 1% of budget",
            ours.overdelivery_max <= OVERDELIVERY_MAX,
            f"{ours.overdelivery_max:.2%}",
        ),
        Check(
            "mean pacing error <= 5% of budget",
            ours.pacing_error_mean <= PACING_ERROR_MAX,
            f"{ours.pacing_error_mean:.2%}",
        ),
        Check(
            "early exhaustion <= 2% of campaigns",
            ours.early_exhaustion_share <= EARLY_EXHAUSTION_MAX,
            f"{ours.early_exhaustion_share:.2%}",
        ),
    ]
    base = summaries.get(published)
    if base is not None:
        better_error = ours.pacing_error_mean < base.pacing_error_mean
        better_exhaustion = ours.early_exhaustion_share < base.early_exhaustion_share or (
            ours.early_exhaustion_share == base.early_exhaustion_share == 0.0
        )
        kept = ours.utilization_mean >= base.utilization_mean - UTILIZATION_TOLERANCE
        checks.append(
            Check(
                f"beats {published} on pacing error and early exhaustion, same utilization",
                better_error and better_exhaustion and kept,
                f"error {ours.pacing_error_mean:.2%} vs {base.pacing_error_mean:.2%}, "
                f"early {ours.early_exhaustion_share:.2%} vs {base.early_exhaustion_share:.2%}, "
                f"utilization {ours.utilization_mean:.2%} vs {base.utilization_mean:.2%}",
            )
        )
    return checks + _scenario_checks(ours, targets or Targets())


def _scenario_checks(ours: Summary, targets: Targets) -> list[Check]:
    checks = []
    if targets.last_spend_from is not None:
        last = ours.last_spend_min
        checks.append(
            Check(
                f"last spend at or after {targets.last_spend_from:.0%} of the day "
                "(every campaign with enough traffic)",
                last is None or last >= targets.last_spend_from,
                "no campaign-day with enough traffic"
                if last is None
                else f"earliest {last:.2%}, 10th percentile {ours.last_spend_p10:.2%}",
            )
        )
    if targets.floor_share_below is not None:
        checks.append(
            Check(
                f"campaign-minutes at the floor < {targets.floor_share_below:.0%}",
                ours.floor_share < targets.floor_share_below,
                f"{ours.floor_share:.2%}",
            )
        )
    return checks
