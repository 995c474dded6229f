"""Run one scenario under several pacing strategies and measure each.

Every strategy runs on the in-memory pacing backend, except those named in
`RealStackOptions.strategies` (by default `production`, when options are given), which
run on the real services over a database (`ads.simulation.backends.real_stack`) and are billed
at the end (`ads.simulation.backends.real_billing`): their revenue is the ledger's.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

from ads.config import parse_traffic_regions
from ads.errors import DomainError
from ads.pacing.domain.targeting import targeted_regions
from ads.pacing.experiments.rules import Arm, PacingStrategy, arm_for
from ads.pacing.experiments.service import ArmMetrics, arm_summary
from ads.simulation.backends.memory import InMemoryPacing, PacingBackend
from ads.simulation.backends.real_billing import BilledRun, close_books
from ads.simulation.backends.real_stack import (
    RealStack,
    fresh_sqlite_url,
    group_targeting,
    regions_setting,
)
from ads.simulation.evaluation.capacity import enough_traffic_days, full_competition_run
from ads.simulation.evaluation.quality import DayMetrics, Summary, all_day_metrics, summarize
from ads.simulation.evaluation.targets import Check, target_checks
from ads.simulation.market.book import SimCampaign, build_book, rule_for
from ads.simulation.market.eligible_shapes import learned_profile
from ads.simulation.market.loop import MINUTE, MarketRun, Progress, run_market
from ads.simulation.market.population import all_campaigns, usd_rates
from ads.simulation.market.scenario import Scenario
from ads.simulation.market.traffic import region_traffic
from ads.simulation.strategies.base import Strategy
from ads.simulation.strategies.mystique import Mystique
from ads.simulation.strategies.production import Production
from ads.simulation.strategies.reference import EvenSpread, NoPacing

STRATEGY_NAMES = ("no_pacing", "even_spread", "mystique", "production", "production_learned")
REFERENCE = "no_pacing"
#: The progress label of the full-competition replay (not a strategy).
CAPACITY = "full_competition"

BackendFactory = Callable[[str, Scenario, list[SimCampaign]], PacingBackend]


def make_strategy(name: str, scenario: Scenario, book: list[SimCampaign]) -> Strategy:
    """A fresh strategy by name (each run starts with no memory).

    `production_learned` is a diagnostic: the production controller with each campaign's
    traffic profile as history would teach it (its eligible audience's, competition
    aside), instead of the shape its targeted regions imply.
    """
    if name == "no_pacing":
        return NoPacing()
    if name == "even_spread":
        return EvenSpread()
    if name == "mystique":
        return Mystique(tick_seconds=scenario.delays.tick_seconds)
    if name == "production":
        known = parse_traffic_regions(regions_setting(scenario))
        targeted = {c.key: targeted_regions(map(group_targeting, c.ad_groups), known) for c in book}
        return Production(rule=rule_for(scenario), regions=known, targeted=targeted)
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
        poll_seconds=scenario.delays.poll_seconds,
        rule=rule_for(scenario),
    )


@dataclass(frozen=True)
class RealStackOptions:
    """Which strategies run on the real stack, and on which database.

    `database_url` None: a new SQLite file `<out>/<strategy>.db` per strategy. A URL
    given must point at an empty database (it is migrated; existing campaigns refuse it).
    """

    out: Path
    database_url: str | None = None
    strategies: frozenset[str] = frozenset({"production"})
    #: A pacing experiment to run (candidate strategy, allocation) against DEFAULT.
    experiment: tuple[PacingStrategy, float] | None = None

    def url_for(self, name: str) -> str:
        return self.database_url or fresh_sqlite_url(self.out, name)


@dataclass
class SimulationResult:
    """Everything a report needs: the market, each strategy's replay, metrics and checks.

    `days` and `summaries` leave out the first `warmup_days` days; `billing` holds the
    ledger of each strategy that ran on the real stack; `capacity` is the full-competition
    replay that decides which campaign-days have enough traffic
    (`ads.simulation.evaluation.capacity`).
    """

    scenario: Scenario
    seed: int
    book: list[SimCampaign]
    runs: dict[str, MarketRun]
    days: dict[str, list[DayMetrics]]
    summaries: dict[str, Summary]
    curves: dict[tuple[int, int], list[float]]
    checks: list[Check]
    warmup_days: int = 0
    billing: dict[str, BilledRun] = field(default_factory=dict)
    backends: dict[str, str] = field(default_factory=dict)
    #: Per strategy run with a pacing experiment: its arms from the simulator's metrics.
    arms: dict[str, list[ArmMetrics]] = field(default_factory=dict)
    capacity: MarketRun | None = None


def check_strategies(names: Sequence[str]) -> None:
    """Refuse a strategy name the simulator does not know (before any replay starts)."""
    for name in names:
        if name not in STRATEGY_NAMES:
            raise DomainError(
                f"unknown strategy {name!r}; known: {', '.join(STRATEGY_NAMES)}",
                field="strategies",
            )


def simulate(
    scenario: Scenario,
    *,
    seed: int | None = None,
    strategies: Sequence[str] = STRATEGY_NAMES,
    days: int | None = None,
    warmup_days: int | None = None,
    backend: BackendFactory = in_memory_backend,
    real: RealStackOptions | None = None,
    progress: Callable[[str], Progress] | None = None,
) -> SimulationResult:
    """Replay the scenario once per strategy with the same traffic; no-pacing always runs.

    One more replay of the same traffic with every campaign in every auction all day
    (`ads.simulation.evaluation.capacity`) says which campaign-days have enough traffic to fill
    their budget. `days` and `warmup_days` override the scenario's.
    """
    check_strategies(strategies)
    if days is not None:
        scenario = replace(scenario, days=days, warmup_days=min(scenario.warmup_days, days - 1))
    if warmup_days is not None:
        scenario = replace(scenario, warmup_days=warmup_days)
    seed = scenario.seed if seed is None else seed
    book = build_book(scenario, all_campaigns(scenario), usd_rates(scenario), scenario.days)
    order = [REFERENCE, *(s for s in strategies if s != REFERENCE)]
    runs: dict[str, MarketRun] = {}
    billing: dict[str, BilledRun] = {}
    backends: dict[str, str] = {}
    real_ids: dict[str, tuple[BilledRun, dict[int, int]]] = {}
    for name in order:
        on_real = real is not None and name in real.strategies
        chosen = (
            RealStack(scenario, book, database_url=real.url_for(name), experiment=real.experiment)
            if real is not None and on_real
            else backend(name, scenario, book)
        )
        try:
            runs[name] = run_market(
                scenario,
                book,
                chosen,
                seed=seed,
                progress=None if progress is None else progress(name),
            )
            if isinstance(chosen, RealStack):
                end = runs[name].start + runs[name].minutes * MINUTE
                billing[name] = close_books(chosen, end)
                real_ids[name] = (billing[name], dict(chosen.campaign_ids))
                backends[name] = f"real stack ({chosen.settings.database_url})"
            else:
                backends[name] = "memory"
        finally:
            if isinstance(chosen, RealStack):
                chosen.close()
    capacity = full_competition_run(
        scenario, book, seed=seed, progress=None if progress is None else progress(CAPACITY)
    )
    regions = region_traffic(scenario.traffic, _midnight(scenario))
    measured = scenario.warmup_days
    enough = {k for k in enough_traffic_days(capacity, runs.values()) if k[1] >= measured}
    curves: dict[tuple[int, int], list[float]] = {}
    per_day: dict[str, list[DayMetrics]] = {}
    for name, run in runs.items():
        metrics = [
            d for d in all_day_metrics(book, run, regions, enough, curves) if d.day >= measured
        ]
        if name in billing:
            metrics = billed_revenue(book, metrics, billing[name])
        per_day[name] = metrics
    summaries = {name: summarize(name, per_day[name]) for name in order}
    arms = {
        name: simulated_arms(per_day[name], billed, real.experiment, ids)
        for name, (billed, ids) in real_ids.items()
        if real is not None and real.experiment is not None and billed.assignment is not None
    }
    return SimulationResult(
        scenario, seed, book, runs, per_day, summaries, curves,
        target_checks(summaries, targets=scenario.targets),
        measured, billing, backends, arms, capacity,
    )  # fmt: skip


def simulated_arms(
    days: list[DayMetrics],
    billed: BilledRun,
    experiment: tuple[PacingStrategy, float],
    campaign_ids: dict[int, int],
) -> list[ArmMetrics]:
    """The experiment's arms measured by the simulator (true spend against the true curve),
    each campaign assigned by the same hash as production's, with the same intervals."""
    assert billed.assignment is not None
    salt, allocation = billed.assignment
    strategies = {Arm.CONTROL: PacingStrategy.DEFAULT, Arm.CANDIDATE: experiment[0]}
    per_arm: dict[Arm, dict[int, list[tuple[float, float, float]]]] = {a: {} for a in Arm}
    for d in days:
        cid = campaign_ids.get(d.campaign)
        if cid is None:
            continue
        arm = arm_for(cid, salt=salt, allocation=allocation)
        figures = (d.pacing_error_mean, d.utilization, d.overdelivery)
        per_arm[arm].setdefault(cid, []).append(figures)
    return [arm_summary(a, strategies[a], per_arm[a]) for a in (Arm.CONTROL, Arm.CANDIDATE)]


def billed_revenue(
    book: list[SimCampaign], metrics: list[DayMetrics], billed: BilledRun
) -> list[DayMetrics]:
    """The campaign-days with their revenue taken from the ledger's CHARGE rows."""
    return [
        replace(
            d,
            revenue_usd=billed.charged.get((d.campaign, d.day), 0)
            * book[d.campaign].usd_per_unit
            / 1e6,
        )
        for d in metrics
    ]


def _midnight(scenario: Scenario) -> datetime:
    return datetime.combine(scenario.start, datetime.min.time())
