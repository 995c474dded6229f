"""A pacing tick end to end through a real Redis broker and a real Dramatiq worker."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from dramatiq import Worker
from sqlalchemy import select
from sqlalchemy.orm import Session

from ads.config import Settings
from ads.pacing.models import CampaignPacing
from tests.databases import redis_server_url
from tests.ingestion.fixtures import build_tree
from workers.actors import declare_actors
from workers.broker import build_broker

SLOT = datetime(2026, 11, 20, 17, 0, tzinfo=UTC).timestamp()


@pytest.fixture
def redis_settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"broker_url": redis_server_url(), "pacing_shards": 3})


@pytest.mark.redis
def test_a_tick_runs_end_to_end_on_redis(redis_settings: Settings, session: Session) -> None:
    trees = [build_tree(session) for _ in range(5)]
    broker = build_broker(redis_settings)
    broker.flush_all()  # type: ignore[attr-defined]
    actors = declare_actors(broker, redis_settings)
    worker = Worker(broker, worker_threads=2, worker_timeout=100)
    worker.start()
    try:
        actors["pacing.tick"].send(SLOT)
        actors["pacing.tick"].send(SLOT)  # the scheduler sent the slot twice
        broker.join("pacing", timeout=30_000)
        worker.join()
    finally:
        worker.stop()
        broker.close()
    session.expire_all()
    decided = session.execute(select(CampaignPacing.campaign_id, CampaignPacing.version)).all()
    assert sorted(decided) == sorted((t.campaign_id, 1) for t in trees)
