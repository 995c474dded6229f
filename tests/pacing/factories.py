"""Test data for the pacing controller: a mid-day tick and a warmed-up state."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from ads.pacing.domain.controller import ControllerState, TickInput
from ads.pacing.domain.curve import local_day_bounds

NEW_YORK = ZoneInfo("America/New_York")
DAY_START, DAY_END = local_day_bounds(date(2026, 6, 10), NEW_YORK)
NOON = DAY_START + timedelta(hours=12)
BUDGET = 100_000_000  # 100 units


def tick_input(**overrides: Any) -> TickInput:
    """A live STANDARD campaign at local noon, with half its budget spent."""
    base = TickInput(
        now=NOON,
        day_start=DAY_START,
        day_end=DAY_END,
        tz=NEW_YORK,
        day_budget_micros=BUDGET,
        spent_today_micros=BUDGET // 2,
        spend_since_last_tick_micros=60_000,
        refresh_horizon_seconds=240.0,
    )
    return replace(base, **overrides)


def warm_state(
    *,
    throttle: float = 0.5,
    rate_micros_per_second: float = 2_000.0,
    last_tick: datetime = NOON - timedelta(minutes=1),
    ticks: int = 6,
    exposure: float = 300.0,
) -> ControllerState:
    """A state that has run at `throttle` for a while and knows its traffic value from
    `exposure` throttle-seconds of it."""
    return ControllerState(
        throttle=throttle,
        spend_sum_micros=rate_micros_per_second * exposure,
        exposure_sum_seconds=exposure,
        last_tick=last_tick,
        recent_throttles=(throttle,) * ticks,
    )
