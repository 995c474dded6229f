"""Run one scenario under several pacing strategies and measure each (pure, no database)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from ads.simulation.book import SimCampaign, build_book, rule_for
from ads.simulation.checks import Check, done_when
from ads.simulation.market import MarketRun, Progress, run_market
from ads.simulation.metrics import (
    DayMetrics,
    Summary,
    all_day_metrics,
    enough_traffic_days,
    summarize,
)
from ads.simulation.mystique import Mystique
from ads.simulation.pacing_backend import InMemoryPacing, PacingBackend
from ads.simulation.population import all_campaigns, usd_rates
from ads.simulation.profiles import learned_profile
from ads.simulation.scenario import Scenario
from ads.simulation.strategies import EvenSpread, NoPacing, Production, Strategy
from ads.simulation.traffic import region_traffic

STRATEGY_NAMES = ("no_pacing", "even_spread", "mystique", "production", "production_learned")
REFERENCE = "no_pacing"

BackendFactory = Callable[[str, Scenario, list[SimCampaign]], PacingBackend]


def make_strategy(name: str, scenario: Scenario, book: list[SimCampaign]) -> Strategy:
    """A fresh strategy by name (each run starts with no memory).

    `production_learned` is a diagnostic: the production controller with each campaign's
    traffic profile as history would teach it, instead of the default diurnal shape.
    """
    if name == "no_pacing":
        return NoPacing()
    if name == "even_spread":
        return EvenSpread()
    if name == "mystique":
        return Mystique(tick_seconds=scenario.delays.tick_seconds)
    if name == "production":
        return Production(rule=rule_for(scenario))
    if name == "production_learned":
        regions = region_traffic(scenario.traffic, _midnight(scenario))
        profiles = {c.key: learned_profile(c, regions) for c in book}
        return Production(rule=rule_for(scenario), name=name, profiles=profiles)
    raise ValueError(f"unknown strategy {name!r}; known: {', '.join(STRATEGY_NAMES)}")


def refresh_horizon_seconds(scenario: Scenario) -> float:
    """Mean event delay plus the ad server's polling period."""
    d = scenario.delays
    return d.event_delay_seconds + d.event_jitter_mean_seconds + d.poll_seconds


def in_memory_backend(name: str, scenario: Scenario, book: list[SimCampaign]) -> PacingBackend:
    return InMemoryPacing(
        book,
        make_strategy(name, scenario, book),
        refresh_horizon_seconds=refresh_horizon_seconds(scenario),
    )


@dataclass
class SimulationResult:
    """Everything a report needs: the market, each strategy's replay, metrics and checks."""

    scenario: Scenario
    seed: int
    book: list[SimCampaign]
    runs: dict[str, MarketRun]
    days: dict[str, list[DayMetrics]]
    summaries: dict[str, Summary]
    curves: dict[tuple[int, int], list[float]]
    checks: list[Check]


def simulate(
    scenario: Scenario,
    *,
    seed: int | None = None,
    strategies: Sequence[str] = STRATEGY_NAMES,
    days: int | None = None,
    backend: BackendFactory = in_memory_backend,
    progress: Callable[[str], Progress] | None = None,
) -> SimulationResult:
    """Replay the scenario once per strategy with the same traffic; no-pacing always runs.

    The no-pacing replay is the reference that says which campaign-days have enough
    traffic to fill their budget.
    """
    for name in strategies:
        if name not in STRATEGY_NAMES:
            raise ValueError(f"unknown strategy {name!r}; known: {', '.join(STRATEGY_NAMES)}")
    if days is not None:
        scenario = replace(scenario, days=days)
    seed = scenario.seed if seed is None else seed
    book = build_book(scenario, all_campaigns(scenario), usd_rates(scenario), scenario.days)
    order = [REFERENCE, *(s for s in strategies if s != REFERENCE)]
    runs: dict[str, MarketRun] = {}
    for name in order:
        runs[name] = run_market(
            scenario,
            book,
            backend(name, scenario, book),
            seed=seed,
            progress=None if progress is None else progress(name),
        )
    regions = region_traffic(scenario.traffic, _midnight(scenario))
    enough = enough_traffic_days(runs[REFERENCE])
    curves: dict[tuple[int, int], list[float]] = {}
    per_day = {
        name: all_day_metrics(book, run, regions, enough, curves) for name, run in runs.items()
    }
    summaries = {name: summarize(name, per_day[name]) for name in order}
    return SimulationResult(
        scenario, seed, book, runs, per_day, summaries, curves, done_when(summaries)
    )


def _midnight(scenario: Scenario) -> datetime:
    return datetime.combine(scenario.start, datetime.min.time())
