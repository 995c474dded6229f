"""Traffic profiles: normalisation and blending observed traffic with the default shape."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ads.pacing.domain.profile import DEFAULT_DIURNAL, TrafficProfile

counts = st.lists(st.integers(min_value=0, max_value=10**9), min_size=24, max_size=24)


def test_default_profile_is_normalised_with_an_evening_peak() -> None:
    assert len(DEFAULT_DIURNAL.weights) == 24
    assert math.isclose(sum(DEFAULT_DIURNAL.weights), 1.0)
    assert DEFAULT_DIURNAL.weight(20) > DEFAULT_DIURNAL.weight(12) > DEFAULT_DIURNAL.weight(4)


def test_profiles_of_the_same_shape_are_equal() -> None:
    assert TrafficProfile((1.0,) * 24) == TrafficProfile((5.0,) * 24)


@pytest.mark.parametrize(
    ("weights", "message"),
    [
        ((1.0,) * 23, "24 hourly weights"),
        ((1.0,) * 25, "24 hourly weights"),
        ((0.0,) * 24, "needs some traffic"),
        ((-1.0,) + (1.0,) * 23, "non-negative"),
        ((math.nan,) * 24, "finite"),
    ],
)
def test_invalid_weights_are_refused(weights: tuple[float, ...], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        TrafficProfile(weights)


def test_no_history_means_the_prior() -> None:
    assert TrafficProfile.from_observed([0] * 24) == DEFAULT_DIURNAL


def test_little_history_stays_close_to_the_prior_and_much_history_follows_it() -> None:
    observed = [0] * 24
    observed[3] = 1  # a campaign that only ever saw traffic at 03:00
    few = TrafficProfile.from_observed([c * 10 for c in observed], prior_strength=2_400)
    many = TrafficProfile.from_observed([c * 10**7 for c in observed], prior_strength=2_400)
    assert few.weight(3) < 0.05
    assert many.weight(3) > 0.99
    assert all(w > 0 for w in many.weights)  # unseen hours keep a prior share


def test_history_equal_to_prior_strength_weighs_half() -> None:
    observed = [0] * 24
    observed[3] = 2_400
    blended = TrafficProfile.from_observed(observed, prior_strength=2_400)
    assert math.isclose(blended.weight(3), 0.5 + 0.5 * DEFAULT_DIURNAL.weight(3))


def test_observed_counts_are_validated() -> None:
    with pytest.raises(ValueError, match="24 hourly counts"):
        TrafficProfile.from_observed([1] * 23)
    with pytest.raises(ValueError, match="non-negative"):
        TrafficProfile.from_observed([-1] + [1] * 23)


@given(counts, st.floats(min_value=0, max_value=1e6))
def test_blended_profile_is_a_distribution_between_prior_and_observed(
    observed: list[int], strength: float
) -> None:
    blended = TrafficProfile.from_observed(observed, prior_strength=strength)
    assert math.isclose(sum(blended.weights), 1.0)
    total = sum(observed)
    if total:
        for hour in range(24):
            share = observed[hour] / total
            low, high = sorted((share, DEFAULT_DIURNAL.weight(hour)))
            assert low - 1e-9 <= blended.weight(hour) <= high + 1e-9


# --- learning the shape of available traffic from throttled delivery ------------------

#: The true traffic: quiet mornings, a busy afternoon (12:00-18:00 three times the rest).
TRUE_RATE = [3.0 if 12 <= h < 18 else 1.0 for h in range(24)]


def _bought(throttle: list[float], seconds: float = 3_600.0) -> tuple[list[float], list[float]]:
    """Events and exposure of one day bought at `throttle[h]` from TRUE_RATE (events/s)."""
    exposure = [t * seconds for t in throttle]
    return [r * x for r, x in zip(TRUE_RATE, exposure, strict=True)], exposure


def test_a_campaign_throttled_in_the_busy_afternoon_still_learns_it_is_busy() -> None:
    throttle = [0.25 if 12 <= h < 18 else 1.0 for h in range(24)]
    events, exposure = _bought(throttle)
    flat = TrafficProfile((1.0,) * 24)
    learned = TrafficProfile.from_exposure(events, exposure, prior=flat)
    # Deliveries alone are flat (3 x 0.25 ~ 1): the old learning saw no afternoon peak.
    assert TrafficProfile.from_observed([round(e) for e in events], prior=flat).weight(
        14
    ) == pytest.approx(TrafficProfile.from_observed([1] * 24, prior=flat).weight(14), rel=0.3)
    assert learned.weight(14) / learned.weight(8) == pytest.approx(3.0, rel=0.05)


def test_hours_without_exposure_keep_the_prior_rate_at_the_campaign_level() -> None:
    # Out of budget from 18:00: no exposure, no events in the evening.
    throttle = [1.0 if h < 18 else 0.0 for h in range(24)]
    events, exposure = _bought(throttle)
    learned = TrafficProfile.from_exposure(events, exposure, prior=TrafficProfile(TRUE_RATE))
    assert [w / learned.weight(0) for w in learned.weights] == pytest.approx(TRUE_RATE, rel=1e-9)


def test_little_exposure_means_the_prior_dominates() -> None:
    throttle = [0.0005] * 24
    events, exposure = _bought(throttle)
    learned = TrafficProfile.from_exposure(events, exposure, prior=DEFAULT_DIURNAL)
    assert learned.weights == pytest.approx(DEFAULT_DIURNAL.weights, rel=0.25)
    nothing = TrafficProfile.from_exposure([0.0] * 24, [0.0] * 24, prior=DEFAULT_DIURNAL)
    assert nothing == DEFAULT_DIURNAL


def test_pooled_shape_counts_each_campaign_once() -> None:
    flat = TrafficProfile((1.0,) * 24)
    busy_afternoons = TrafficProfile.from_exposure(*_bought([1.0] * 24), prior=flat)
    # A campaign 100 times bigger that had no busy afternoon: it weighs the same.
    quiet = TrafficProfile.from_exposure([100 * 3_600.0] * 24, [3_600.0] * 24, prior=flat)
    pooled = TrafficProfile.pooled([busy_afternoons, quiet], prior=DEFAULT_DIURNAL)
    # Afternoon shares 3/36 and 1/24, morning 1/36 and 1/24: (1/8) / (5/72) = 1.8.
    assert pooled.weight(14) / pooled.weight(8) == pytest.approx(1.8, rel=0.02)
    assert TrafficProfile.pooled([]) == DEFAULT_DIURNAL
    assert TrafficProfile.pooled([], prior=flat) == flat


@given(counts, st.lists(st.floats(min_value=0, max_value=1e9), min_size=24, max_size=24))
def test_learned_profiles_are_always_valid(events: list[int], exposure: list[float]) -> None:
    profile = TrafficProfile.from_exposure(events, exposure)
    assert math.isclose(math.fsum(profile.weights), 1.0)
    assert all(w >= 0 for w in profile.weights)
