"""Daylight-saving days and half-hour zones: local days are exact unions of aggregate rows."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from ads.billing.domain.budget_history import FieldChange, value_at
from ads.billing.domain.calendar import month_bounds
from ads.time import day_bounds

ZONES = [
    "America/New_York",
    "Europe/Paris",
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "Australia/Lord_Howe",
    "Asia/Tokyo",
    "UTC",
]


def test_dst_days_are_23_and_25_hours() -> None:
    tz = ZoneInfo("America/New_York")
    start, end = day_bounds(date(2026, 3, 8), tz)
    assert end - start == timedelta(hours=23)
    start, end = day_bounds(date(2026, 11, 1), tz)
    assert end - start == timedelta(hours=25)


def test_month_bounds_follow_the_local_calendar() -> None:
    start, end = month_bounds(date(2026, 11, 1), ZoneInfo("Asia/Tokyo"))
    assert start == datetime(2026, 10, 31, 15, tzinfo=UTC)
    assert end == datetime(2026, 11, 30, 15, tzinfo=UTC)


def test_budget_in_force_is_the_value_at_the_end_of_the_day() -> None:
    end = datetime(2026, 3, 2, 5, tzinfo=UTC)
    changes = [
        FieldChange(end - timedelta(hours=3), 100, 50),  # during the day: applies
        FieldChange(end + timedelta(hours=1), 50, 500),  # next day: does not
    ]
    assert value_at(500, changes, end) == 50
    assert value_at(500, changes, end - timedelta(hours=5)) == 100
    assert value_at(500, [], end) == 500
