"""Outages of the database and the broker: telling them from bugs, and logging each once.

An outage is a failure to reach a dependency, or a dependency refusing work for now (a
restart, a full disk, a lock or statement timeout, a serialization conflict): retrying
later is the answer, and nothing about the request was wrong. Everything else the
driver raises (a constraint, a bad statement) is a bug or bad input and is not
classified here.

`OutageLog` turns a stream of such failures into two lines per outage: one when it
starts and one, with how many failures met it and how long it lasted, when the
dependency answers again; a traceback per request would drown the log (811 in 22 s).
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

import psycopg
import redis.exceptions
from dramatiq.errors import ConnectionClosed, ConnectionFailed
from sqlalchemy import exc as sa

log = logging.getLogger("ads.outages")

#: What a client is told to wait before retrying; outages seen so far (a restart, a
#: failover) last seconds, and retries are idempotent.
RETRY_AFTER_SECONDS = 5

#: SQLite's messages of a database it cannot use right now (the rest are bugs).
_SQLITE_OUTAGES = (
    "database is locked",
    "unable to open database file",
    "disk i/o error",
    "database or disk is full",
    "readonly database",
)


class Dependency(StrEnum):
    DATABASE = "database"
    BROKER = "broker"


def outage_of(error: BaseException) -> Dependency | None:
    """The dependency whose outage `error` (or an error it was raised from) is, if any."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        found = _classify(current)
        if found is not None:
            return found
        current = current.__cause__ or current.__context__
    return None


def _classify(error: BaseException) -> Dependency | None:
    if isinstance(error, sa.DBAPIError):
        if error.connection_invalidated or isinstance(error, sa.InterfaceError):
            return Dependency.DATABASE
        if isinstance(error, sa.OperationalError):
            if isinstance(error.orig, sqlite3.Error):
                return _sqlite(error.orig)
            return Dependency.DATABASE
        return None
    if isinstance(error, sa.TimeoutError):  # no pooled connection came free in time
        return Dependency.DATABASE
    if isinstance(error, (psycopg.OperationalError, psycopg.InterfaceError)):
        return Dependency.DATABASE
    if isinstance(error, sqlite3.OperationalError):
        return _sqlite(error)
    if isinstance(error, (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)):
        return Dependency.BROKER
    if isinstance(error, (ConnectionClosed, ConnectionFailed)):
        return Dependency.BROKER
    return None


def _sqlite(error: sqlite3.Error) -> Dependency | None:
    message = str(error).lower()
    return Dependency.DATABASE if any(m in message for m in _SQLITE_OUTAGES) else None


def describe(error: BaseException) -> str:
    """One line about the failure, without the statement or its parameters."""
    cause = error.orig if isinstance(error, sa.DBAPIError) and error.orig else error
    first = (str(cause).strip().splitlines() or [""])[0]
    return f"{type(cause).__name__}: {first}" if first else type(cause).__name__


@dataclass
class _Outage:
    started: float
    failures: int


class OutageLog:
    """Each outage logged when it starts and when it ends, with its count of failures."""

    def __init__(self, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._current: dict[Dependency, _Outage] = {}

    def failed(self, dependency: Dependency, error: BaseException) -> None:
        """Count one failure; the first of an outage is logged."""
        with self._lock:
            outage = self._current.get(dependency)
            if outage is not None:
                outage.failures += 1
                return
            self._current[dependency] = _Outage(self._clock(), 1)
        log.warning(
            f"{dependency} unavailable",
            extra={"dependency": dependency.value, "error": describe(error)},
        )

    def recovered(self, dependency: Dependency) -> None:
        """The dependency answered again: log the outage's end, if there was one."""
        with self._lock:
            outage = self._current.pop(dependency, None)
        if outage is not None:
            log.warning(
                f"{dependency} available again",
                extra={
                    "dependency": dependency.value,
                    "seconds": round(self._clock() - outage.started, 2),
                    "failures": outage.failures,
                },
            )

    def down(self) -> list[Dependency]:
        with self._lock:
            return list(self._current)
