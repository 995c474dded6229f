"""The pacing controller: gates, statuses, the overdelivery guard and its invariants."""

from __future__ import annotations

import json
import math
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ads.campaigns.budget_rules import BudgetRule
from ads.campaigns.rules import PacingMode
from ads.pacing.domain.controller import (
    ControllerConfig,
    ControllerState,
    PacingController,
    PacingStatus,
    TickInput,
    effective_throttle,
)
from ads.pacing.domain.curve import target_fraction, target_spend
from ads.pacing.domain.profile import DEFAULT_DIURNAL

from .factories import (
    BUDGET,
    DAY_END,
    DAY_START,
    NEW_YORK,
    NOON,
    tick_input,
    warm_state,
)

controller = PacingController()


def on_curve(now: datetime = NOON) -> int:
    return target_spend(BUDGET, target_fraction(DEFAULT_DIURNAL, DAY_START, DAY_END, NEW_YORK, now))


@pytest.mark.parametrize(
    ("overrides", "status"),
    [
        ({"active": False}, PacingStatus.PAUSED),
        ({"ended": True}, PacingStatus.ENDED),
        ({"started": False}, PacingStatus.NOT_STARTED),
        ({"active": False, "ended": True}, PacingStatus.PAUSED),
        ({"spent_today_micros": BUDGET}, PacingStatus.EXHAUSTED),
        ({"spent_today_micros": BUDGET + 5}, PacingStatus.EXHAUSTED),
        ({"day_budget_micros": 0, "spent_today_micros": 0}, PacingStatus.EXHAUSTED),
    ],
)
@pytest.mark.parametrize("mode", list(PacingMode))
def test_campaigns_that_must_not_serve_get_zero_throttle(
    overrides: dict[str, object], status: PacingStatus, mode: PacingMode
) -> None:
    decision = controller.tick(warm_state(), tick_input(mode=mode, **overrides))
    assert decision.throttle == 0.0
    assert decision.status is status
    assert decision.state.throttle == 0.0
    assert decision.state.recent_throttles[-1] == 0.0


def test_exhausted_campaign_reports_nothing_remaining() -> None:
    decision = controller.tick(warm_state(), tick_input(spent_today_micros=BUDGET + 5))
    assert decision.remaining_micros == 0


def test_first_tick_without_estimate_starts_at_the_initial_rate() -> None:
    config = ControllerConfig(initial_rate=0.3)
    decision = PacingController(config).tick(None, tick_input(spent_today_micros=on_curve()))
    assert decision.throttle == 0.3
    assert decision.status is PacingStatus.LIMITED_BY_BUDGET
    assert decision.state.last_tick == NOON
    assert decision.state.rate_estimate is None


def test_accelerated_takes_all_traffic_while_budget_lasts() -> None:
    decision = controller.tick(warm_state(), tick_input(mode=PacingMode.ACCELERATED))
    assert decision.throttle == 1.0
    assert decision.status is PacingStatus.PACING


def test_accelerated_slows_down_when_the_horizon_would_overrun_the_cap() -> None:
    # 10,000 micros/s at full rate is 2.4M over the 240 s horizon; the cap leaves 1.1M.
    cap = BudgetRule().hard_cap_micros(BUDGET)
    spent = BUDGET - 100_000
    state = warm_state(throttle=0.0, rate_micros_per_second=10_000.0)  # nothing in flight
    decision = controller.tick(
        state, tick_input(mode=PacingMode.ACCELERATED, spent_today_micros=spent)
    )
    assert decision.throttle == pytest.approx((cap - spent) / 2_400_000)
    assert decision.status is PacingStatus.LIMITED_BY_BUDGET


def test_spend_in_flight_counts_against_the_cap() -> None:
    # At full rate for the whole horizon, 2.4M is in flight: more than the 1.1M headroom.
    state = warm_state(throttle=1.0, rate_micros_per_second=10_000.0)
    inp = tick_input(mode=PacingMode.ACCELERATED, spent_today_micros=BUDGET - 100_000)
    decision = controller.tick(state, replace(inp, spend_since_last_tick_micros=600_000))
    assert decision.throttle == 0.0
    assert decision.status is PacingStatus.EXHAUSTED


def test_a_campaign_far_behind_with_little_traffic_runs_at_full_rate() -> None:
    state = warm_state(throttle=1.0, rate_micros_per_second=10.0)
    decision = controller.tick(state, tick_input(spent_today_micros=0))
    assert decision.throttle == 1.0
    assert decision.status is PacingStatus.PACING  # traffic, not budget, is the limit


