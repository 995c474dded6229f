"""The single-charge guard: stop when one more charge could cross the hard cap by itself."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ads.campaigns.rules import BillingEvent
from ads.pacing.budget import BudgetRule, PacingMode, single_charge_micros
from ads.pacing.controller import ControllerState, PacingController, PacingStatus, TickInput

from .factories import BUDGET, tick_input, warm_state
from .test_controller import states, tick_inputs

controller = PacingController()
RULE = BudgetRule(delivered_overdelivery_fraction=0.01)
CAP = RULE.hard_cap_micros(BUDGET)  # 101 units
CLICK = 5_000_000  # one click: 5% of the budget


@pytest.mark.parametrize("mode", list(PacingMode))
def test_a_campaign_stops_when_one_charge_could_cross_the_cap(mode: PacingMode) -> None:
    # No traffic estimate yet: nothing in flight, so the headroom is cap - spent.
    inp = tick_input(
        mode=mode, rule=RULE, spent_today_micros=CAP - CLICK + 1, max_charge_micros=CLICK
    )
    decision = controller.tick(None, inp)
    assert decision.throttle == 0.0
    assert decision.status is PacingStatus.EXHAUSTED
    assert decision.remaining_micros == BUDGET - inp.spent_today_micros


def test_headroom_of_exactly_one_charge_still_serves() -> None:
    inp = tick_input(rule=RULE, spent_today_micros=CAP - CLICK, max_charge_micros=CLICK)
    assert controller.tick(None, inp).throttle > 0.0


def test_spend_in_flight_counts_against_the_headroom_for_one_charge() -> None:
    state = warm_state(throttle=1.0, rate_micros_per_second=2_000.0)
    # 4 minutes in flight at rate 1 and 2,000 micros/s: about 480,000 micros.
    spent = CAP - CLICK - 100_000
    without = controller.tick(state, tick_input(rule=RULE, spent_today_micros=spent))
    assert without.throttle > 0.0
    guarded = controller.tick(
        state, tick_input(rule=RULE, spent_today_micros=spent, max_charge_micros=CLICK)
    )
    assert guarded.throttle == 0.0
    assert guarded.status is PacingStatus.EXHAUSTED


def test_a_bid_above_the_whole_cap_never_serves() -> None:
    inp = tick_input(rule=RULE, spent_today_micros=0, max_charge_micros=CAP + 1)
    assert controller.tick(None, inp).status is PacingStatus.EXHAUSTED


def test_unknown_charge_keeps_the_expected_flow_guard_alone() -> None:
    inp = tick_input(rule=RULE, spent_today_micros=CAP - 1)
    assert controller.tick(None, inp) == controller.tick(None, replace(inp, max_charge_micros=0))


def test_negative_charge_is_refused() -> None:
    with pytest.raises(ValueError, match="max_charge_micros"):
        tick_input(max_charge_micros=-1)


def test_single_charge_is_the_cpc_bid_or_the_cpm_bid_per_impression() -> None:
    assert single_charge_micros(500_000, BillingEvent.CLICK) == 500_000
    assert single_charge_micros(2_500_000, BillingEvent.IMPRESSION) == 2_500
    assert single_charge_micros(1_001, BillingEvent.IMPRESSION) == 2  # rounded up
    assert single_charge_micros(1, BillingEvent.IMPRESSION) == 1


charges = st.integers(min_value=0, max_value=10**12)


@given(states, tick_inputs(), charges)
def test_a_serving_campaign_always_has_room_for_one_charge(
    state: ControllerState | None, inp: TickInput, charge: int
) -> None:
    inp = replace(inp, max_charge_micros=charge)
    decision = controller.tick(state, inp)
    if decision.throttle > 0.0 and charge > 0:
        assert inp.rule.hard_cap_micros(inp.day_budget_micros) - inp.spent_today_micros >= charge


@given(states, tick_inputs(), charges, charges)
def test_a_larger_charge_never_gets_a_higher_rate(
    state: ControllerState | None, inp: TickInput, a: int, b: int
) -> None:
    small, large = sorted((a, b))
    low = controller.tick(state, replace(inp, max_charge_micros=small))
    high = controller.tick(state, replace(inp, max_charge_micros=large))
    assert high.throttle <= low.throttle


@given(
    charges_left=st.floats(min_value=1.0, max_value=200.0),
    click=st.integers(min_value=10_000, max_value=5_000_000),
)
def test_the_guard_keeps_room_for_poisson_noise_in_whole_charges(
    charges_left: float, click: int
) -> None:
    # A campaign far ahead of its curve would still be let through by the flow plan;
    # the guard must cap the expected number of charges λ so that λ + z·√λ fit.
    state = warm_state(throttle=1.0, rate_micros_per_second=2_000.0)
    probe = controller.tick(state, tick_input(rule=RULE, spent_today_micros=0))
    in_flight_free = tick_input(rule=RULE, spent_today_micros=0)
    spent = max(0, CAP - int(charges_left * click))
    decision = controller.tick(
        state, replace(in_flight_free, spent_today_micros=spent, max_charge_micros=click)
    )
    rate = decision.state.rate_estimate or 0.0
    expected_charges = decision.throttle * rate * in_flight_free.refresh_horizon_seconds / click
    headroom_charges = (CAP - spent) / click
    assert expected_charges + 1.5 * expected_charges**0.5 <= headroom_charges + 1e-9
    assert probe.throttle >= decision.throttle
