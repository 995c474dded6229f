"""Metrics on a two-hour "day" small enough to compute by hand."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from ads.simulation.evaluation.quality import day_metrics, summarize
from ads.simulation.evaluation.targets import target_checks
from ads.simulation.market.book import DayWindow, SimCampaign
from ads.simulation.market.loop import CampaignDay
from ads.simulation.market.scenario import AdGroupSpec, CampaignSpec, Targets

START = datetime(2026, 6, 10, tzinfo=UTC)
WINDOW = DayWindow(date(2026, 6, 10), START, START + timedelta(minutes=120))
CAMPAIGN = SimCampaign(
    0,
    CampaignSpec(name="c", budget_micros=1_200, ad_groups=(AdGroupSpec(bid_micros=1),)),
    ZoneInfo("UTC"),
    1.0,
    (WINDOW,),
    date(2026, 6, 10),
)
LINEAR = [(m + 1) / 120 for m in range(120)]


def day(spend: list[int]) -> CampaignDay:
    return CampaignDay(0, 0, WINDOW, 1_200, spend, [1.0] * 120, impressions=10)


def test_perfect_pacing_has_no_error_and_full_utilization() -> None:
    m = day_metrics(CAMPAIGN, day([10] * 120), LINEAR, enough_traffic=True)
    assert (m.utilization, m.overdelivery) == (1, 0)
    assert m.pacing_error_mean == pytest.approx(0, abs=1e-12)
    assert m.pacing_error_max == pytest.approx(0, abs=1e-12)
    assert m.exhausted_at_fraction == pytest.approx(119 / 120)  # 99% of budget at 119'
    assert not m.early_exhaustion
    assert m.volatility == 0.0


def test_spending_everything_in_the_first_hour() -> None:
    # 20 a minute for 60 minutes, then nothing, plus 12 (1%) late: the gap to the line
    # grows by 10 a minute to 600 at minute 60, then closes by 10 a minute (12 over at the end).
    spend = [20] * 60 + [0] * 59 + [12]
    m = day_metrics(CAMPAIGN, day(spend), LINEAR, enough_traffic=True)
    assert m.overdelivery == pytest.approx(0.01)
    assert m.pacing_error_max == pytest.approx(0.5)
    assert m.exhausted_at_fraction == pytest.approx(60 / 120)
    assert m.early_exhaustion
    assert m.volatility == pytest.approx(0.99)  # hourly ratios 2.0 and 0.02
    assert m.revenue_usd == pytest.approx(1_200 / 1e6)


def test_summary_and_checks() -> None:
    good = day_metrics(CAMPAIGN, day([10] * 120), LINEAR, enough_traffic=True)
    bad = day_metrics(CAMPAIGN, day([20] * 60 + [0] * 60), LINEAR, enough_traffic=True)
    summaries = {"production": summarize("production", [good]), "mystique": summarize("m", [bad])}
    assert summaries["mystique"].early_exhaustion_share == 1.0
    assert all(check.passed for check in target_checks(summaries))


def test_minutes_at_the_floor_and_the_minute_of_last_spend() -> None:
    # 30 minutes at the floor (0.001), 30 stopped (0 is no floor), 60 above it; the
    # last charge in minute 90 of 120.
    throttles = [0.001] * 30 + [0.0] * 30 + [0.2] * 60
    spend = [10] * 91 + [0] * 29
    cd = CampaignDay(0, 0, WINDOW, 1_200, spend, throttles)
    m = day_metrics(CAMPAIGN, cd, LINEAR, enough_traffic=True, floor_rate=0.001)
    assert (m.minutes, m.floor_minutes) == (120, 30)
    assert m.last_spend_fraction == pytest.approx(91 / 120)
    assert day_metrics(CAMPAIGN, cd, LINEAR, enough_traffic=True).floor_minutes == 0


def test_the_summary_gives_the_floor_share_and_the_last_spend_distribution() -> None:
    def at(last_minute: int, floor_minutes: int) -> CampaignDay:
        spend = [10] * (last_minute + 1) + [0] * (119 - last_minute)
        throttles = [1e-6] * floor_minutes + [0.5] * (120 - floor_minutes)
        return CampaignDay(0, 0, WINDOW, 1_200, spend, throttles)

    days = [
        day_metrics(CAMPAIGN, at(last, floor), LINEAR, enough_traffic=True, floor_rate=1e-6)
        for last, floor in [(119, 0), (107, 0), (59, 90), (119, 6)]
    ]
    never = day_metrics(CAMPAIGN, day([0] * 120), LINEAR, enough_traffic=False)
    summary = summarize("production", [*days, never])
    assert summary.floor_share == pytest.approx(96 / 600)
    assert summary.mostly_at_floor_share == pytest.approx(1 / 5)
    # Over the campaign-days with enough traffic: 0.5, 0.9, 1.0, 1.0.
    assert summary.last_spend_min == pytest.approx(0.5)
    assert summary.last_spend_p10 == pytest.approx(0.5)
    assert summary.last_spend_median == pytest.approx(0.9)


def test_scenario_targets_add_the_last_spend_and_floor_lines() -> None:
    floored = CampaignDay(0, 0, WINDOW, 1_200, [10] * 120, [0.5] * 120)
    late = day_metrics(CAMPAIGN, floored, LINEAR, enough_traffic=True, floor_rate=0.5)
    stalled = day_metrics(
        CAMPAIGN, day([20] * 60 + [0] * 60), LINEAR, enough_traffic=True, floor_rate=0.5
    )
    targets = Targets(last_spend_from=0.9, floor_share_below=0.05)
    good = target_checks({"production": summarize("production", [late])}, targets=targets)
    assert [c.passed for c in good[-2:]] == [True, False]  # every minute at the floor
    bad = target_checks({"production": summarize("production", [stalled])}, targets=targets)
    assert "last spend at or after 90% of the day" in bad[-2].name
    assert not bad[-2].passed
    assert len(target_checks({"production": summarize("production", [late])})) == 4
