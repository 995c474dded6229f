"""Pure calendar helpers for billing: UTC hours, ranges of local days, local months."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from ads.time import day_bounds

HOUR = timedelta(hours=1)


class Granularity(StrEnum):
    """How billing figures are grouped: per local day, or per local calendar month."""

    DAY = "DAY"
    MONTH = "MONTH"


def hour_floor(moment: datetime) -> datetime:
    """The start of the UTC hour containing `moment`."""
    return moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def days(start: date, end: date) -> Iterator[date]:
    """Days from `start` to `end`, both included."""
    current = start
    while current <= end:
        yield current
        current += timedelta(days=1)


def month_start(day: date) -> date:
    return day.replace(day=1)


def next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def month_bounds(month: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """UTC start and end of a calendar month of the advertiser's timezone."""
    return day_bounds(month, tz)[0], day_bounds(next_month(month), tz)[0]
