"""Traffic: the cosine wave, Poisson draws, volume per region and surge placement."""

from __future__ import annotations

import random
import statistics
from datetime import UTC, datetime

import pytest

from ads.simulation.market.scenario import Region, Surge, Traffic
from ads.simulation.market.traffic import cosine_factor, poisson, region_traffic


def test_cosine_peaks_at_the_peak_hour_and_averages_one() -> None:
    assert cosine_factor(20.0, amplitude=0.75, peak_hour=20.0) == pytest.approx(1.75)
    assert cosine_factor(8.0, amplitude=0.75, peak_hour=20.0) == pytest.approx(0.25)
    hours = [h / 10 for h in range(240)]
    mean = statistics.fmean(cosine_factor(h, amplitude=0.75, peak_hour=20.0) for h in hours)
    assert mean == pytest.approx(1.0)


@pytest.mark.parametrize("mean", [0.5, 4.0, 200.0])
def test_poisson_mean_and_variance(mean: float) -> None:
    rng = random.Random(3)
    draws = [poisson(rng, mean) for _ in range(20_000)]
    assert statistics.fmean(draws) == pytest.approx(mean, rel=0.05)
    assert statistics.pvariance(draws) == pytest.approx(mean, rel=0.08)


def test_poisson_of_nothing_is_zero() -> None:
    assert poisson(random.Random(1), 0.0) == 0


def test_volume_splits_by_share_and_surges_land_at_local_time() -> None:
    traffic = Traffic(
        opportunities_per_day=1440 * 100,
        amplitude=0.0,
        regions=(
            Region(name="us", timezone="America/New_York", share=3),
            Region(name="eu", timezone="Europe/Berlin", share=1),
        ),
        surges=(Surge(region="eu", local_hour=9.0, minutes=30, factor=2.0),),
    )
    us, eu = region_traffic(traffic, datetime(2026, 6, 10))
    assert us.per_minute == pytest.approx(75.0)
    assert eu.per_minute == pytest.approx(25.0)
    # 09:00 in Berlin in June is 07:00 UTC.
    assert eu.expected(datetime(2026, 6, 10, 7, 10, tzinfo=UTC)) == pytest.approx(50.0)
    assert eu.expected(datetime(2026, 6, 10, 7, 40, tzinfo=UTC)) == pytest.approx(25.0)
    assert eu.expected(datetime(2026, 6, 10, 7, 10, tzinfo=UTC), with_surges=False) == 25.0