def test_on_curve_campaign_gets_the_rate_that_keeps_it_on_the_curve() -> None:
    rate = 2_000.0
    state = warm_state(throttle=0.0, rate_micros_per_second=rate)  # nothing in flight
    begin, end = NOON + timedelta(minutes=1), NOON + timedelta(minutes=2)
    decision = controller.tick(state, tick_input(spent_today_micros=on_curve(begin)))
    assert decision.throttle == pytest.approx((on_curve(end) - on_curve(begin)) / (rate * 60))
    assert decision.status is PacingStatus.LIMITED_BY_BUDGET


def test_behind_gets_more_and_ahead_gets_less_than_on_the_curve() -> None:
    state = warm_state()
    rates = [
        controller.tick(state, tick_input(spent_today_micros=on_curve() + delta)).throttle
        for delta in (-5_000_000, 0, 5_000_000)
    ]
    assert rates[0] > rates[1] > rates[2]


def test_small_gaps_inside_the_dead_band_change_nothing() -> None:
    state = warm_state()
    rates = {
        controller.tick(state, tick_input(spent_today_micros=on_curve() + delta)).throttle
        for delta in (-50_000, 0, 50_000)  # well inside 0.5% of what is left to pace
    }
    assert len(rates) == 1


def test_delayed_spend_is_divided_by_the_rate_that_bought_it() -> None:
    # Ran at 1.0 for a while, then dropped to 0.1: the spend reported now was bought at
    # 1.0 (one horizon ago), so the traffic estimate must not jump tenfold.
    rate = 2_000.0
    state = replace(
        warm_state(throttle=0.1, rate_micros_per_second=rate),
        recent_throttles=(1.0, 1.0, 1.0, 1.0, 0.1, 0.1, 0.1),
    )
    inp = tick_input(spend_since_last_tick_micros=int(rate * 60))
    learned = controller.tick(state, inp).state.rate_estimate
    assert learned == pytest.approx(rate)


def test_a_long_spell_at_a_tiny_rate_does_not_wash_out_the_estimate() -> None:
    state: ControllerState | None = warm_state(rate_micros_per_second=2_000.0)
    now = NOON
    for _ in range(120):
        # Zero spend reported while running at the floor: likely, and nearly no evidence.
        assert state is not None
        state = replace(state, recent_throttles=(0.001,) * 6)
        state = controller.tick(state, tick_input(now=now, spend_since_last_tick_micros=0)).state
        now += timedelta(minutes=1)
    assert state is not None
    assert state.rate_estimate is not None
    assert state.rate_estimate > 1_000.0


def test_ticking_twice_at_the_same_time_learns_once() -> None:
    inp = tick_input()
    once = controller.tick(warm_state(), inp)
    twice = controller.tick(once.state, inp)
    assert twice.state.rate_estimate == once.state.rate_estimate
    assert twice.throttle == once.throttle
    assert twice.state.recent_throttles == once.state.recent_throttles


def test_state_history_is_bounded_by_the_horizon() -> None:
    state = warm_state(ticks=50)
    decision = controller.tick(state, tick_input(refresh_horizon_seconds=240.0))
    assert len(decision.state.recent_throttles) == 6


def test_ad_group_rate_is_the_lower_of_campaign_and_ad_group() -> None:
    assert effective_throttle(0.7, 0.4) == 0.4
    assert effective_throttle(0.3, 0.9) == 0.3
    assert effective_throttle(0.3, None) == 0.3


def test_ad_group_state_records_the_rate_really_applied() -> None:
    state = warm_state(throttle=0.9).with_applied_throttle(0.2)
    assert state.throttle == 0.2
    assert state.recent_throttles[-1] == 0.2


