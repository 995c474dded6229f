"""The target spend curve over local days of 23, 24 and 25 hours."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ads.pacing.domain.curve import local_day_bounds, target_fraction, target_spend
from ads.pacing.domain.profile import DEFAULT_DIURNAL, TrafficProfile

NEW_YORK = ZoneInfo("America/New_York")
BERLIN = ZoneInfo("Europe/Berlin")

DAYS = [
    (NEW_YORK, date(2026, 3, 8), 23),
    (NEW_YORK, date(2026, 11, 1), 25),
    (NEW_YORK, date(2026, 6, 10), 24),
    (BERLIN, date(2026, 3, 29), 23),
    (BERLIN, date(2026, 10, 25), 25),
    (ZoneInfo("Asia/Kolkata"), date(2026, 3, 8), 24),
]


def only_hour(hour: int) -> TrafficProfile:
    return TrafficProfile(tuple(1.0 if h == hour else 0.0 for h in range(24)))


@pytest.mark.parametrize(("tz", "day", "hours"), DAYS)
def test_local_day_bounds_span_the_real_length_of_the_day(
    tz: ZoneInfo, day: date, hours: int
) -> None:
    start, end = local_day_bounds(day, tz)
    assert start.utcoffset() == timedelta(0)
    assert end - start == timedelta(hours=hours)
    assert start.astimezone(tz).replace(tzinfo=None) == datetime(day.year, day.month, day.day)


@pytest.mark.parametrize(("tz", "day", "hours"), DAYS)
def test_curve_runs_from_zero_to_one_and_never_goes_down(
    tz: ZoneInfo, day: date, hours: int
) -> None:
    start, end = local_day_bounds(day, tz)
    assert target_fraction(DEFAULT_DIURNAL, start, end, tz, start) == 0.0
    assert target_fraction(DEFAULT_DIURNAL, start, end, tz, end) == 1.0
    points = [start + timedelta(minutes=m) for m in range(0, hours * 60 + 1, 7)]
    fractions = [target_fraction(DEFAULT_DIURNAL, start, end, tz, t) for t in points]
    assert fractions == sorted(fractions)
    assert all(0.0 <= f <= 1.0 for f in fractions)


def test_curve_is_flat_before_and_after_the_day() -> None:
    start, end = local_day_bounds(date(2026, 6, 10), NEW_YORK)
    assert target_fraction(DEFAULT_DIURNAL, start, end, NEW_YORK, start - timedelta(hours=3)) == 0
    assert target_fraction(DEFAULT_DIURNAL, start, end, NEW_YORK, end + timedelta(hours=3)) == 1


def test_repeated_hour_counts_twice_on_a_25_hour_day() -> None:
    start, end = local_day_bounds(date(2026, 11, 1), NEW_YORK)
    first_one_am_ends = datetime(2026, 11, 1, 6, tzinfo=UTC)  # 01:00 EDT -> 01:00 EST
    fraction = target_fraction(only_hour(1), start, end, NEW_YORK, first_one_am_ends)
    assert fraction == pytest.approx(0.5)


def test_skipped_hour_counts_not_at_all_on_a_23_hour_day() -> None:
    start, end = local_day_bounds(date(2026, 3, 8), NEW_YORK)
    profile = TrafficProfile(tuple(1.0 if h in (1, 2) else 0.0 for h in range(24)))
    end_of_one_am = datetime(2026, 3, 8, 7, tzinfo=UTC)  # 02:00 EST never happens: 03:00 EDT
    assert target_fraction(profile, start, end, NEW_YORK, end_of_one_am) == pytest.approx(1.0)


def test_profile_only_in_the_skipped_hour_falls_back_to_a_straight_line() -> None:
    start, end = local_day_bounds(date(2026, 3, 8), NEW_YORK)
    middle = start + (end - start) / 2
    assert target_fraction(only_hour(2), start, end, NEW_YORK, middle) == pytest.approx(0.5)


def test_flat_profile_gives_a_straight_line_over_the_real_hours() -> None:
    flat = TrafficProfile((1.0,) * 24)
    start, end = local_day_bounds(date(2026, 11, 1), NEW_YORK)
    ten_hours_in = start + timedelta(hours=10)
    assert target_fraction(flat, start, end, NEW_YORK, ten_hours_in) == pytest.approx(10 / 25)


def test_target_spend_floors_and_gives_the_whole_budget_at_the_end() -> None:
    assert target_spend(1_000_001, 0.5) == 500_000
    assert target_spend(2**62 + 1, 1.0) == 2**62 + 1
    assert target_spend(10, 0.0) == 0
    assert target_spend(10, 1.5) == 10  # clamped


def test_naive_times_are_refused() -> None:
    start, end = local_day_bounds(date(2026, 6, 10), NEW_YORK)
    with pytest.raises(ValueError, match="timezone-aware"):
        target_fraction(DEFAULT_DIURNAL, start, end, NEW_YORK, datetime(2026, 6, 10, 12))


zones = st.sampled_from(
    [
        NEW_YORK,
        BERLIN,
        ZoneInfo("Australia/Lord_Howe"),
        ZoneInfo("America/Santiago"),
        ZoneInfo("UTC"),
    ]
)


@given(
    zones,
    st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31)),
    st.floats(min_value=-0.1, max_value=1.1),
    st.floats(min_value=-0.1, max_value=1.1),
)
def test_curve_is_monotone_and_bounded_on_any_day(
    tz: ZoneInfo, day: date, a: float, b: float
) -> None:
    start, end = local_day_bounds(day, tz)
    early, late = sorted((a, b))
    f_early = target_fraction(DEFAULT_DIURNAL, start, end, tz, start + (end - start) * early)
    f_late = target_fraction(DEFAULT_DIURNAL, start, end, tz, start + (end - start) * late)
    assert 0.0 <= f_early <= f_late <= 1.0


@given(st.integers(min_value=0, max_value=2**63 - 1), st.floats(0, 1), st.floats(0, 1))
def test_target_spend_is_monotone_and_within_budget(budget: int, a: float, b: float) -> None:
    low, high = sorted((a, b))
    assert 0 <= target_spend(budget, low) <= target_spend(budget, high) <= budget
