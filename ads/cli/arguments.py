"""What every command shares: the handler type, argument parsers, waiting for a signal."""

from __future__ import annotations

import argparse
import signal
import threading
from collections.abc import Callable
from datetime import UTC, date, datetime

from ads.config import Settings
from ads.errors import Invalid
from ads.node_ids import InvalidId, parse_id, row_id
from ads.time import iso_utc, utcnow

Handler = Callable[[argparse.Namespace, Settings], int]

Commands = argparse._SubParsersAction


def day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a YYYY-MM-DD date: {text!r}") from None


def month(text: str) -> date:
    """A calendar month, YYYY-MM, as its first day."""
    try:
        return date.fromisoformat(f"{text}-01")
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a YYYY-MM month: {text!r}") from None


def moment(text: str) -> datetime:
    """An instant: ISO 8601 with an offset (2026-12-02T06:00:00Z), or a date (its 00:00 UTC)."""
    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text), datetime.min.time(), UTC)
        value = datetime.fromisoformat(text)
    except ValueError:
        value = None
    if value is None or value.tzinfo is None:
        raise argparse.ArgumentTypeError(
            f"not an ISO 8601 time with an offset (2026-12-02T06:00:00Z) or a date: {text!r}"
        )
    return value.astimezone(UTC)


def add_as_of(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--as-of",
        type=moment,
        default=None,
        metavar="TIME",
        help="run as of this instant, e.g. 2026-12-01T12:00:00Z (default: now; never later)",
    )


def as_of_time(value: datetime | None) -> datetime:
    """The instant a command runs as of: now by default, never in the future (a billing
    run ahead of the clock would move the aggregation watermark past events still to come)."""
    now = utcnow()
    if value is None:
        return now
    if value > now:
        raise Invalid(f"--as-of {iso_utc(value)} is in the future (it is {iso_utc(now)})")
    return value


def add_advertisers(parser: argparse.ArgumentParser, help_text: str) -> None:
    parser.add_argument(
        "--advertiser",
        type=node_id("Advertiser"),
        action="append",
        metavar="ID",
        help=f"{help_text} (numeric or GraphQL global id; repeatable)",
    )


def node_id(type_name: str) -> Callable[[str], int]:
    """An argparse type: the numeric id or the GraphQL global id of a `type_name`."""

    def parse(text: str) -> int:
        try:
            return parse_id(text, type_name)
        except InvalidId:
            raise argparse.ArgumentTypeError(
                f"not an id of {'an' if type_name[0] in 'AEIOU' else 'a'} {type_name} (its "
                f"number, at most 2**63 - 1, or its GraphQL global id): {text!r}"
            ) from None

    parse.__name__ = f"{type_name} id"
    return parse


def record_id(text: str) -> int:
    """A row id: digits that fit the 64-bit id columns (a larger number names no row)."""
    number = row_id(text.strip())
    if number is None:
        raise argparse.ArgumentTypeError(f"not an id (digits, at most 2**63 - 1): {text!r}")
    return number


def stop_requested() -> threading.Event:
    """An event set by SIGINT or SIGTERM, installed before a long-running command starts up,
    so a signal that arrives while it is still importing and connecting stops it cleanly."""
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    return stop
