"""The overdelivery guard on its own: Poisson limits, throttles and bid caps."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ads.pacing.domain.guard import GuardInput, GuardOutcome, guard, poisson_mean_limit

RISK = 0.002


def _cdf(k: int, mean: float) -> float:
    return sum(math.exp(-mean) * mean**i / math.factorial(i) for i in range(k + 1))


def test_no_charge_left_allows_only_the_zero_count() -> None:
    # P(N > 0) = 1 - e^-λ <= risk  <=>  λ <= -ln(1 - risk)
    assert poisson_mean_limit(0, RISK) == pytest.approx(-math.log(1 - RISK), rel=1e-9)


@pytest.mark.parametrize("charges", [1, 2, 3, 10, 40, 60])
def test_the_limit_is_the_largest_mean_with_the_accepted_tail(charges: int) -> None:
    limit = poisson_mean_limit(charges, RISK)
    assert 1 - _cdf(charges, limit) == pytest.approx(RISK, rel=1e-6)
    assert 1 - _cdf(charges, limit * 1.01) > RISK


def test_beyond_the_exact_range_the_approximation_is_close() -> None:
    # Wilson-Hilferty for 61 charges against the exact tail.
    assert 1 - _cdf(61, poisson_mean_limit(61, RISK)) == pytest.approx(RISK, rel=0.05)
    with pytest.raises(ValueError, match="risk"):
        poisson_mean_limit(3, 0.0)


@given(st.integers(min_value=0, max_value=500))
def test_more_room_allows_a_larger_mean_but_less_than_the_room(charges: int) -> None:
    assert poisson_mean_limit(charges, RISK) < poisson_mean_limit(charges + 1, RISK)
    assert poisson_mean_limit(charges, RISK) < charges + 1


def _input(**overrides: object) -> GuardInput:
    base: dict[str, object] = {
        "planned": 1.0,
        "headroom": 10_000_000.0,
        "in_flight": 0.0,
        "rate": 1_000.0,
        "ahead_seconds": 120.0,
        "horizon_seconds": 240.0,
        "max_charge": 1_000_000,
        "bid_capping": True,
        "risk": RISK,
    }
    base.update(overrides)
    return GuardInput(**base)  # type: ignore[arg-type]


def test_far_from_the_cap_the_plan_passes_uncapped() -> None:
    assert guard(_input(planned=0.4)) == GuardOutcome(0.4, None)


def test_an_unknown_charge_keeps_expected_flow_under_the_headroom() -> None:
    outcome = guard(_input(max_charge=0, headroom=120_000.0, in_flight=60_000.0))
    assert outcome == GuardOutcome(60_000 / 240_000, None)


def test_without_bid_capping_no_room_for_one_charge_stops() -> None:
    assert guard(_input(bid_capping=False, headroom=999_999.0)).throttle == 0.0
    assert guard(_input(bid_capping=False, headroom=3_000_000.0)).bid_cap is None


def test_a_headroom_below_one_charge_serves_at_a_capped_bid() -> None:
    outcome = guard(_input(headroom=600_000.0, rate=10.0))
    assert outcome.throttle > 0.0
    assert outcome.bid_cap is not None
    assert 300_000 <= outcome.bid_cap <= 600_000


def test_the_bid_is_never_cut_below_half_a_charge() -> None:
    busy = _input(headroom=1_500_000.0, rate=20_000.0)
    outcome = guard(busy)
    assert outcome.bid_cap is not None
    assert outcome.bid_cap >= 750_000


def test_spend_in_flight_beyond_the_headroom_stops() -> None:
    assert guard(_input(headroom=2_000_000.0, in_flight=2_000_000.0)).throttle == 0.0
    assert guard(_input(headroom=0.0)).throttle == 0.0
