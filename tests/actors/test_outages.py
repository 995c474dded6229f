"""An actor meeting a database outage is retried, and the outage is logged once, not per message."""

from __future__ import annotations

import logging
import sqlite3
import time
from pathlib import Path

import dramatiq
import pytest
from dramatiq import Worker
from dramatiq.brokers.stub import StubBroker
from sqlalchemy.exc import OperationalError

from ads.config import Settings
from ads.outages import OutageLog
from tests.redis_server import VOLATILE, RedisServer
from workers.actors import declare_actors
from workers.billing import AGGREGATE
from workers.broker import build_broker
from workers.outages import QuietOutages


def _outage_lines(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "ads.outages"]


def _errors(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_an_outage_is_retried_quietly_and_logged_once_with_its_count(
    caplog: pytest.LogCaptureFixture,
) -> None:
    broker = StubBroker()
    calls: list[int] = []

    def flaky(n: int) -> None:
        calls.append(n)
        if len(calls) <= 3:
            raise OperationalError("SELECT 1", {}, sqlite3.OperationalError("disk I/O error"))

    actor = dramatiq.actor(
        flaky, broker=broker, actor_name="flaky", max_retries=5, min_backoff=1, max_backoff=5
    )
    QuietOutages(OutageLog()).wrap({"flaky": actor})
    worker = Worker(broker, worker_threads=1, worker_timeout=20)
    worker.start()
    try:
        with caplog.at_level(logging.INFO):
            actor.send(7)
            broker.join("default")
            worker.join()
    finally:
        worker.stop()
    assert calls == [7, 7, 7, 7]  # three failures, then the retry that worked
    assert _errors(caplog) == []  # no traceback per failed message
    started, ended = _outage_lines(caplog)
    assert started.getMessage() == "database unavailable"
    assert ended.getMessage() == "database available again"
    assert ended.failures == 3  # type: ignore[attr-defined]


def test_a_bug_in_an_actor_stays_an_error_with_its_traceback(
    caplog: pytest.LogCaptureFixture,
) -> None:
    broker = StubBroker()

    def broken() -> None:
        raise ValueError("a bug")

    actor = dramatiq.actor(broken, broker=broker, actor_name="broken", max_retries=0)
    QuietOutages(OutageLog()).wrap({"broken": actor})
    worker = Worker(broker, worker_threads=1, worker_timeout=20)
    worker.start()
    try:
        actor.send()
        broker.join("default", fail_fast=False)
        worker.join()
    finally:
        worker.stop()
    (error,) = _errors(caplog)
    assert "unhandled exception" in error.getMessage()
    assert error.exc_info is not None
    assert _outage_lines(caplog) == []


def test_the_apps_actors_meet_an_unreachable_database_as_an_outage(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A real actor on a database nothing listens for: one warning line, no traceback."""
    settings = Settings(database_url="postgresql://nobody@127.0.0.1:1/ads")
    broker = StubBroker()
    actors = declare_actors(broker, settings)
    aggregate = actors[AGGREGATE]
    aggregate.options["min_backoff"] = aggregate.options["max_backoff"] = 10
    worker = Worker(broker, worker_threads=1, worker_timeout=20)
    worker.start()
    try:
        with caplog.at_level(logging.INFO):
            aggregate.send(time.time())
            # every retry of it, until they run out
            broker.join(aggregate.queue_name, fail_fast=False)
            worker.join()
    finally:
        worker.stop()
    assert _errors(caplog) == []
    assert [r.getMessage() for r in _outage_lines(caplog)] == ["database unavailable"]


def test_a_broker_restart_is_one_outage_in_the_workers_log_not_a_line_per_second(
    settings: Settings, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Real Dramatiq consumers on a Redis of the test's own, stopped for 3 s: Dramatiq's
    once-a-second CRITICAL per queue becomes one "broker unavailable" with its count,
    and a message after the restart ends it."""
    redis_server = RedisServer(tmp_path, *VOLATILE)
    redis_server.start()
    on_redis = settings.model_copy(update={"broker_url": redis_server.url})
    broker = build_broker(on_redis)
    actors = declare_actors(broker, on_redis)
    worker = Worker(broker, worker_threads=1, worker_timeout=100)
    aggregate = actors[AGGREGATE]
    try:
        with caplog.at_level(logging.INFO):
            worker.start()
            aggregate.send(time.time())
            broker.join(aggregate.queue_name, timeout=30_000)  # the consumers are up
            redis_server.stop()
            deadline = time.monotonic() + 3
            while time.monotonic() < deadline or not _outage_lines(caplog):
                assert time.monotonic() < deadline + 30, "the consumers never saw the outage"
                time.sleep(0.1)
            redis_server.start()
            time.sleep(1.5)  # the consumers reconnect within their one-second restart delay
            aggregate.send(time.time())
            broker.join(aggregate.queue_name, timeout=30_000)
    finally:
        worker.stop()
        broker.close()
        redis_server.stop()
    assert [r for r in caplog.records if r.levelno >= logging.CRITICAL] == []
    assert not any("Restarting consumer" in r.getMessage() for r in caplog.records)
    started, ended = _outage_lines(caplog)
    assert started.getMessage() == "broker unavailable"
    assert ended.getMessage() == "broker available again"
    assert ended.failures >= 2  # type: ignore[attr-defined]  # several queues, several seconds
