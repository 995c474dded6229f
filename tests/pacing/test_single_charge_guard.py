"""The single-charge guard and the budget-aware bid cap.

With bid capping (the campaign decision, applied by the ad server), a campaign whose bid
exceeds the headroom under the hard cap keeps serving with a bid cap no larger than the
headroom; without it (an ad group's own cap, `bid_capping=False`) it stops as soon as one
more charge at its full bid could cross the cap by itself.
"""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ads.campaigns.budget_rules import BudgetRule
from ads.campaigns.rules import BillingEvent, PacingMode
from ads.pacing.domain.budget import single_charge_micros
from ads.pacing.domain.controller import ControllerState, PacingController, PacingStatus, TickInput

from .factories import BUDGET, DAY_END, tick_input, warm_state
from .test_controller import states, tick_inputs

controller = PacingController()
RULE = BudgetRule(delivered_overdelivery_fraction=0.01)
CAP = RULE.hard_cap_micros(BUDGET)  # 101 units
#: No allowance: the hard cap is the budget, so a headroom below one micro is reachable
#: while spend is still under the budget (the gate stops a spent budget first).
NO_ALLOWANCE = BudgetRule(delivered_overdelivery_fraction=0)
CLICK = 5_000_000  # one click: 5% of the budget


@pytest.mark.parametrize("mode", list(PacingMode))
def test_without_bid_capping_a_campaign_stops_when_one_charge_could_cross_the_cap(
    mode: PacingMode,
) -> None:
    # No traffic estimate yet: nothing in flight, so the headroom is cap - spent.
    inp = tick_input(
        mode=mode,
        rule=RULE,
        spent_today_micros=CAP - CLICK + 1,
        max_charge_micros=CLICK,
        bid_capping=False,
    )
    decision = controller.tick(None, inp)
    assert decision.throttle == 0.0
    assert decision.status is PacingStatus.EXHAUSTED
    assert decision.remaining_micros == BUDGET - inp.spent_today_micros
    assert decision.max_charge_micros is None


@pytest.mark.parametrize("mode", list(PacingMode))
def test_with_bid_capping_it_keeps_serving_at_a_bid_cap_within_the_headroom(
    mode: PacingMode,
) -> None:
    # (Was: the campaign stops.) The bid cap replaces the stop: one more click may cost
    # at most the headroom, so the campaign can fill its budget to within the allowance.
    spent = CAP - CLICK + 1
    inp = tick_input(mode=mode, rule=RULE, spent_today_micros=spent, max_charge_micros=CLICK)
    decision = controller.tick(None, inp)
    assert decision.throttle > 0.0
    assert decision.max_charge_micros is not None
    assert 1 <= decision.max_charge_micros <= CAP - spent < CLICK


def test_headroom_of_exactly_one_charge_still_serves() -> None:
    inp = tick_input(rule=RULE, spent_today_micros=CAP - CLICK, max_charge_micros=CLICK)
    assert controller.tick(None, inp).throttle > 0.0
    assert controller.tick(None, replace(inp, bid_capping=False)).throttle > 0.0


