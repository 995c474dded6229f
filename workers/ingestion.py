"""Ingestion actor: create the coming days' event partitions ahead of need (PostgreSQL).

Idempotent: a day that has its partition is left alone, so a duplicate or late slot
changes nothing. Ingestion creates a missing partition itself should this not have run.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

import dramatiq

from ads.config import Settings
from ads.ingestion.partition_rules import days_to_prepare
from ads.ingestion.partitions import ensure
from workers.scheduler import Missed, PeriodicJob
from workers.sessions import WorkerSessions

log = logging.getLogger(__name__)
QUEUE = "ingestion"
PREPARE_PARTITIONS = "ingestion.prepare_partitions"
PREPARE_PERIOD_SECONDS = 3600


def declare(broker: dramatiq.Broker, settings: Settings) -> dict[str, dramatiq.Actor[Any, Any]]:
    sessions = WorkerSessions(settings)

    def prepare_partitions(slot: float) -> None:
        with sessions() as session:
            created = ensure(session, days_to_prepare(datetime.fromtimestamp(slot, UTC)))
        if created:
            log.info("event partitions created", extra={"days": [d.isoformat() for d in created]})

    actor = dramatiq.actor(
        broker=broker, actor_name=PREPARE_PARTITIONS, queue_name=QUEUE, max_retries=3
    )(prepare_partitions)
    return {PREPARE_PARTITIONS: actor}


def periodic(actors: dict[str, dramatiq.Actor[Any, Any]], settings: Settings) -> list[PeriodicJob]:
    return [
        PeriodicJob(
            PREPARE_PARTITIONS,
            PREPARE_PERIOD_SECONDS,
            actors[PREPARE_PARTITIONS].send,
            Missed.RUN_NEWEST,
            "partitions are made days ahead as of the slot, so the newest missed slot makes "
            "all the older ones would have, and soon rather than an hour later",
        )
    ]
