from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from ads.errors import Invalid
from ads.time import as_utc, day_bounds, iso_utc, local_day, validate_timezone


@pytest.mark.parametrize(
    ("tz", "day", "hours"),
    [
        ("America/New_York", date(2026, 3, 8), 23),
        ("America/New_York", date(2026, 11, 1), 25),
        ("Europe/Berlin", date(2026, 3, 29), 23),
        ("Europe/Berlin", date(2026, 10, 25), 25),
        ("Asia/Tokyo", date(2026, 3, 8), 24),
    ],
)
def test_local_days_are_23_24_or_25_hours(tz: str, day: date, hours: int) -> None:
    start, end = day_bounds(day, ZoneInfo(tz))
    assert end - start == timedelta(hours=hours)
    assert start.tzinfo is UTC


def test_local_day_of_a_moment_depends_on_the_advertiser_timezone() -> None:
    moment = datetime(2026, 11, 26, 3, 0, tzinfo=UTC)
    assert local_day(moment, ZoneInfo("America/New_York")) == date(2026, 11, 25)
    assert local_day(moment, ZoneInfo("Asia/Tokyo")) == date(2026, 11, 26)


def test_naive_times_and_unknown_zones_are_refused() -> None:
    with pytest.raises(Invalid, match="timezone offset"):
        as_utc(datetime(2026, 1, 1))
    with pytest.raises(Invalid, match="IANA"):
        validate_timezone("Mars/Olympus_Mons")


def test_iso_utc_prints_any_aware_time_in_utc_with_a_z() -> None:
    tokyo = datetime(2026, 11, 27, 9, 30, tzinfo=ZoneInfo("Asia/Tokyo"))
    assert iso_utc(tokyo) == "2026-11-27T00:30:00Z"
