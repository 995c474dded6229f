"""Published rates: four significant digits at every magnitude, never above the decision."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ads.pacing.domain.controller import DEFAULT_CONFIG
from ads.pacing.domain.precision import SIGNIFICANT_DIGITS, published_rate

rates = st.floats(min_value=1e-6, max_value=1.0, exclude_max=True)


@given(rates)
def test_a_published_rate_is_never_above_the_decision_and_within_a_thousandth(
    rate: float,
) -> None:
    shown = published_rate(rate)
    assert shown <= rate
    assert (rate - shown) / rate < 10 ** (1 - SIGNIFICANT_DIGITS)


@given(rates)
def test_the_published_rate_has_four_significant_digits(rate: float) -> None:
    shown = published_rate(rate)
    # The float is the one a four-digit decimal reads as (so its JSON is that decimal).
    assert float(f"{shown:.{SIGNIFICANT_DIGITS}g}") == shown


@pytest.mark.parametrize(
    ("rate", "shown"),
    [
        (DEFAULT_CONFIG.min_rate, 1e-6),  # the floor reaches the ad server as itself
        (1.5e-4, 1.5e-4),  # four decimals made this 1e-4
        (3.21987e-5, 3.219e-5),  # four decimals made this 0: a stop
        (0.123456, 0.1234),
        (0.99996, 0.9999),
        (9.9996e-5, 9.999e-5),
        (1.0, 1.0),
        (0.0, 0.0),
        (1e-300, 0.0),
    ],
)
def test_rates_across_orders_of_magnitude(rate: float, shown: float) -> None:
    assert published_rate(rate) == shown
