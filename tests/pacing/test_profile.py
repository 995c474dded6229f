"""Traffic profiles: normalisation and blending observed traffic with the default shape."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ads.pacing.profile import DEFAULT_DIURNAL, TrafficProfile

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
