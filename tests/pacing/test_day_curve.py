"""A local day as a chart: points on real hours, actual spend, and the projection."""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ads.pacing.domain.curve import local_day_bounds, target_fraction, target_spend
from ads.pacing.domain.day_curve import DayInputs, HourSpend, day_curve, stretches
from ads.pacing.domain.profile import DEFAULT_DIURNAL, TrafficProfile

NEW_YORK = ZoneInfo("America/New_York")
KOLKATA = ZoneInfo("Asia/Kolkata")
DAYS = [
    (NEW_YORK, date(2026, 3, 8), 23),
    (NEW_YORK, date(2026, 11, 1), 25),
    (NEW_YORK, date(2026, 6, 10), 24),
    (ZoneInfo("Europe/Berlin"), date(2026, 10, 25), 25),
    (KOLKATA, date(2026, 6, 10), 24),
]
ZONES = ["America/New_York", "Europe/Berlin", "Asia/Kolkata", "Australia/Lord_Howe", "UTC"]


def inputs(tz: ZoneInfo, day: date, **fields: object) -> DayInputs:
    start, end = local_day_bounds(day, tz)
    values: dict[str, object] = {
        "day_start": start,
        "day_end": end,
        "tz": tz,
        "profile": DEFAULT_DIURNAL,
        "budget_micros": 100_000_000,
        "hard_cap_micros": 101_000_000,
        "as_of": end,
        "hourly": {},
        "spent_micros": 0,
    } | fields
    return DayInputs(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize(("tz", "day", "hours"), DAYS)
def test_a_day_is_drawn_on_its_real_hours(tz: ZoneInfo, day: date, hours: int) -> None:
    curve = day_curve(inputs(tz, day))
    assert len(curve.hours) == hours + (1 if tz is KOLKATA else 0)
    assert len(curve.points) == len(curve.hours) + 1
    assert curve.points[0].at == curve.day_start
    assert curve.points[-1].at == curve.day_end
    assert sum((h.end - h.start for h in curve.hours), timedelta()) == timedelta(hours=hours)
    assert curve.points[0].target_micros == 0
    assert curve.points[-1].target_micros == 100_000_000


def test_a_half_hour_zone_starts_and_ends_on_half_hours() -> None:
    cuts = stretches(*local_day_bounds(date(2026, 6, 10), KOLKATA))
    assert cuts[0][1] - cuts[0][0] == timedelta(minutes=30)
    assert cuts[-1][1] - cuts[-1][0] == timedelta(minutes=30)
    assert all(e - s == timedelta(hours=1) for s, e in cuts[1:-1])


def test_target_points_are_the_controllers_curve() -> None:
    tz, day = NEW_YORK, date(2026, 11, 1)
    curve = day_curve(inputs(tz, day))
    for point in curve.points:
        fraction = target_fraction(DEFAULT_DIURNAL, curve.day_start, curve.day_end, tz, point.at)
        assert point.target_micros == target_spend(100_000_000, fraction)


def test_actual_spend_is_cumulative_and_stops_at_the_reading() -> None:
    tz, day = NEW_YORK, date(2026, 6, 10)
    start, _end = local_day_bounds(day, tz)
    hour = timedelta(hours=1)
    hourly = {
        start + 2 * hour: HourSpend(start + 2 * hour, start + 3 * hour, 5_000_000, 10, 1),
        start + 5 * hour: HourSpend(start + 5 * hour, start + 6 * hour, 7_000_000, 20, 0),
    }
    as_of = start + timedelta(hours=6, minutes=30)
    curve = day_curve(
        inputs(tz, day, as_of=as_of, hourly=hourly, spent_micros=13_500_000, impressions=31)
    )
    actual = {p.at: p.actual_micros for p in curve.points}
    assert actual[start + 3 * hour] == 5_000_000
    assert actual[start + 6 * hour] == 12_000_000
    assert actual[as_of] == 13_500_000  # the live counter, ahead of the hourly rows
    assert all(v is None for at, v in actual.items() if at > as_of)
    # What the rows do not hold yet is the current hour's.
    current = next(h for h in curve.hours if h.start <= as_of < h.end)
    assert (current.spend_micros, current.impressions) == (1_500_000, 1)
    assert curve.spent_micros == 13_500_000


def test_a_campaign_on_its_curve_is_projected_to_its_budget() -> None:
    tz, day = NEW_YORK, date(2026, 6, 10)
    start, end = local_day_bounds(day, tz)
    as_of = start + timedelta(hours=15)
    hourly, cuts = {}, stretches(start, end)
    for s, e in cuts:
        if e <= as_of:
            frac = target_fraction(DEFAULT_DIURNAL, start, end, tz, e)
            previous = target_fraction(DEFAULT_DIURNAL, start, end, tz, s)
            hourly[s] = HourSpend(s, e, round(100_000_000 * (frac - previous)))
    spent = sum(h.spend_micros for h in hourly.values())
    curve = day_curve(inputs(tz, day, as_of=as_of, hourly=hourly, spent_micros=spent))
    assert curve.projected_end_micros == pytest.approx(100_000_000, rel=1e-3)


def test_a_campaign_at_half_pace_is_projected_to_half_the_rest() -> None:
    tz, day = NEW_YORK, date(2026, 6, 10)
    start, end = local_day_bounds(day, tz)
    as_of = start + timedelta(hours=12)
    cuts = [c for c in stretches(start, end) if c[1] <= as_of]
    hourly = {}
    for s, e in cuts:
        asked = target_fraction(DEFAULT_DIURNAL, start, end, tz, e) - target_fraction(
            DEFAULT_DIURNAL, start, end, tz, s
        )
        hourly[s] = HourSpend(s, e, round(50_000_000 * asked))
    spent = sum(h.spend_micros for h in hourly.values())
    curve = day_curve(inputs(tz, day, as_of=as_of, hourly=hourly, spent_micros=spent))
    rest = 1 - target_fraction(DEFAULT_DIURNAL, start, end, tz, as_of)
    assert curve.projected_end_micros == pytest.approx(spent + 50_000_000 * rest, rel=1e-3)


def test_a_campaign_that_does_not_serve_is_projected_flat() -> None:
    tz, day = NEW_YORK, date(2026, 6, 10)
    start, _ = local_day_bounds(day, tz)
    as_of = start + timedelta(hours=10)
    eight = start + timedelta(hours=8)
    hourly = {eight: HourSpend(eight, eight + timedelta(hours=1), 9_000_000)}
    curve = day_curve(
        inputs(tz, day, as_of=as_of, hourly=hourly, spent_micros=9_000_000, serving=False)
    )
    assert {p.projected_micros for p in curve.points if p.at >= as_of} == {9_000_000}


def test_a_reading_outside_the_day_or_a_budget_over_its_cap_is_refused() -> None:
    tz, day = NEW_YORK, date(2026, 6, 10)
    _, end = local_day_bounds(day, tz)
    with pytest.raises(ValueError, match="as_of"):
        day_curve(inputs(tz, day, as_of=end + timedelta(seconds=1)))
    with pytest.raises(ValueError, match="hard cap"):
        day_curve(inputs(tz, day, hard_cap_micros=1))


@st.composite
def days(draw: st.DrawFn) -> DayInputs:
    tz = ZoneInfo(draw(st.sampled_from(ZONES)))
    day = draw(st.dates(min_value=date(2024, 1, 1), max_value=date(2028, 12, 31)))
    start, end = local_day_bounds(day, tz)
    seconds = int((end - start).total_seconds())
    as_of = start + timedelta(seconds=draw(st.integers(0, seconds)))
    weights = draw(st.lists(st.floats(0.01, 10), min_size=24, max_size=24))
    budget = draw(st.integers(0, 10**15))
    hourly = {}
    for s, e in stretches(start, end):
        if e <= as_of and draw(st.booleans()):
            hourly[s] = HourSpend(s, e, draw(st.integers(0, 10**13)), draw(st.integers(0, 9)))
    extra = draw(st.integers(0, 10**12))
    return DayInputs(
        day_start=start,
        day_end=end,
        tz=tz,
        profile=TrafficProfile(tuple(weights)),
        budget_micros=budget,
        hard_cap_micros=budget + budget // 100,
        as_of=as_of,
        hourly=hourly,
        spent_micros=sum(h.spend_micros for h in hourly.values()) + extra,
        serving=draw(st.booleans()),
    )


@given(days())
def test_curves_are_monotone_and_meet_at_the_reading(day: DayInputs) -> None:
    curve = day_curve(day)
    times = [p.at for p in curve.points]
    assert times == sorted(set(times))
    assert curve.as_of in times
    targets = [p.target_micros for p in curve.points]
    assert targets == sorted(targets)
    assert targets[-1] == day.budget_micros
    actual = [p.actual_micros for p in curve.points if p.at <= day.as_of]
    assert None not in actual
    assert actual == sorted(actual)  # type: ignore[type-var]
    assert actual[-1] == day.spent_micros == curve.spent_micros
    assert all(p.actual_micros is None for p in curve.points if p.at > day.as_of)
    projected = [p.projected_micros for p in curve.points if p.at >= day.as_of]
    assert projected[0] == day.spent_micros
    assert projected == sorted(projected)  # type: ignore[type-var]
    assert curve.projected_end_micros <= max(day.spent_micros, day.budget_micros)
    assert all(p.projected_micros is None for p in curve.points if p.at < day.as_of)
    assert sum(h.spend_micros for h in curve.hours) == day.spent_micros
    assert curve.hours[0].start == day.day_start
    assert curve.hours[-1].end == day.day_end


def test_midnight_reading_assumes_the_curve_is_followed() -> None:
    tz, day = NEW_YORK, date(2026, 6, 10)
    start, _ = local_day_bounds(day, tz)
    curve = day_curve(inputs(tz, day, as_of=start))
    assert curve.projected_end_micros == 100_000_000
