"""The simulator on the real stack: services on a database, billed, with an experiment."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from ads.campaigns.rules import BudgetType
from ads.config import Settings
from ads.pacing.experiments.rules import Arm, PacingStrategy, arm_for
from ads.simulation.backends.memory import Headroom, SpendEvent
from ads.simulation.backends.real_stack import RealStack, _split
from ads.simulation.evaluation.report import table
from ads.simulation.market.book import build_book, rule_for
from ads.simulation.market.population import all_campaigns, usd_rates
from ads.simulation.market.scenario import parse_scenario
from ads.simulation.runner import RealStackOptions, simulate

# One timezone, coarse ticks and polls: a day is 144 ticks of the real pacing service.
TINY = {
    "name": "tiny-real",
    "delays": {"tick_seconds": 600, "poll_seconds": 600},
    "traffic": {
        "opportunities_per_day": 4_000,
        "regions": [{"name": "us", "timezone": "America/New_York"}],
        "surges": [],
    },
    "population": {
        "campaigns": 5,
        "lifetime_share": 0.4,
        "currencies": [{"code": "USD", "usd_per_unit": 1.0, "timezone": "America/New_York"}],
    },
}


def test_split_spreads_a_total_exactly() -> None:
    assert _split(10, 3) == [4, 3, 3]
    assert sum(_split(1_000_003, 7)) == 1_000_003
    assert _split(5, 0) == []


def test_production_on_the_real_stack_is_billed_and_runs_the_experiment(
    settings: Settings, tmp_path: Path
) -> None:
    options = RealStackOptions(
        tmp_path, settings.database_url, experiment=(PacingStrategy.LINEAR_PROFILE, 0.5)
    )
    result = simulate(parse_scenario(TINY), seed=3, strategies=["production"], real=options)
    billed = result.billing["production"]
    assert result.backends["no_pacing"] == "memory"
    assert result.backends["production"].startswith("real stack")
    assert billed.balanced
    assert billed.days_closed >= 5
    # Revenue is the ledger; a DAILY day is charged its delivery up to the budget.
    days = result.days["production"]
    rate = {c.key: c.usd_per_unit for c in result.book}
    assert result.summaries["production"].revenue_usd == pytest.approx(
        sum(billed.charged.values()) * 1.0 / 1e6
    )
    for d in days:
        if result.book[d.campaign].spec.budget_type is BudgetType.DAILY:
            charged = billed.charged.get((d.campaign, d.day), 0)
            assert charged == min(d.delivered_micros, d.budget_micros)
        assert d.revenue_usd == billed.charged.get((d.campaign, d.day), 0) * rate[d.campaign] / 1e6
    # The experiment: arms by production's hash, reported by the service and the simulator.
    assert billed.assignment is not None
    salt, allocation = billed.assignment
    assert [a.arm for a in billed.arms] == [Arm.CONTROL, Arm.CANDIDATE]
    simulated = result.arms["production"]
    for arm in (Arm.CONTROL, Arm.CANDIDATE):
        index = 0 if arm is Arm.CONTROL else 1
        assert simulated[index].campaigns == billed.arms[index].campaigns
    assert sum(a.campaigns for a in simulated) == len(result.book)
    cids = [
        arm_for(cid, salt=salt, allocation=allocation) for cid in range(1, len(result.book) + 1)
    ]
    assert cids.count(Arm.CANDIDATE) == simulated[1].campaigns
    text = table(result)
    assert "revenue = the billed ledger" in text
    assert "reconciliation balanced" in text
    assert "LINEAR_PROFILE" in text


def test_the_ad_server_gets_the_headroom_the_service_published(settings: Settings) -> None:
    scenario = parse_scenario(TINY)
    book = build_book(scenario, all_campaigns(scenario), usd_rates(scenario), 1)
    stack = RealStack(scenario, book, database_url=settings.database_url)
    try:
        campaign = book[0]
        now = campaign.days[0].start + timedelta(hours=2)
        minute = int((now - min(c.days[0].start for c in book)).total_seconds() // 60)
        stack.ingest(now, [SpendEvent(0, 0, 0, minute - 3, 40, 40, 123_457)])
        stack.tick(now)
        budget = stack.day_budget(0, 0)
        cap = rule_for(scenario).hard_cap_micros(budget)
        # The hard cap less the spend ingested by the tick, as of the tick.
        assert stack.headrooms()[0] == Headroom(0, cap - 123_457, now)
    finally:
        stack.close()


def test_a_database_with_campaigns_is_refused(settings: Settings) -> None:
    scenario = parse_scenario(TINY)
    book = build_book(scenario, all_campaigns(scenario), usd_rates(scenario), 1)
    RealStack(scenario, book, database_url=settings.database_url).close()
    with pytest.raises(ValueError, match="already holds campaigns"):
        RealStack(scenario, book, database_url=settings.database_url)
