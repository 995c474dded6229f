"""Mystique's published update rule, checked against values worked out by hand."""

from __future__ import annotations

import pytest

from ads.simulation.strategies.mystique import mystique_update


def test_behind_and_slow_raises_the_signal_by_both_corrections() -> None:
    # e = -0.1, g = -0.5: T = -1440 * -0.1 / -0.5 < 0, so w1 = w2 = 0.5.
    # Δe = 0.025 * 0.1 / 0.25 = 0.01; Δg = max(0.01, 0.025 * 0.5 / 1.5) = 0.01.
    ps = mystique_update(
        previous_ps=0.5, spend_error=-0.1, gradient_error=-0.5, iterations_per_day=1440
    )
    assert ps == pytest.approx(0.5 + 0.5 * 0.01 + 0.5 * 0.01)


def test_behind_but_catching_up_weighs_the_spend_error_by_time_to_target() -> None:
    # e = -0.001, g = +1: T = 1.44 intervals, w1 = 0.288, w2 = 0.712.
    # Δe = 0.025 * 0.004 = 0.0001; Δg = 0.025 / 1.5.
    ps = mystique_update(
        previous_ps=0.5, spend_error=-0.001, gradient_error=1.0, iterations_per_day=1440
    )
    assert ps == pytest.approx(0.5 + 0.288 * 0.0001 - 0.712 * 0.025 / 1.5)


def test_signal_stays_within_its_bounds() -> None:
    low = mystique_update(
        previous_ps=0.0001, spend_error=0.5, gradient_error=5.0, iterations_per_day=1440
    )
    high = mystique_update(
        previous_ps=1.0, spend_error=-0.5, gradient_error=-1.0, iterations_per_day=1440
    )
    assert (low, high) == (0.0001, 1.0)
