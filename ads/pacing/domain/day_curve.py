"""A campaign's local day as a chart: target and actual cumulative spend, and a projection.

The points are the day's start, every whole UTC hour inside it and its end, so a 23- or
25-hour day has 24 or 26 points, and a zone with a half-hour offset gets its half hours
at both ends: the hours are drawn as they are, never folded onto a 24-hour clock. The
moment the figures are read (`as_of`) is a point too, where the actual line stops and
the projection starts.

The projection is the pace of the last hour measured against the target curve, carried
forward along the rest of the curve: a campaign that spent 80% of what the curve asked
for over the last hour is projected to spend 80% of what the curve asks for until the
end of the day. It follows the traffic shape (a quiet night, an evening peak) because
the curve does, and it stops at the day's budget, beyond which the controller never
plans. A campaign that does not serve (paused, out of budget, ended) is projected flat.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from ads.pacing.domain.curve import target_fraction, target_spend
from ads.pacing.domain.profile import TrafficProfile

_HOUR = timedelta(hours=1)
#: How far back the projection measures the campaign's pace.
PACE_WINDOW = _HOUR


@dataclass(frozen=True, slots=True)
class HourSpend:
    """Delivery in one stretch of the day: a UTC hour, cut by the day's bounds."""

    start: datetime
    end: datetime
    spend_micros: int = 0
    impressions: int = 0
    clicks: int = 0


@dataclass(frozen=True, slots=True)
class CurvePoint:
    """Cumulative spend since the day's start at `at`: `actual` up to `as_of` (None after),
    `projected` from `as_of` on (None before)."""

    at: datetime
    target_micros: int
    actual_micros: int | None
    projected_micros: int | None


@dataclass(frozen=True, slots=True)
class DayCurve:
    day_start: datetime
    day_end: datetime
    as_of: datetime
    budget_micros: int
    hard_cap_micros: int
    points: tuple[CurvePoint, ...]
    hours: tuple[HourSpend, ...]

    @property
    def spent_micros(self) -> int:
        return sum(hour.spend_micros for hour in self.hours)

    @property
    def projected_end_micros(self) -> int:
        last = self.points[-1]
        assert last.projected_micros is not None
        return last.projected_micros


@dataclass(frozen=True, slots=True)
class DayInputs:
    """What the chart of one local day is drawn from.

    `hourly` maps the start of each stretch of the day (`stretches`) to what was
    aggregated there. `spent_micros`, `impressions` and `clicks` are the day's live
    counters: what they hold beyond the hourly rows (events of the last minutes, not
    aggregated yet) is counted in the stretch of `as_of`.
    """

    day_start: datetime
    day_end: datetime
    tz: ZoneInfo
    profile: TrafficProfile
    budget_micros: int
    hard_cap_micros: int
    as_of: datetime
    hourly: Mapping[datetime, HourSpend]
    spent_micros: int
    impressions: int = 0
    clicks: int = 0
    serving: bool = True


def stretches(day_start: datetime, day_end: datetime) -> list[tuple[datetime, datetime]]:
    """The day cut at every whole UTC hour: what the hourly delivery rows are keyed by."""
    if day_end <= day_start:
        raise ValueError("a day ends after it starts")
    cuts = [day_start]
    hour = day_start.replace(minute=0, second=0, microsecond=0)
    while (hour := hour + _HOUR) < day_end:
        cuts.append(hour)
    cuts.append(day_end)
    return list(itertools.pairwise(cuts))


def day_curve(inputs: DayInputs) -> DayCurve:
    """The chart of one day (see the module's docstring)."""
    start, end = inputs.day_start, inputs.day_end
    if not start <= inputs.as_of <= end:
        raise ValueError("as_of lies within the day")
    if inputs.budget_micros < 0 or inputs.hard_cap_micros < inputs.budget_micros:
        raise ValueError("a budget is non-negative and at most its hard cap")
    hours = _hours(inputs)
    cumulative = _cumulative(hours)
    spent = cumulative[-1][1]

    def fraction(moment: datetime) -> float:
        return target_fraction(inputs.profile, start, end, inputs.tz, moment)

    def target(moment: datetime) -> int:
        return target_spend(inputs.budget_micros, fraction(moment))

    pace = _pace(inputs, cumulative, spent, fraction) if inputs.serving else 0.0
    ceiling = max(spent, inputs.budget_micros)
    now_fraction = fraction(inputs.as_of)
    moments = sorted({*(cut for cut, _ in cumulative), inputs.as_of})
    points = []
    for moment in moments:
        actual = projected = None
        if moment <= inputs.as_of:
            actual = spent if moment == inputs.as_of else _actual_at(cumulative, moment)
        if moment >= inputs.as_of:
            ahead = pace * inputs.budget_micros * (fraction(moment) - now_fraction)
            projected = min(ceiling, spent + max(0, int(ahead)))
        points.append(CurvePoint(moment, target(moment), actual, projected))
    return DayCurve(
        start,
        end,
        inputs.as_of,
        inputs.budget_micros,
        inputs.hard_cap_micros,
        tuple(points),
        hours,
    )


def _hours(inputs: DayInputs) -> tuple[HourSpend, ...]:
    """Every stretch of the day, with the counters' unaggregated rest in `as_of`'s."""
    cuts = stretches(inputs.day_start, inputs.day_end)
    rows = [inputs.hourly.get(s) or HourSpend(s, e) for s, e in cuts]
    rest_spend = inputs.spent_micros - sum(r.spend_micros for r in rows)
    rest_impressions = inputs.impressions - sum(r.impressions for r in rows)
    rest_clicks = inputs.clicks - sum(r.clicks for r in rows)
    current = next((i for i, (s, e) in enumerate(cuts) if s <= inputs.as_of < e), len(cuts) - 1)
    row = rows[current]
    rows[current] = HourSpend(
        cuts[current][0],
        cuts[current][1],
        row.spend_micros + max(0, rest_spend),
        row.impressions + max(0, rest_impressions),
        row.clicks + max(0, rest_clicks),
    )
    return tuple(
        HourSpend(s, e, r.spend_micros, r.impressions, r.clicks)
        for (s, e), r in zip(cuts, rows, strict=True)
    )


def _cumulative(hours: Sequence[HourSpend]) -> list[tuple[datetime, int]]:
    """(moment, spend before it) at each cut of the day, the day's end last."""
    out = [(hours[0].start, 0)]
    for hour in hours:
        out.append((hour.end, out[-1][1] + hour.spend_micros))
    return out


def _actual_at(cumulative: Sequence[tuple[datetime, int]], moment: datetime) -> int:
    return next(total for cut, total in cumulative if cut == moment)


def _pace(
    inputs: DayInputs,
    cumulative: Sequence[tuple[datetime, int]],
    spent: int,
    fraction: Callable[[datetime], float],
) -> float:
    """Spend over the last hour divided by what the curve asked for over it.

    Measured from the last cut at least an hour before `as_of` (the day's start early
    in the day): whole stretches, whose hourly rows are settled. Early at midnight, when
    the curve has asked for nothing yet, the campaign is taken to follow the curve.
    """
    since = max(
        (cut for cut, _ in cumulative if cut <= inputs.as_of - PACE_WINDOW),
        default=inputs.day_start,
    )
    before = _actual_at(cumulative, since)
    asked = inputs.budget_micros * (fraction(inputs.as_of) - fraction(since))
    if asked <= 0:
        return 1.0
    return max(0.0, (spent - before) / asked)
