"""Time rules: UTC storage, IANA timezones, and the advertiser's local day (23–25 hours)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from ads.errors import Invalid


def utcnow() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


def from_epoch(seconds: float) -> datetime:
    """The UTC instant of a scheduler slot (epoch seconds)."""
    return datetime.fromtimestamp(seconds, UTC)


def validate_timezone(name: str) -> str:
    """Return an IANA timezone name if this machine's tz database knows it, else raise."""
    if not isinstance(name, str) or not name or name not in _known_zones():
        raise Invalid(f"unknown IANA timezone {name!r}", field="timezone", code="INVALID_TIMEZONE")
    return name


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(validate_timezone(name))
    except ZoneInfoNotFoundError:
        raise Invalid(
            f"unknown IANA timezone {name!r}", field="timezone", code="INVALID_TIMEZONE"
        ) from None


def as_utc(value: datetime, *, field: str = "time") -> datetime:
    """A timezone-aware datetime in UTC; naive datetimes are refused, never guessed."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise Invalid("time must carry a timezone offset", field=field, code="INVALID_TIME")
    return value.astimezone(UTC)


def iso_utc(moment: datetime) -> str:
    """An aware datetime as ISO 8601 in UTC with a `Z`, as the APIs print times."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def local_day(moment: datetime, tz: ZoneInfo) -> date:
    """The advertiser's calendar day that contains `moment`."""
    return as_utc(moment).astimezone(tz).date()


def day_bounds(day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """UTC start and end of a local day; 23 or 25 hours long around daylight saving."""
    start = datetime(day.year, day.month, day.day, tzinfo=tz)
    following = day + timedelta(days=1)
    end = datetime(following.year, following.month, following.day, tzinfo=tz)
    return start.astimezone(UTC), end.astimezone(UTC)


_ZONES: frozenset[str] | None = None


def _known_zones() -> frozenset[str]:
    global _ZONES
    if _ZONES is None:
        _ZONES = frozenset(available_timezones())
    return _ZONES
