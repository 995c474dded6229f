"""The day's target spend curve: cumulative share of the local day's expected traffic."""

from __future__ import annotations

import math
from bisect import bisect_right
from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from ads.pacing.domain.profile import TrafficProfile
from ads.time import day_bounds

_HOUR = timedelta(hours=1)


def local_day_bounds(day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """UTC start and end of the advertiser's local day (23, 24 or 25 hours long)."""
    return day_bounds(day, tz)


def target_fraction(
    profile: TrafficProfile, day_start: datetime, day_end: datetime, tz: ZoneInfo, now: datetime
) -> float:
    """Share (0..1) of the local day's expected traffic that has passed by `now`.

    The day is walked in real UTC hours from local midnight; each hour weighs what the
    profile gives its local hour (on a 25-hour day the repeated hour counts twice, on a
    23-hour day the skipped one not at all), then the total is normalised so the curve
    runs from exactly 0 at `day_start` to exactly 1 at `day_end`. Traffic is taken as
    uniform inside an hour, so the curve is piecewise linear and monotone.
    """
    if now.tzinfo is None or day_start.tzinfo is None or day_end.tzinfo is None:
        raise ValueError("pacing times must be timezone-aware")
    if day_end <= day_start:
        raise ValueError("a day ends after it starts")
    if now <= day_start:
        return 0.0
    if now >= day_end:
        return 1.0
    starts, cumulative, rates = _segments(profile, day_start, day_end, tz)
    i = bisect_right(starts, (now - day_start).total_seconds()) - 1
    done = cumulative[i] + rates[i] * ((now - day_start).total_seconds() - starts[i])
    return min(1.0, max(0.0, done / cumulative[-1]))


def target_spend(budget_micros: int, fraction: float) -> int:
    """Integer micros the curve asks for at `fraction`, rounded down.

    Exact rational arithmetic, so a fraction of 1.0 gives the whole budget to the micro
    and the result is monotone in the fraction even for budgets beyond float precision.
    """
    if not math.isfinite(fraction):
        raise ValueError("fraction must be finite")
    # A float is exactly numerator/denominator: floor(budget * share) in integers.
    numerator, denominator = min(1.0, max(0.0, float(fraction))).as_integer_ratio()
    return budget_micros * numerator // denominator


@lru_cache(maxsize=4096)
def _segments(
    profile: TrafficProfile, day_start: datetime, day_end: datetime, tz: ZoneInfo
) -> tuple[tuple[float, ...], tuple[float, ...], tuple[float, ...]]:
    """Per real hour of the day: start offset (s), weight before it, weight per second.

    The last element of the cumulative list is the day's total weight. Cached: every
    campaign of an advertiser timezone shares the same day, and ticks come every minute.
    Campaigns with a learned profile each have their own: for them only the weighting
    below runs, the day's hours (`_hours`) are shared.
    """
    starts, lengths, local_hours = _hours(day_start, day_end, tz)
    cumulative: list[float] = [0.0]
    rates: list[float] = []
    for seconds, hour in zip(lengths, local_hours, strict=True):
        rate = profile.weight(hour) / 3600.0
        rates.append(rate)
        cumulative.append(cumulative[-1] + rate * seconds)
    if cumulative[-1] <= 0:
        # The profile has no traffic in any hour of this day (a profile concentrated in
        # a skipped hour): fall back to a straight line so the curve still reaches 1.
        rates = [1.0] * len(starts)
        cumulative = [0.0]
        for i, start in enumerate(starts):
            end = starts[i + 1] if i + 1 < len(starts) else (day_end - day_start).total_seconds()
            cumulative.append(cumulative[-1] + (end - start))
    return starts, tuple(cumulative), tuple(rates)


@lru_cache(maxsize=1024)
def _hours(
    day_start: datetime, day_end: datetime, tz: ZoneInfo
) -> tuple[tuple[float, ...], tuple[float, ...], tuple[int, ...]]:
    """Per real hour of the day: start offset (s), length (s), local hour of day."""
    starts: list[float] = []
    lengths: list[float] = []
    local_hours: list[int] = []
    cursor = day_start
    while cursor < day_end:
        stop = min(cursor + _HOUR, day_end)
        starts.append((cursor - day_start).total_seconds())
        lengths.append((stop - cursor).total_seconds())
        local_hours.append(cursor.astimezone(tz).hour)
        cursor = stop
    return tuple(starts), tuple(lengths), tuple(local_hours)
