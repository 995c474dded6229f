"""One simulated day per case: delayed spend, minute polling, the controller every minute."""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest

from ads.campaigns.rules import PacingMode
from ads.pacing.domain.controller import PacingStatus
from ads.pacing.domain.curve import local_day_bounds
from ads.pacing.domain.profile import DEFAULT_DIURNAL, TrafficProfile
from ads.simulation.market.closed_loop import NEW_YORK, DayRun, simulate_day

# 400 opportunities a minute at the evening peak at 0.01 per auction is worth about
# 3,500 units a day at full rate; a 1,000-unit budget needs a throttle near 0.3.
BUDGET = 1_000_000_000


def worst_gap_after_first_hour(run: DayRun) -> float:
    gaps = zip(run.true_spend_at_tick[60:], run.target_at_tick[60:], strict=True)
    return max(abs(spent - target) for spent, target in gaps) / run.budget_micros


def assert_paced(run: DayRun) -> None:
    assert 0.97 * BUDGET <= run.total_micros <= 1.01 * BUDGET
    assert worst_gap_after_first_hour(run) <= 0.05
    assert PacingStatus.EXHAUSTED not in run.statuses[:-60]


@pytest.mark.parametrize("seed", [1, 2])
def test_standard_follows_the_curve_and_lands_on_budget(seed: int) -> None:
    run = simulate_day(mode=PacingMode.STANDARD, budget_micros=BUDGET, seed=seed)
    assert_paced(run)


@pytest.mark.parametrize(
    ("day", "tz"),
    [
        (date(2026, 3, 8), NEW_YORK),
        (date(2026, 11, 1), NEW_YORK),
        (date(2026, 3, 29), ZoneInfo("Europe/Berlin")),
        (date(2026, 10, 25), ZoneInfo("Europe/Berlin")),
    ],
)
def test_standard_paces_23_and_25_hour_days(day: date, tz: ZoneInfo) -> None:
    run = simulate_day(mode=PacingMode.STANDARD, budget_micros=BUDGET, day=day, tz=tz)
    start, end = local_day_bounds(day, tz)
    assert len(run.throttles) == (end - start) // timedelta(minutes=1)
    assert_paced(run)


def test_standard_copes_with_traffic_off_the_profile() -> None:
    shifted = TrafficProfile(DEFAULT_DIURNAL.weights[3:] + DEFAULT_DIURNAL.weights[:3])
    run = simulate_day(mode=PacingMode.STANDARD, budget_micros=BUDGET, traffic=shifted)
    assert_paced(run)


def test_standard_small_lumpy_budget_still_lands_near_budget() -> None:
    # Five opportunities a minute at peak and a 2-unit budget: about 200 auctions a day.
    run = simulate_day(
        mode=PacingMode.STANDARD, budget_micros=2_000_000, peak_opportunities_per_minute=5
    )
    assert 0.97 * 2_000_000 <= run.total_micros <= 1.01 * 2_000_000


def test_accelerated_exhausts_early_and_stays_under_the_cap() -> None:
    run = simulate_day(mode=PacingMode.ACCELERATED, budget_micros=BUDGET)
    first_exhausted = run.statuses.index(PacingStatus.EXHAUSTED)
    assert first_exhausted < 14 * 60  # before 14:00 local, with the evening peak to come
    assert all(t == 1.0 for t in run.throttles[5 : first_exhausted - 30])
    assert BUDGET <= run.total_micros <= run.cap_micros
    assert all(t == 0.0 for t in run.throttles[first_exhausted:])
