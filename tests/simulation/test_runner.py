"""A tiny market end to end: deterministic per seed, every strategy measured, files written."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from ads.simulation.evaluation.report import table, write_outputs
from ads.simulation.market.auction import Pricing
from ads.simulation.market.book import build_book
from ads.simulation.market.population import all_campaigns, usd_rates
from ads.simulation.market.scenario import bundled_scenarios, load_scenario, parse_scenario
from ads.simulation.runner import make_strategy, simulate
from ads.simulation.strategies.base import Observation

TINY = {
    "name": "tiny",
    "traffic": {
        "opportunities_per_day": 20_000,
        "regions": [{"name": "us", "timezone": "America/New_York"}],
        "surges": [{"region": "us", "local_hour": 12.0, "minutes": 30, "factor": 3.0}],
    },
    "population": {
        "campaigns": 6,
        "currencies": [{"code": "USD", "usd_per_unit": 1.0, "timezone": "America/New_York"}],
    },
}


def test_bundled_scenarios_load() -> None:
    names = bundled_scenarios()
    assert "default" in names
    for name in names:
        assert load_scenario(name).name == name


def test_pricing_and_targets_are_read_and_a_bad_pricing_is_refused() -> None:
    scenario = parse_scenario(
        {
            "competition": {"pricing": "first_price"},
            "targets": {"last_spend_from": 0.9, "floor_share_below": 0.05},
        }
    )
    assert scenario.competition.pricing is Pricing.FIRST_PRICE
    assert (scenario.targets.last_spend_from, scenario.targets.floor_share_below) == (0.9, 0.05)
    assert parse_scenario({}).competition.pricing is Pricing.SECOND_PRICE
    with pytest.raises(ValueError, match="pricing"):
        parse_scenario({"competition": {"pricing": "vickrey"}})


def test_unknown_keys_are_refused() -> None:
    with pytest.raises(ValueError, match="volume"):
        parse_scenario({"traffic": {"volume": 3}})


def test_same_seed_same_result_and_every_strategy_measured(tmp_path: Path) -> None:
    scenario = parse_scenario(TINY)
    first = simulate(scenario, seed=5, strategies=["mystique", "production"])
    second = simulate(scenario, seed=5, strategies=["mystique", "production"])
    assert first.summaries == second.summaries
    assert list(first.summaries) == ["no_pacing", "mystique", "production"]
    assert first.summaries["no_pacing"].campaign_days == 6
    assert "production" in table(first)
    paths = write_outputs(first, tmp_path)
    data = json.loads((tmp_path / "metrics.json").read_text())
    assert set(data["summaries"]) == {"no_pacing", "mystique", "production"}
    assert (tmp_path / "pacing.png").read_bytes().startswith(b"\x89PNG")
    assert "data:image/png;base64," in (tmp_path / "report.html").read_text()
    assert len(paths) == 3


def test_no_pacing_never_serves_past_the_reported_budget_by_much() -> None:
    result = simulate(parse_scenario(TINY), seed=1, strategies=["no_pacing"])
    for d in result.days["no_pacing"]:
        # Spend in flight when the budget stop lands is the only overshoot.
        assert d.utilization < 3


def test_warmup_days_are_left_out_of_the_metrics() -> None:
    scenario = parse_scenario({**TINY, "days": 2, "warmup_days": 1})
    result = simulate(scenario, seed=2, strategies=["production"])
    assert result.warmup_days == 1
    assert {d.day for d in result.days["production"]} == {1}
    assert result.summaries["production"].campaign_days == 6
    assert "warm-up" in table(result)


def test_warmup_must_leave_a_measured_day() -> None:
    with pytest.raises(ValueError, match="warmup_days"):
        parse_scenario({**TINY, "days": 2, "warmup_days": 2})


def test_in_memory_production_paces_a_campaign_on_the_clock_of_the_regions_it_buys() -> None:
    group = {"bid_micros": 2_000_000}
    scenario = parse_scenario(
        {
            "name": "abroad",
            "start": "2026-11-20",
            "usd_per_unit": {"EUR": 1.08},
            "campaigns": [
                {"name": name, "currency": "EUR", "timezone": "Europe/Berlin",
                 "budget_micros": 50_000_000, "ad_groups": [group | {"regions": [region]}]}
                for name, region in (("buys-americans", "us"), ("buys-europeans", "eu"))
            ],
        }
    )  # fmt: skip
    book = build_book(scenario, all_campaigns(scenario), usd_rates(scenario), 1)
    strategy = make_strategy("production", scenario, book)
    start, end = book[0].days[0].start, book[0].days[0].end
    throttles: dict[int, float] = {}
    # The same spend reported to both, minute by minute, through the Berlin night.
    for minute in range(3 * 60):
        now = start + timedelta(minutes=minute)
        for campaign in book:
            obs = Observation(
                now=now, day_start=start, day_end=end, tz=campaign.tz,
                day_budget_micros=50_000_000, reported_today_micros=40_000 * minute,
                reported_since_last_tick_micros=40_000 if minute else 0,
                refresh_horizon_seconds=180, max_charge_micros=2_000,
            )  # fmt: skip
            throttles[campaign.key] = strategy.throttle(campaign.key, obs)
    # 02:00 in Berlin is the American evening: the curve of the campaign buying
    # Americans asks for far more by 03:00 than the European night's does.
    assert throttles[0] > 4 * throttles[1]
