"""Metrics on a two-hour "day" small enough to compute by hand."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from ads.simulation.evaluation.quality import day_metrics, summarize
from ads.simulation.evaluation.targets import target_checks
from ads.simulation.market.book import DayWindow, SimCampaign
from ads.simulation.market.loop import CampaignDay
from ads.simulation.market.scenario import AdGroupSpec, CampaignSpec

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