def test_state_round_trips_through_json() -> None:
    state = warm_state()
    assert ControllerState.from_dict(json.loads(json.dumps(state.to_dict()))) == state
    assert ControllerState.from_dict(ControllerState(throttle=0.2).to_dict()).last_tick is None


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ({"tick_seconds": 0}, "tick_seconds"),
        ({"min_rate": 0.5, "initial_rate": 0.1}, "min_rate"),
        ({"gain": 0.0}, "gains"),
        ({"slope_gain": 1.5}, "gains"),
        ({"smoothing": 0.0}, "smoothing"),
        ({"dead_band_fraction": -0.1}, "dead band"),
    ],
)
def test_invalid_configs_are_refused(bad: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ControllerConfig(**bad)


def test_invalid_inputs_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        tick_input(now=datetime(2026, 6, 10, 12))  # naive
    with pytest.raises(ValueError, match="ends after"):
        tick_input(day_end=DAY_START)
    with pytest.raises(ValueError, match="budget"):
        tick_input(day_budget_micros=-1)


# --- properties over arbitrary states and inputs ------------------------------------

throttles = st.floats(min_value=0.0, max_value=1.0)
states = st.one_of(
    st.none(),
    st.builds(
        ControllerState,
        throttle=throttles,
        spend_sum_micros=st.floats(min_value=0, max_value=1e12),
        exposure_sum_seconds=st.floats(min_value=0, max_value=1e5),
        last_tick=st.one_of(
            st.none(),
            st.integers(min_value=-600, max_value=600).map(lambda s: NOON + timedelta(seconds=s)),
        ),
        recent_throttles=st.lists(throttles, max_size=8).map(tuple),
    ),
)
budgets = st.integers(min_value=0, max_value=10**13)


@st.composite
def tick_inputs(draw: st.DrawFn) -> TickInput:
    budget = draw(budgets)
    return tick_input(
        now=DAY_START + timedelta(seconds=draw(st.integers(0, 86_400))),
        day_budget_micros=budget,
        spent_today_micros=draw(st.integers(0, 2 * budget + 1)),
        spend_since_last_tick_micros=draw(st.integers(0, max(1, budget // 10))),
        mode=draw(st.sampled_from(list(PacingMode))),
        rule=BudgetRule(delivered_overdelivery_fraction=draw(st.sampled_from([0, 0.01, 0.1]))),
        refresh_horizon_seconds=draw(st.sampled_from([0.0, 30.0, 60.0, 240.0, 900.0])),
        active=draw(st.booleans()),
        started=draw(st.booleans()),
        ended=draw(st.booleans()),
    )


@given(states, tick_inputs())
def test_throttle_is_always_a_probability(state: ControllerState | None, inp: TickInput) -> None:
    decision = controller.tick(state, inp)
    assert 0.0 <= decision.throttle <= 1.0
    assert decision.state.throttle == decision.throttle
    assert decision.remaining_micros >= 0


@given(states, tick_inputs())
def test_no_decision_projects_spend_past_the_hard_cap(
    state: ControllerState | None, inp: TickInput
) -> None:
    decision = controller.tick(state, inp)
    rate = decision.state.rate_estimate
    if rate is None:
        return  # nothing to project with; the reported spend gates alone
    cap = inp.rule.hard_cap_micros(inp.day_budget_micros)
    projected = inp.spent_today_micros + rate * decision.throttle * inp.refresh_horizon_seconds
    assert decision.throttle == 0.0 or projected <= cap * (1 + 1e-9)


@given(states, tick_inputs(), st.integers(0, 10**13), st.integers(0, 10**13))
def test_more_spent_never_gets_a_higher_rate(
    state: ControllerState | None, inp: TickInput, a: int, b: int
) -> None:
    less, more = sorted((a, b))
    behind = controller.tick(state, replace(inp, spent_today_micros=less))
    ahead = controller.tick(state, replace(inp, spent_today_micros=more))
    assert behind.throttle >= ahead.throttle


def test_day_boundary_state_carries_the_estimate_into_the_next_day() -> None:
    state = warm_state(last_tick=DAY_END - timedelta(minutes=1))
    tomorrow_start = DAY_END
    tomorrow_end = DAY_END + timedelta(hours=24)
    inp = tick_input(
        now=tomorrow_start,
        day_start=tomorrow_start,
        day_end=tomorrow_end,
        spent_today_micros=0,
    )
    decision = controller.tick(state, inp)
    assert decision.state.rate_estimate is not None
    assert decision.status is PacingStatus.LIMITED_BY_BUDGET
    assert decision.target_spend_micros == 0
    assert math.isclose(decision.throttle, decision.state.throttle)
    assert datetime(2026, 6, 11, 4, tzinfo=UTC) == tomorrow_start  # EDT midnight


def test_an_exposure_too_small_to_divide_by_is_no_observation() -> None:
    """A discounted exposure can decay to a denormal; spend over it overflows to inf,
    and inf x 0 is NaN downstream. Such an exposure carries no evidence of traffic."""
    state = ControllerState(
        throttle=0.5,
        spend_sum_micros=1e12,
        exposure_sum_seconds=5e-324,
        slow_spend_sum_micros=1e12,
        slow_exposure_sum_seconds=5e-324,
        last_tick=NOON,
    )
    assert state.rate_estimate is None
    assert state.guard_rate_estimate is None
    decision = controller.tick(state, tick_input(now=NOON + timedelta(seconds=60)))
    assert 0.0 <= decision.throttle <= 1.0
