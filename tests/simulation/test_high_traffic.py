"""A market with far more traffic than budget: campaigns that need throttles near 10⁻⁵.

Three campaigns, a hundred billion opportunities a day in one region: at throttle 1 each
would buy tens of thousands of times its budget. Production paces them to the end of the
day with almost no minute at its floor; Mystique, whose floor (10⁻⁴) is above what they
need, spends too fast at it and is stopped, over and over.
"""

from __future__ import annotations

import pytest

from ads.simulation.market.scenario import parse_scenario
from ads.simulation.runner import SimulationResult, simulate

MARKET = {
    "name": "tiny_high_traffic",
    "traffic": {
        "opportunities_per_day": 100_000_000_000,
        "regions": [{"name": "us", "timezone": "America/New_York"}],
        "surges": [],
    },
    "campaigns": [
        {
            "name": f"c{i}",
            "budget_micros": budget,
            "ad_groups": [
                {"bid_micros": 4_000_000, "audience_start": start, "audience_share": 0.002}
            ],
        }
        for i, (budget, start) in enumerate([(5_000_000, 0.0), (8_000_000, 0.3), (12_000_000, 0.6)])
    ],
    "targets": {"last_spend_from": 0.9, "floor_share_below": 0.05},
}


@pytest.fixture(scope="module")
def result() -> SimulationResult:
    return simulate(parse_scenario(MARKET), seed=3, strategies=["mystique", "production"])


def test_production_paces_rates_near_a_hundred_thousandth_to_the_end_of_the_day(
    result: SimulationResult,
) -> None:
    ours = result.summaries["production"]
    assert ours.utilization_mean >= 0.98
    assert ours.overdelivery_max <= 0.01
    assert ours.floor_share < 0.05
    assert ours.last_spend_min is not None
    assert ours.last_spend_min >= 0.9
    # The rates it served are where the market needs them: far below 10⁻⁴.
    served = [
        t for d in result.runs["production"].days.values() for t in d.throttle_per_minute if t
    ]
    assert sorted(served)[len(served) // 2] < 1e-4
    lines = {c.name: c.passed for c in result.checks}
    assert lines["campaign-minutes at the floor < 5%"]
    assert lines["last spend at or after 90% of the day (every campaign with enough traffic)"]


def test_a_floor_above_the_needed_rate_shows_as_minutes_at_it_and_an_early_stop(
    result: SimulationResult,
) -> None:
    theirs = result.summaries["mystique"]
    assert theirs.floor_share > 0.2
    assert theirs.last_spend_min is not None
    assert theirs.last_spend_min < 0.9
