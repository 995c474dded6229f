"""The `ads simulate` use case: run a scenario, show progress and the table, write the files."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from functools import partial
from pathlib import Path

from ads.errors import DomainError
from ads.pacing.experiments.rules import PacingStrategy
from ads.progress import ProgressBar
from ads.simulation.evaluation.report import table, write_outputs
from ads.simulation.evaluation.seeds import SeedRun, seeds_json, seeds_table
from ads.simulation.market.loop import Progress
from ads.simulation.market.scenario import Scenario, load_scenario
from ads.simulation.runner import (
    STRATEGY_NAMES,
    RealStackOptions,
    SimulationResult,
    check_strategies,
    simulate,
)


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
    seeds: Sequence[int] | None = None,
    jobs: int = 1,
) -> int:
    """Simulate, print the summary and the target lines; exit code 0 even on FAIL lines.

    A FAIL is a finding about a strategy, not an error of the command. `backend` "real"
    runs the `production` strategy on the real services over `database_url` (default: a
    new SQLite file under `out`); "memory" runs every strategy in memory. `experiment`
    (a candidate PacingStrategy) runs the real-stack production run as a pacing
    experiment: DEFAULT against it, `allocation` of the campaigns in the candidate arm.
    """
    if backend not in ("real", "memory"):
        raise DomainError("backend is 'real' or 'memory'", field="backend")
    arms = None if experiment is None else (PacingStrategy(experiment.upper()), allocation)
    if arms is not None and backend != "real":
        raise DomainError(
            "a pacing experiment runs on the real backend (--backend real)", field="experiment"
        )
    if jobs < 1:
        raise DomainError("--jobs is at least 1", field="jobs")
    if jobs > 1 and seeds is None:
        raise DomainError("--jobs runs several seeds at once: give --seeds", field="jobs")
    if seeds is not None and database_url is not None:
        raise DomainError(
            "--database-url holds one run: leave it out with --seeds", field="database_url"
        )
    check_strategies(strategies)
    try:
        loaded = load_scenario(scenario)
    except (ValueError, OSError) as exc:
        raise DomainError(f"scenario {scenario!r}: {exc}", field="scenario") from None
    if seeds is None:
        run_once(loaded, seed, out, strategies, days, warmup_days, backend, database_url, arms)
        return 0
    one_seed = partial(_seed_run, loaded, out, strategies, days, warmup_days, backend, arms)
    if jobs == 1 or len(seeds) == 1:
        runs = [one_seed(each) for each in seeds]
    else:
        with ProcessPoolExecutor(max_workers=min(jobs, len(seeds))) as pool:
            runs = list(pool.map(one_seed, seeds))
    print(seeds_table(runs))
    out.mkdir(parents=True, exist_ok=True)
    path = out / "seeds.json"
    path.write_text(json.dumps(seeds_json(loaded.name, runs), indent=2) + "\n")
    print(f"wrote {path}", file=sys.stderr)
    return 0


def _seed_run(
    loaded: Scenario,
    out: Path,
    strategies: Sequence[str],
    days: int | None,
    warmup_days: int | None,
    backend: str,
    arms: tuple[PacingStrategy, float] | None,
    seed: int,
) -> SeedRun:
    """One seed of a `--seeds` run, its files under `out/seed-N`; what the table needs."""
    print(f"seed {seed}", file=sys.stderr)
    result = run_once(
        loaded, seed, out / f"seed-{seed}", strategies, days, warmup_days, backend, None,
        arms, quiet=True,
    )  # fmt: skip
    return SeedRun(seed, result.summaries, result.checks)


def run_once(
    loaded: Scenario,
    seed: int | None,
    out: Path,
    strategies: Sequence[str],
    days: int | None,
    warmup_days: int | None,
    backend: str,
    database_url: str | None,
    arms: tuple[PacingStrategy, float] | None,
    *,
    quiet: bool = False,
) -> SimulationResult:
    """One simulation with progress bars; its table printed (unless `quiet`), files written."""
    real = RealStackOptions(out, database_url, experiment=arms) if backend == "real" else None
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
    if not quiet:
        print(table(result))
    for path in write_outputs(result, out):
        print(f"wrote {path}", file=sys.stderr)
    return result
