"""Budget rules and the LIFETIME budget's daily allowance."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ads.campaigns.budget_rules import BudgetRule
from ads.campaigns.rules import BudgetType
from ads.pacing.domain.budget import flight_days_remaining, lifetime_daily_allowance


def test_default_rule_delivers_one_percent_over_and_charges_none() -> None:
    rule = BudgetRule()
    assert rule.budget_type is BudgetType.DAILY
    assert rule.hard_cap_micros(100_000_000) == 101_000_000
    assert rule.charge_cap_micros(100_000_000) == 100_000_000


def test_the_headroom_is_what_is_left_under_the_hard_cap_never_negative() -> None:
    rule = BudgetRule()
    assert rule.headroom_micros(100_000_000, 60_000_000) == 41_000_000
    assert rule.headroom_micros(100_000_000, 101_000_000) == 0
    assert rule.headroom_micros(100_000_000, 105_000_000) == 0


def test_caps_read_fractions_as_typed() -> None:
    rule = BudgetRule(charged_overdelivery_fraction=0.29, delivered_overdelivery_fraction=0.29)
    assert rule.hard_cap_micros(100) == 129  # not 128 from 0.28999... as a float


@pytest.mark.parametrize(
    ("charged", "delivered"), [(-0.1, 0.01), (0.02, 0.01), (0.0, float("inf"))]
)
def test_inconsistent_rules_are_refused(charged: float, delivered: float) -> None:
    with pytest.raises(ValueError, match="overdelivery"):
        BudgetRule(charged_overdelivery_fraction=charged, delivered_overdelivery_fraction=delivered)


def test_lifetime_budget_is_spread_evenly_and_the_last_day_gets_the_rest() -> None:
    assert lifetime_daily_allowance(100, 0, 3) == 33
    assert lifetime_daily_allowance(100, 66, 1) == 34
    assert lifetime_daily_allowance(100, 120, 2) == 0  # overdelivered: nothing left
    assert lifetime_daily_allowance(100, 0, 0) == 0  # flight over


def test_unspent_budget_carries_forward() -> None:
    on_plan = lifetime_daily_allowance(1_000, 500, 5)
    underspent = lifetime_daily_allowance(1_000, 300, 5)
    assert underspent - on_plan == 200 // 5


def test_negative_days_are_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        lifetime_daily_allowance(100, 0, -1)


def test_flight_days_remaining_counts_today() -> None:
    assert flight_days_remaining(date(2026, 3, 1), date(2026, 3, 31)) == 31
    assert flight_days_remaining(date(2026, 3, 31), date(2026, 3, 31)) == 1
    assert flight_days_remaining(date(2026, 4, 1), date(2026, 3, 31)) == 0


@given(
    st.integers(min_value=0, max_value=10**15),
    st.lists(st.floats(min_value=0, max_value=1), min_size=1, max_size=60),
)
def test_a_flight_never_plans_beyond_its_lifetime_budget(
    lifetime: int, spend_shares: list[float]
) -> None:
    """Each day spends a share of its allowance; allowances always fit what is left."""
    spent = 0
    days = len(spend_shares)
    for day, share in enumerate(spend_shares):
        allowance = lifetime_daily_allowance(lifetime, spent, days - day)
        assert 0 <= allowance <= lifetime - spent
        spent += int(allowance * share)
    assert spent <= lifetime


@given(st.integers(min_value=0, max_value=10**15), st.integers(min_value=1, max_value=400))
def test_a_flight_spending_its_allowances_spends_exactly_its_budget(
    lifetime: int, days: int
) -> None:
    spent = 0
    for day in range(days):
        spent += lifetime_daily_allowance(lifetime, spent, days - day)
    assert spent == lifetime


@given(
    st.integers(min_value=0, max_value=10**12),
    st.integers(min_value=0, max_value=10**12),
    st.integers(min_value=0, max_value=10**12),
    st.integers(min_value=1, max_value=400),
)
def test_more_spent_never_means_a_larger_allowance(
    lifetime: int, a: int, b: int, days: int
) -> None:
    less, more = sorted((a, b))
    assert lifetime_daily_allowance(lifetime, more, days) <= lifetime_daily_allowance(
        lifetime, less, days
    )
