"""One scenario over several seeds: how much of a run's result is its random path.

A single seed is one draw of the traffic, the auctions and the clicks; a campaign whose
one click is a few percent of its budget can pass or fail a criterion on that draw
alone. `ads simulate --seeds 1-4` replays the scenario once per seed and puts the
figures and the target lines side by side, with the spread across seeds.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from ads.simulation.evaluation.quality import Summary
from ads.simulation.evaluation.report import COLUMNS, aligned, cell
from ads.simulation.evaluation.targets import Check

__all__ = ["SeedRun", "parse_seeds", "seeds_json", "seeds_table"]

_KEYS = frozenset(
    ("utilization_mean", "utilization_min", "overdelivery_max", "pacing_error_mean",
     "early_exhaustion_share", "floor_share", "last_spend_min")
)  # fmt: skip
#: The report's columns the target lines look at, in its order and format.
_FIGURES = tuple(column for column in COLUMNS if column[0] in _KEYS)


@dataclass(frozen=True)
class SeedRun:
    """One seed's per-strategy summaries and the target checks of production."""

    seed: int
    summaries: dict[str, Summary]
    checks: list[Check]


def parse_seeds(text: str) -> list[int]:
    """'1,2,5' or '1-4' or a mix ('1-3,7'): distinct non-negative seeds, in order given."""
    seeds: list[int] = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        low, sep, high = part.partition("-")
        try:
            first, last = int(low), int(high if sep else low)
        except ValueError:
            raise ValueError(f"seeds are integers or ranges like 1-4, not {part!r}") from None
        if first < 0 or last < first:
            raise ValueError(f"a seed range goes up from 0 or more, not {part!r}")
        if last - first >= 100:
            raise ValueError(f"at most 100 seeds in a range, not {part!r}")
        seeds.extend(s for s in range(first, last + 1) if s not in seeds)
    if not seeds:
        raise ValueError("no seeds given")
    return seeds


def seeds_table(runs: Sequence[SeedRun]) -> str:
    """Per seed and strategy the key figures, then per strategy their spread across
    seeds, then how many seeds passed each target line."""
    rows = [["seed", "strategy", *(title for _, title, _ in _FIGURES)]]
    for run in runs:
        for name, summary in run.summaries.items():
            data = summary.as_dict()
            rows.append([str(run.seed), name, *(cell(fmt, data[k]) for k, _, fmt in _FIGURES)])
    lines = aligned(rows, text_columns=2)
    lines.append("\nAcross seeds (mean; worst for 'over max', 'util min' and 'last min'):")
    spread = [["strategy", *(title for _, title, _ in _FIGURES)]]
    for name in runs[0].summaries:
        values = [run.summaries[name].as_dict() for run in runs if name in run.summaries]
        spread.append([name, *(cell(fmt, _across(key, values)) for key, _, fmt in _FIGURES)])
    lines.extend(aligned(spread, text_columns=1))
    if any(run.checks for run in runs):
        lines.append(f"\nTargets for the production controller, over {len(runs)} seeds:")
        names = list(dict.fromkeys(c.name for run in runs for c in run.checks))
        for name in names:
            verdicts = [(run.seed, c.passed) for run in runs for c in run.checks if c.name == name]
            passed = [seed for seed, ok in verdicts if ok]
            failed = [seed for seed, ok in verdicts if not ok]
            plural = "s" if len(failed) > 1 else ""
            listed = ", ".join(map(str, failed))
            where = f" (failed: seed{plural} {listed})" if failed else ""
            lines.append(f"{len(passed)}/{len(passed) + len(failed)}  {name}{where}")
    return "\n".join(lines)


def seeds_json(scenario: str, runs: Sequence[SeedRun]) -> dict[str, Any]:
    """The same as data: per seed its summaries and checks."""
    return {
        "scenario": scenario,
        "seeds": [
            {
                "seed": run.seed,
                "summaries": {name: s.as_dict() for name, s in run.summaries.items()},
                "checks": [asdict(c) for c in run.checks],
            }
            for run in runs
        ],
    }


def _across(key: str, values: list[dict[str, Any]]) -> float | None:
    figures = [float(v[key]) for v in values if v[key] is not None]
    if not figures:
        return None
    if key == "overdelivery_max":
        return max(figures)
    if key in ("utilization_min", "last_spend_min"):
        return min(figures)
    return statistics.fmean(figures)
