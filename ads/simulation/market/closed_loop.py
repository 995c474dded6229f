"""One campaign alone against the controller for a day: the smallest closed loop.

No auction and no other campaigns: diurnal opportunities each minute (the market's own
Poisson draw), a fixed cost per win, spend reported after a delay, the ad server one poll
behind. The controller's own tests use it to check it follows its curve and lands on
budget; the full market (`loop`) is for comparing strategies.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from ads.campaigns.rules import PacingMode
from ads.pacing.domain.controller import ControllerConfig, PacingController, PacingStatus, TickInput
from ads.pacing.domain.curve import local_day_bounds, target_fraction, target_spend
from ads.pacing.domain.profile import DEFAULT_DIURNAL, TrafficProfile
from ads.simulation.market.traffic import poisson

MINUTE = timedelta(minutes=1)
NEW_YORK = ZoneInfo("America/New_York")


@dataclass
class DayRun:
    """What happened, minute by minute: true spend before each tick, targets, decisions."""

    budget_micros: int
    cap_micros: int
    true_spend_at_tick: list[int] = field(default_factory=list)
    target_at_tick: list[int] = field(default_factory=list)
    throttles: list[float] = field(default_factory=list)
    statuses: list[PacingStatus] = field(default_factory=list)
    total_micros: int = 0


def simulate_day(
    *,
    mode: PacingMode,
    budget_micros: int,
    seed: int = 7,
    day: date = date(2026, 6, 10),
    tz: ZoneInfo = NEW_YORK,
    peak_opportunities_per_minute: float = 400.0,
    cost_micros: int = 10_000,
    delay_minutes: int = 3,
    traffic: TrafficProfile = DEFAULT_DIURNAL,
    config: ControllerConfig | None = None,
) -> DayRun:
    """Run the controller every minute against Poisson-ish diurnal traffic.

    Traffic follows `traffic` (the controller assumes the default diurnal profile). The
    ad server polls once a minute, so minute m is served at the rate published at
    tick m - 1; each opportunity passing the throttle wins at a fixed cost; its spend
    is reported `delay_minutes` after its minute ends.
    """
    rng = random.Random(seed)
    controller = PacingController(config or ControllerConfig())
    day_start, day_end = local_day_bounds(day, tz)
    minutes = int((day_end - day_start) / MINUTE)
    horizon = (delay_minutes + 1) * 60.0
    peak = max(traffic.weights)
    spend: list[int] = []
    run = DayRun(budget_micros, budget_micros + budget_micros // 100)
    state = None
    published = 0.0
    for m in range(minutes):
        now = day_start + m * MINUTE
        visible = m - delay_minutes - 1  # last minute whose events have arrived
        reported = sum(spend[: max(0, visible + 1)])
        since_last = spend[visible] if visible >= 0 else 0
        decision = controller.tick(
            state,
            TickInput(
                now=now,
                day_start=day_start,
                day_end=day_end,
                tz=tz,
                day_budget_micros=budget_micros,
                spent_today_micros=reported,
                spend_since_last_tick_micros=since_last,
                mode=mode,
                refresh_horizon_seconds=horizon,
            ),
        )
        state = decision.state
        run.true_spend_at_tick.append(sum(spend))
        run.target_at_tick.append(
            target_spend(
                budget_micros, target_fraction(DEFAULT_DIURNAL, day_start, day_end, tz, now)
            )
        )
        run.throttles.append(decision.throttle)
        run.statuses.append(decision.status)
        # Serve minute m at the rate the ad server fetched before it (one poll late).
        weight = traffic.weight(now.astimezone(tz).hour) / peak
        spend.append(_served(rng, peak_opportunities_per_minute * weight, published) * cost_micros)
        published = decision.throttle
    run.total_micros = sum(spend)
    return run


def _served(rng: random.Random, mean_opportunities: float, throttle: float) -> int:
    """Poisson-ish opportunities, then a binomial draw of those passing the throttle."""
    n = poisson(rng, mean_opportunities)
    mean = n * throttle
    sd = math.sqrt(n * throttle * (1 - throttle))
    return min(n, max(0, round(rng.gauss(mean, sd))))
