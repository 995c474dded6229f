"""Queued messages survive a broker restart with the settings production needs.

Redis: its own server per test, restarted as a service manager restarts it; with the
append-only file (README, Production) the queue is still there and a worker runs it,
without it the queue is gone. `ads worker` and `ads scheduler` warn about the latter.
RabbitMQ: a tick end to end through the real broker.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import redis
from dramatiq import Worker
from sqlalchemy import select
from sqlalchemy.orm import Session

from ads.config import Settings
from ads.pacing.models import CampaignPacing
from tests.ingestion.fixtures import build_tree
from tests.redis_server import DURABLE, VOLATILE, RedisServer
from workers.actors import declare_actors
from workers.broker import build_broker
from workers.broker_checks import durability_warnings

SLOTS = [datetime(2026, 11, 20, 17, minute, tzinfo=UTC).timestamp() for minute in range(3)]


@pytest.fixture
def durable_redis(tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path, *DURABLE)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def volatile_redis(tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path, *VOLATILE)
    server.start()
    yield server
    server.stop()


def _queued(url: str) -> int:
    client = redis.Redis.from_url(url)
    try:
        return int(client.llen("dramatiq:pacing"))
    finally:
        client.close()


def _enqueue_ticks(settings: Settings) -> None:
    broker = build_broker(settings)
    actors = declare_actors(broker, settings)
    for slot in SLOTS:
        actors["pacing.tick"].send(slot)
    broker.close()


def test_queued_ticks_survive_a_redis_restart_and_then_run(
    settings: Settings, session: Session, durable_redis: RedisServer
) -> None:
    trees = [build_tree(session) for _ in range(3)]
    on_redis = settings.model_copy(update={"broker_url": durable_redis.url, "pacing_shards": 2})
    assert durability_warnings(on_redis) == []
    _enqueue_ticks(on_redis)
    durable_redis.restart()
    assert _queued(durable_redis.url) == len(SLOTS)
    broker = build_broker(on_redis)
    declare_actors(broker, on_redis)
    worker = Worker(broker, worker_threads=2, worker_timeout=100)
    worker.start()
    try:
        broker.join("pacing", timeout=60_000)
        worker.join()
    finally:
        worker.stop()
        broker.close()
    session.expire_all()
    decided = session.scalars(select(CampaignPacing.campaign_id)).all()
    assert sorted(decided) == sorted(t.campaign_id for t in trees)


def test_without_persistence_a_restart_loses_the_queue_and_is_warned_about(
    settings: Settings, volatile_redis: RedisServer
) -> None:
    on_redis = settings.model_copy(update={"broker_url": volatile_redis.url})
    (warning,) = durability_warnings(on_redis)
    assert "appendonly yes" in warning
    _enqueue_ticks(on_redis)
    assert _queued(volatile_redis.url) == len(SLOTS)
    volatile_redis.restart()
    assert _queued(volatile_redis.url) == 0
