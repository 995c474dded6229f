"""The `ads simulate` use case: run a scenario, show progress and the table, write the files."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from ads.progress import ProgressBar
from ads.simulation.market import Progress
from ads.simulation.report import table, write_outputs
from ads.simulation.runner import STRATEGY_NAMES, simulate
from ads.simulation.scenario import load_scenario


def run_simulation(
    *,
    scenario: str,
    seed: int | None,
    out: Path,
    strategies: Sequence[str] = STRATEGY_NAMES,
    days: int | None = None,
) -> int:
    """Simulate, print the summary and the done-when lines; exit code 0 even on FAIL lines.

    A FAIL is a finding about a strategy, not an error of the command.
    """
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

    result = simulate(loaded, seed=seed, strategies=strategies, days=days, progress=progress)
    if bars:
        bars[-1].finish()
    print(table(result))
    for path in write_outputs(result, out):
        print(f"wrote {path}", file=sys.stderr)
    return 0
