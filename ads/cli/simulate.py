"""`ads simulate`: the marketplace simulator (a tool; the server never imports it)."""

from __future__ import annotations

import argparse

from ads.cli.arguments import Commands
from ads.config import Settings


def _seeds(text: str) -> list[int]:
    from ads.simulation.evaluation.seeds import parse_seeds

    try:
        return parse_seeds(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _simulate(args: argparse.Namespace, _settings: Settings) -> int:
    from pathlib import Path

    from ads.simulation.command import run_simulation

    strategies = [s for s in args.strategies.split(",") if s]
    return run_simulation(
        scenario=args.scenario, seed=args.seed, out=Path(args.out), strategies=strategies,
        days=args.days, warmup_days=args.warmup_days, backend=args.backend,
        database_url=args.database_url, experiment=args.experiment,
        allocation=args.allocation, seeds=args.seeds, jobs=args.jobs,
    )  # fmt: skip


def register(commands: Commands) -> None:
    simulate = commands.add_parser(
        "simulate", help="replay a simulated ad marketplace and measure pacing strategies"
    )
    simulate.add_argument("--scenario", default="default", help="bundled name or a .toml path")
    which_seeds = simulate.add_mutually_exclusive_group()
    which_seeds.add_argument("--seed", type=int, default=None, help="default: the scenario's")
    which_seeds.add_argument(
        "--seeds",
        type=_seeds,
        default=None,
        help="run once per seed, e.g. 1-4 or 1,3,7, and compare (with --backend memory: fast)",
    )
    simulate.add_argument(
        "--jobs",
        type=int,
        default=1,
        help="with --seeds: how many seeds run at once, one process each (default 1)",
    )
    simulate.add_argument("--out", default="var/simulation", help="directory for the files")
    simulate.add_argument(
        "--strategies",
        default="no_pacing,even_spread,mystique,production,production_learned",
        help="comma-separated; no_pacing always runs as the reference",
    )
    simulate.add_argument("--days", type=int, default=None, help="default: the scenario's")
    simulate.add_argument(
        "--warmup-days",
        type=int,
        default=None,
        help="first days left out of the metrics (default: the scenario's; default.toml: 1)",
    )
    simulate.add_argument(
        "--backend",
        choices=["real", "memory"],
        default="real",
        help="real: the production strategy runs on the real ingestion, pacing and billing "
        "services over a database; memory: every strategy in memory (fast)",
    )
    simulate.add_argument(
        "--database-url",
        default=None,
        help="an EMPTY database for the real backend (default: a new SQLite file in --out)",
    )
    simulate.add_argument(
        "--experiment",
        choices=["linear_profile", "high_gain"],
        default=None,
        help="run the real-stack production run as a pacing experiment: DEFAULT vs this",
    )
    simulate.add_argument(
        "--allocation", type=float, default=0.5, help="experiment: share in the candidate arm"
    )
    simulate.set_defaults(handler=_simulate, uses_database=False)  # its own, new database
