"""What every command shares: the handler type, argument parsers, waiting for a signal."""

from __future__ import annotations

import argparse
import signal
import threading
from collections.abc import Callable
from datetime import date

from ads.config import Settings

Handler = Callable[[argparse.Namespace, Settings], int]
Commands = argparse._SubParsersAction


def day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a YYYY-MM-DD date: {text!r}") from None


def record_id(text: str) -> int:
    """A row id: digits that fit the 64-bit id columns (a larger number names no row)."""
    from ads.api.ids import row_id

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
