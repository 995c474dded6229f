"""Pacing actors: `pacing.tick(slot)` fans out `pacing.recompute_shard(slot, shard, shards)`.

Both are idempotent: the slot is the scheduler's, so a duplicate tick sends the same
shard messages again, and a shard whose campaigns already carry that slot's decision
(or a later one) loads nothing and writes nothing. A shard fails alone: its transaction
rolls back, Dramatiq retries it with backoff, the other shards' messages are separate.
"""

from __future__ import annotations

import logging
import os
from typing import Any

import dramatiq

from ads.config import Settings
from ads.metrics import process_metrics
from ads.pacing.service import recompute_shard
from workers.scheduler import Missed, PeriodicJob
from workers.sessions import WorkerSessions

log = logging.getLogger(__name__)
QUEUE = "pacing"
TICK = "pacing.tick"
SHARD = "pacing.recompute_shard"


def declare(broker: dramatiq.Broker, settings: Settings) -> dict[str, dramatiq.Actor[Any, Any]]:
    sessions = WorkerSessions(settings)
    period_ms = settings.pacing_tick_seconds * 1000
    # A retry later than a few periods is useless (newer ticks will have decided), and
    # a shard taking longer than two periods is stuck: both bounded accordingly.
    retry_options: dict[str, Any] = {
        "max_retries": 3,
        "min_backoff": min(1_000, period_ms),
        "max_backoff": max(1_000, period_ms),
    }

    def recompute(slot: float, shard: int, shards: int) -> None:
        with sessions() as session:
            result = recompute_shard(
                session, slot=slot, shard=shard, shards=shards, settings=settings
            )
        process_metrics().shard_seconds.observe(result.duration_seconds)
        log.info(
            "pacing shard done",
            extra={
                "slot": slot,
                "shard": shard,
                "campaigns": result.campaigns,
                "seconds": result.duration_seconds,
                # `ads worker --processes N` children share one log.
                "pid": os.getpid(),
            },
        )

    shard_actor = dramatiq.actor(
        broker=broker,
        actor_name=SHARD,
        queue_name=QUEUE,
        time_limit=max(30_000, 2 * period_ms),
        **retry_options,
    )(recompute)

    def tick(slot: float) -> None:
        shards = settings.pacing_shards
        for shard in range(shards):
            shard_actor.send(slot, shard, shards)

    tick_actor = dramatiq.actor(
        broker=broker, actor_name=TICK, queue_name=QUEUE, time_limit=10_000, **retry_options
    )(tick)
    return {TICK: tick_actor, SHARD: shard_actor}


def periodic(actors: dict[str, dramatiq.Actor[Any, Any]], settings: Settings) -> list[PeriodicJob]:
    tick = actors[TICK]

    def send(slot: float) -> None:
        tick.send(slot)

    return [
        PeriodicJob(
            TICK,
            settings.pacing_tick_seconds,
            send,
            Missed.RUN_NEWEST,
            "a tick decides as of its slot, so the newest missed slot supersedes the older "
            "ones, and a late decision beats the stale one the ad server holds",
        )
    ]
