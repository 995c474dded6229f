"""Ad opportunities per minute: a daily cosine wave per region, Poisson noise, spikes and dips."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from ads.simulation.market.scenario import Region, Surge, Traffic

MINUTES_PER_DAY = 1440


def cosine_factor(local_hour: float, *, amplitude: float, peak_hour: float) -> float:
    """Relative traffic at a local hour: 1 + A cos(2π (h - peak) / 24), mean 1 over a day.

    The wave of Yahoo's pacing simulator (BudgetPacingSimulation, DailyCosineWave),
    written with the peak hour instead of a phase.
    """
    return 1.0 + amplitude * math.cos(2.0 * math.pi * (local_hour - peak_hour) / 24.0)


def poisson(rng: random.Random, mean: float) -> int:
    """A Poisson draw: Knuth's product of uniforms below 30, a rounded normal above.

    Above a mean of 30 the normal approximation's error is far below the minute-to-minute
    noise the simulation is about, and it costs one draw instead of `mean` draws.
    """
    if mean <= 0:
        return 0
    if mean < 30:
        limit, k, product = math.exp(-mean), 0, rng.random()
        while product > limit:
            k += 1
            product *= rng.random()
        return k
    return max(0, round(rng.gauss(mean, math.sqrt(mean))))


@dataclass(frozen=True)
class RegionTraffic:
    """One region's expected opportunities per minute at any UTC time."""

    region: Region
    per_minute: float
    amplitude: float
    surges: tuple[tuple[datetime, datetime, float], ...]

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.region.timezone)

    def expected(self, at: datetime, *, with_surges: bool = True) -> float:
        """Mean opportunities in the minute starting at `at` (UTC-aware)."""
        local = at.astimezone(self.tz)
        hour = local.hour + local.minute / 60.0
        mean = self.per_minute * cosine_factor(
            hour, amplitude=self.amplitude, peak_hour=self.region.peak_hour
        )
        if with_surges:
            for start, end, factor in self.surges:
                if start <= at < end:
                    mean *= factor
        return mean


def region_traffic(traffic: Traffic, first_day: datetime) -> list[RegionTraffic]:
    """Per region: its share of the daily volume and its surges placed in UTC.

    `first_day` is the scenario's first calendar day (midnight, any timezone); a surge's
    `day` counts from it in the region's own calendar.
    """
    total_share = sum(r.share for r in traffic.regions)
    out = []
    for region in traffic.regions:
        tz = ZoneInfo(region.timezone)
        placed = []
        for surge in traffic.surges:
            if surge.region == region.name:
                placed.append(_place(surge, first_day, tz))
        per_minute = traffic.opportunities_per_day * region.share / total_share / MINUTES_PER_DAY
        out.append(RegionTraffic(region, per_minute, traffic.amplitude, tuple(placed)))
    return out


def _place(surge: Surge, first_day: datetime, tz: ZoneInfo) -> tuple[datetime, datetime, float]:
    day = first_day.date() + timedelta(days=surge.day)
    hours = int(surge.local_hour)
    minutes = round((surge.local_hour - hours) * 60)
    start = datetime(day.year, day.month, day.day, hours, minutes, tzinfo=tz)
    start_utc = start.astimezone(ZoneInfo("UTC"))
    return start_utc, start_utc + timedelta(minutes=surge.minutes), surge.factor
