"""The `ads simulate` use case: run a scenario, show progress and the table, write the files."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from ads.experiments.rules import PacingStrategy
from ads.progress import ProgressBar
from ads.simulation.market import Progress
from ads.simulation.report import table, write_outputs
from ads.simulation.runner import STRATEGY_NAMES, RealStackOptions, simulate
from ads.simulation.scenario import load_scenario


def run_simulation(
    *,
    scenario: str,
    seed: int | None,
    out: Path,
    strategies: Sequence[str] = STRATEGY_NAMES,
    days: int | None = None,
    warmup_days: int | None = None,
    backend: str = "real",
    database_url: str | None = None,
    experiment: str | None = None,
    allocation: float = 0.5,
) -> int:
    """Simulate, print the summary and the done-when lines; exit code 0 even on FAIL lines.

    A FAIL is a finding about a strategy, not an error of the command. `backend` "real"
    runs the `production` strategy on the real services over `database_url` (default: a
    new SQLite file under `out`); "memory" runs every strategy in memory. `experiment`
    (a candidate PacingStrategy) runs the real-stack production run as a pacing
    experiment: DEFAULT against it, `allocation` of the campaigns in the candidate arm.
    """
    if backend not in ("real", "memory"):
        raise ValueError("backend is 'real' or 'memory'")
    arms = None if experiment is None else (PacingStrategy(experiment.upper()), allocation)
    if arms is not None and backend != "real":
        raise ValueError("a pacing experiment runs on the real backend (--backend real)")
    real = RealStackOptions(out, database_url, experiment=arms) if backend == "real" else None
    loaded = load_scenario(scenario)
    bars: list[ProgressBar] = []

    def progress(name: str) -> Progress:
        def report(done: int, total: int) -> None:
            if not bars or bars[-1].label != name:
                if bars:
                    bars[-1].finish()
                bars.append(ProgressBar(total, label=name.ljust(18)))
            bar = bars[-1]
            bar.advance(done - bar.done)

        return report

    result = simulate(
        loaded, seed=seed, strategies=strategies, days=days, warmup_days=warmup_days,
        real=real, progress=progress,
    )  # fmt: skip
    if bars:
        bars[-1].finish()
    print(table(result))
    for path in write_outputs(result, out):
        print(f"wrote {path}", file=sys.stderr)
    return 0
