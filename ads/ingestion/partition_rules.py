"""Which daily partitions of delivery events must exist at a time, and which may go.

Pure: the names and bounds of the partitions (one per UTC day of `occurred_at`), the
days ingestion can write to at a moment, and the rule that a day's raw events are kept
at least as long as ingestion could still accept a retry of one of them.

Why `occurred_at`: an event is written to the partition of the time it happened, which
for nearly every event is the last few minutes, so the key that makes an event unique,
(`occurred_at`, `event_id`), is inserted at the right-hand edge of its index: the hot part
of the index is the last minutes' pages, however large the table grows (a unique index
on the random client id alone is written all over, and leaves memory once it outgrows
it). A partitioned table's unique key must contain the partition key, and this one does.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from ads.ingestion.rules import CLOCK_SKEW, MAX_EVENT_AGE

PARENT = "delivery_events"
_PREFIX = f"{PARENT}_p"
#: Partitions are created this many days ahead of today, so a scheduler outage of a few
#: days never leaves ingestion without one (ingestion also creates a missing one itself).
AHEAD_DAYS = 3
#: The fewest days of raw events kept: beyond every event ingestion may still accept
#: (MAX_EVENT_AGE), so a retried event always finds its first copy or is refused as too
#: old, and is never counted twice.
MIN_RETENTION_DAYS = MAX_EVENT_AGE.days + 1


def partition_name(day: date) -> str:
    return f"{_PREFIX}{day:%Y%m%d}"


def partition_day(name: str) -> date | None:
    """The day of a partition's name; None for any other table."""
    if not name.startswith(_PREFIX) or len(name) != len(_PREFIX) + 8:
        return None
    try:
        return datetime.strptime(name[len(_PREFIX) :], "%Y%m%d").replace(tzinfo=UTC).date()
    except ValueError:
        return None


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """[start, end) of a UTC day, the range of `occurred_at` its partition holds."""
    start = datetime.combine(day, time(), tzinfo=UTC)
    return start, start + timedelta(days=1)


def utc_day(moment: datetime) -> date:
    return moment.astimezone(UTC).date()


def writable_days(now: datetime) -> list[date]:
    """The days whose events ingestion accepts at `now` (too old and too early refused)."""
    first, last = utc_day(now - MAX_EVENT_AGE), utc_day(now + CLOCK_SKEW)
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def days_to_prepare(now: datetime, *, ahead_days: int = AHEAD_DAYS) -> list[date]:
    """Every day ingestion may write to from now until `ahead_days` from now."""
    days = writable_days(now)
    last = utc_day(now) + timedelta(days=ahead_days)
    while days[-1] < last:
        days.append(days[-1] + timedelta(days=1))
    return days


def expired(day: date, *, now: datetime, retention_days: int) -> bool:
    """Whether the raw events of `day` are past the retention window at `now`.

    Never before MIN_RETENTION_DAYS, whatever the setting: until then a retry of one of
    its events could still be accepted and must meet its first copy.
    """
    keep = timedelta(days=max(retention_days, MIN_RETENTION_DAYS))
    return day_bounds(day)[1] + keep <= now
