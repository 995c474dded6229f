"""Pacing strategies behind one small interface, so one market can be replayed under each.

A strategy sees what the pacing service sees at a tick (reported spend, which lags the
truth by the event delay) and returns the throttle the ad server will apply after its
next poll. A strategy may also publish a bid cap per campaign (`bid_cap(key)`, the
largest single charge until the next refresh, None: uncapped); only production does.
Every strategy also gets the same budget stop from the market: once reported spend
reaches the day's budget the campaign stops serving, and the ad server never spends past
the hard cap (the headroom published with every decision,
`ads.simulation.backends.memory.Headroom`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from zoneinfo import ZoneInfo


@dataclass(frozen=True, slots=True, kw_only=True)
class Observation:
    """One campaign at one tick, as the pacing service knows it."""

    now: datetime
    day_start: datetime
    day_end: datetime
    tz: ZoneInfo
    day_budget_micros: int
    reported_today_micros: int
    reported_since_last_tick_micros: int
    refresh_horizon_seconds: float
    #: The ad server's polling period (None: the controller's tick interval).
    poll_seconds: float | None = None
    usd_per_unit: float = 1.0
    #: The campaign's largest single charge (`ads.pacing.domain.budget.single_charge_micros`).
    max_charge_micros: int = 0
    #: Whether the ad server holds a headroom with the decision (the hard cap less
    #: the spend reported, against which it counts its own spend since).
    cap_held: bool = False

    @property
    def day_fraction(self) -> float:
        """Share of the local day's real time (23, 24 or 25 hours) that has passed."""
        total = (self.day_end - self.day_start).total_seconds()
        return min(1.0, max(0.0, (self.now - self.day_start).total_seconds() / total))


class Strategy(Protocol):
    """Decides a campaign's throttle each tick; keeps its own per-campaign memory."""

    name: str

    def throttle(self, key: int, obs: Observation) -> float: ...