def test_a_bid_that_fits_many_times_is_not_capped() -> None:
    inp = tick_input(rule=RULE, spent_today_micros=BUDGET // 2, max_charge_micros=CLICK)
    decision = controller.tick(warm_state(), inp)
    assert decision.throttle > 0.0
    assert decision.max_charge_micros is None


def test_spend_in_flight_counts_against_the_headroom_for_one_charge() -> None:
    # Its estimate holds more than one click's spend (6,000,000 micros): it is known.
    state = warm_state(throttle=1.0, rate_micros_per_second=2_000.0, exposure=3_000.0)
    # 4 minutes in flight at rate 1 and 2,000 micros/s: about 480,000 micros.
    spent = CAP - CLICK - 100_000
    without = controller.tick(state, tick_input(rule=RULE, spent_today_micros=spent))
    assert without.throttle > 0.0
    inp = tick_input(rule=RULE, spent_today_micros=spent, max_charge_micros=CLICK)
    guarded = controller.tick(state, replace(inp, bid_capping=False))
    assert guarded.throttle == 0.0
    assert guarded.status is PacingStatus.EXHAUSTED
    capped = controller.tick(state, inp)
    assert capped.throttle > 0.0
    assert capped.max_charge_micros is not None
    # The bid cap leaves room for the spend in flight, not just cap - spent.
    assert capped.max_charge_micros <= CAP - spent - 480_000 + 2_000 * 60


def test_a_bid_above_the_whole_cap_never_serves_without_bid_capping() -> None:
    inp = tick_input(rule=RULE, spent_today_micros=0, max_charge_micros=CAP + 1)
    assert controller.tick(None, replace(inp, bid_capping=False)).status is PacingStatus.EXHAUSTED
    capped = controller.tick(None, inp)  # with bid capping it serves, bids capped
    assert capped.throttle > 0.0
    assert capped.max_charge_micros is not None
    assert capped.max_charge_micros <= CAP


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
def test_without_bid_capping_a_serving_campaign_always_has_room_for_one_charge(
    state: ControllerState | None, inp: TickInput, charge: int
) -> None:
    inp = replace(inp, max_charge_micros=charge, bid_capping=False)
    decision = controller.tick(state, inp)
    assert decision.max_charge_micros is None
    if decision.throttle > 0.0 and charge > 0:
        assert inp.rule.hard_cap_micros(inp.day_budget_micros) - inp.spent_today_micros >= charge


@given(states, tick_inputs(), charges)
def test_the_published_bid_cap_never_lets_one_charge_cross_the_cap(
    state: ControllerState | None, inp: TickInput, charge: int
) -> None:
    inp = replace(inp, max_charge_micros=charge)
    decision = controller.tick(state, inp)
    cap = decision.max_charge_micros
    if decision.throttle <= 0.0 or charge <= 0:
        assert cap is None
        return
    largest = charge if cap is None else cap
    assert cap is None or 1 <= cap < charge
    assert largest <= inp.rule.hard_cap_micros(inp.day_budget_micros) - inp.spent_today_micros


#: The lump allowance off: a lead of up to one charge left alone is the one place the
#: plan itself depends on the charge (whole charges make a larger charge's spend lumpier).
without_lumps = PacingController(replace(controller.config, lump_share=0.0))


@given(states, tick_inputs(), charges, charges)
def test_a_larger_charge_never_buys_more_charges_of_its_size(
    state: ControllerState | None, inp: TickInput, a: int, b: int
) -> None:
    # Not "never a higher rate": with the same number of charges fitting under the cap
    # (3 or 4 micros into a headroom of 4), larger charges arrive less often for the same
    # spend, so the guard rightly lets them run a little faster. What the guard bounds is
    # the number of charges a rate buys, rate / charge per unit of traffic.
    small, large = sorted((max(1, a), max(1, b)))
    low = without_lumps.tick(state, replace(inp, max_charge_micros=small))
    high = without_lumps.tick(state, replace(inp, max_charge_micros=large))
    assert high.throttle * small <= low.throttle * large * (1 + 1e-9)


@given(states, tick_inputs(), charges)
def test_the_lump_allowance_never_lowers_a_rate(
    state: ControllerState | None, inp: TickInput, charge: int
) -> None:
    inp = replace(inp, max_charge_micros=charge)
    assert controller.tick(state, inp).throttle >= without_lumps.tick(state, inp).throttle


def _poisson_tail(k: int, mean: float) -> float:
    """P(N > k) for N ~ Poisson(mean), summed independently of the code under test."""
    term = total = math.exp(-mean)
    for i in range(1, k + 1):
        term *= mean / i
        total += term
    return 1.0 - total


@given(
    charges_left=st.floats(min_value=0.01, max_value=200.0),
    click=st.integers(min_value=10_000, max_value=5_000_000),
    in_flight_throttle=st.sampled_from([0.0, 0.3, 1.0]),
)
def test_unseen_spend_crosses_the_cap_with_at_most_the_accepted_risk(
    charges_left: float, click: int, in_flight_throttle: float
) -> None:
    # Everything not reported yet, what is in flight and what the next horizon buys at
    # the decided throttle, counted in charges of the largest size the campaign can pay
    # (its bid cap, or its click): more than fit under the hard cap happens with a
    # Poisson probability of at most the configured risk.
    state = warm_state(throttle=in_flight_throttle, rate_micros_per_second=2_000.0)
    base = tick_input(rule=NO_ALLOWANCE, spent_today_micros=0)
    spent = max(0, BUDGET - max(1, int(charges_left * click)))
    inp = replace(base, spent_today_micros=spent, max_charge_micros=click)
    decision = controller.tick(state, inp)
    headroom = BUDGET - spent
    if decision.throttle <= 0.0:
        assert decision.status is PacingStatus.EXHAUSTED
        return
    largest = decision.max_charge_micros or click
    assert largest <= click
    rate = decision.state.guard_rate_estimate or 0.0
    in_flight = rate * controller._unseen_exposure(state.recent_throttles, inp)
    # The new rate buys until the next decision takes over: a tick and half a poll
    # (the poll is the tick here).
    ahead = 1.5 * controller.config.tick_seconds
    unseen = in_flight + decision.throttle * rate * ahead
    fits = headroom // largest
    assert _poisson_tail(int(fits), unseen / largest) <= controller.config.guard_risk * 1.001


def test_near_the_cap_a_lower_bid_cap_keeps_a_campaign_serving() -> None:
    # One and a half clicks of headroom, a busy campaign: at its full bid the chance of
    # two clicks before the controller sees the first is too high for a useful
    # throttle, so the guard halves the charge at most and lets more of them through.
    late = DAY_END - timedelta(minutes=30)  # behind the curve: the plan wants more
    state = warm_state(
        throttle=0.05, rate_micros_per_second=20_000.0, last_tick=late - timedelta(minutes=1)
    )
    spent = CAP - CLICK * 3 // 2
    inp = tick_input(
        now=late, rule=RULE, spent_today_micros=spent, max_charge_micros=CLICK,
        spend_since_last_tick_micros=0,
    )  # fmt: skip
    decision = controller.tick(state, inp)
    assert decision.throttle > 0.0
    assert decision.max_charge_micros is not None
    assert CLICK // 2 <= decision.max_charge_micros < CLICK


def test_a_quiet_spell_does_not_open_the_throttle_near_the_cap() -> None:
    # The fast estimate forgot the traffic during a quiet spell; the slow one has not,
    # and the guard plans on the larger, so a burst of wins cannot cross the cap.
    late = DAY_END - timedelta(minutes=2)  # behind the curve: the plan wants more
    busy = warm_state(throttle=0.05, rate_micros_per_second=100_000.0)
    quiet = replace(
        busy,
        # A click's spend over a long quiet exposure: 1 micro a second.
        spend_sum_micros=CLICK,
        exposure_sum_seconds=CLICK / 1.0,
        slow_spend_sum_micros=busy.spend_sum_micros,
        slow_exposure_sum_seconds=busy.exposure_sum_seconds,
        last_tick=late - timedelta(minutes=1),
    )
    forgetful = replace(quiet, slow_spend_sum_micros=0.0, slow_exposure_sum_seconds=0.0)
    inp = tick_input(
        now=late, rule=RULE, spent_today_micros=CAP - 2 * CLICK,
        spend_since_last_tick_micros=0, max_charge_micros=CLICK,
    )  # fmt: skip
    remembered = controller.tick(quiet, inp)
    forgot = controller.tick(forgetful, inp)
    assert forgot.throttle == 1.0
    assert 0.0 < remembered.throttle < 0.5


def test_when_the_ad_server_holds_the_headroom_the_guard_accepts_more_near_the_cap() -> None:
    # Late and behind the curve, two clicks of headroom: crossing the cap is a risk
    # worth cutting the rate for; reaching it, where the ad server stops the campaign,
    # is worth less of a cut.
    late = DAY_END - timedelta(minutes=30)
    state = warm_state(
        throttle=0.05, rate_micros_per_second=20_000.0, last_tick=late - timedelta(minutes=1)
    )
    inp = tick_input(
        now=late, rule=RULE, spent_today_micros=CAP - 2 * CLICK, max_charge_micros=CLICK,
        spend_since_last_tick_micros=0,
    )  # fmt: skip
    alone = controller.tick(state, inp)
    held = controller.tick(state, replace(inp, cap_held=True))
    assert 0.0 < alone.throttle < held.throttle
    # Far from the cap the limit changes nothing.
    far = replace(inp, spent_today_micros=BUDGET // 2)
    assert controller.tick(state, far) == controller.tick(state, replace(far, cap_held=True))
