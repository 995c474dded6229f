"""A pacing tick end to end through a real RabbitMQ broker and a real Dramatiq worker."""

from __future__ import annotations

from datetime import UTC, datetime

from dramatiq import Worker
from sqlalchemy import select
from sqlalchemy.orm import Session

from ads.config import Settings
from ads.pacing.models import CampaignPacing
from tests.databases import rabbitmq_server_url
from tests.ingestion.fixtures import build_tree
from workers.actors import declare_actors
from workers.broker import build_broker
from workers.broker_checks import durability_warnings, ping_broker

SLOT = datetime(2026, 11, 20, 17, 0, tzinfo=UTC).timestamp()


def test_a_tick_runs_end_to_end_on_rabbitmq(settings: Settings, session: Session) -> None:
    trees = [build_tree(session) for _ in range(5)]
    on_rabbitmq = settings.model_copy(
        update={"broker_url": rabbitmq_server_url(), "pacing_shards": 3}
    )
    ping_broker(on_rabbitmq)
    assert durability_warnings(on_rabbitmq) == []  # durable queues, persistent messages
    broker = build_broker(on_rabbitmq)
    actors = declare_actors(broker, on_rabbitmq)
    broker.flush_all()
    worker = Worker(broker, worker_threads=2, worker_timeout=100)
    worker.start()
    try:
        actors["pacing.tick"].send(SLOT)
        actors["pacing.tick"].send(SLOT)  # the scheduler sent the slot twice
        broker.join("pacing", timeout=60_000)
        worker.join()
    finally:
        worker.stop()
        broker.close()
    session.expire_all()
    decided = session.execute(select(CampaignPacing.campaign_id, CampaignPacing.version)).all()
    assert sorted(decided) == sorted((t.campaign_id, 1) for t in trees)
