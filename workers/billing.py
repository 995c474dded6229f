"""Billing actors: scheduled aggregation and day close (with the invoices' refresh).

Both idempotent: aggregation recomputes whole hours from a watermark, day close appends
only differences. Each runs as of the scheduler's slot (JSON-safe epoch seconds), not the
clock it happens to start at, so a late or repeated message does what its slot asked;
`ads billing aggregate|close-days|refresh-invoices --as-of` run the same use cases.
"""

from __future__ import annotations

import logging
from typing import Any

import dramatiq

from ads.billing.cycle import run_aggregation, run_day_close
from ads.config import Settings
from ads.time import from_epoch
from workers.scheduler import PeriodicJob
from workers.sessions import WorkerSessions

log = logging.getLogger(__name__)
QUEUE = "billing"
AGGREGATE = "billing.aggregate"
CLOSE_DAYS = "billing.close_days"
AGGREGATE_PERIOD_SECONDS = 60
CLOSE_PERIOD_SECONDS = 300


def declare(broker: dramatiq.Broker, settings: Settings) -> dict[str, dramatiq.Actor[Any, Any]]:
    sessions = WorkerSessions(settings)

    def aggregate_hours(slot: float) -> None:
        with sessions() as session:
            run = run_aggregation(session, now=from_epoch(slot), settings=settings)
        log.info("billing aggregation", extra={"slot": slot, "hours": len(run.hours)})

    def close_days(slot: float) -> None:
        with sessions() as session:
            results = run_day_close(session, now=from_epoch(slot), settings=settings)
        closed = sum(len(r.closed) for r in results)
        log.info("billing day close", extra={"slot": slot, "days": closed})

    def billing_actor(name: str) -> Any:
        return dramatiq.actor(broker=broker, actor_name=name, queue_name=QUEUE, max_retries=3)

    return {
        AGGREGATE: billing_actor(AGGREGATE)(aggregate_hours),
        CLOSE_DAYS: billing_actor(CLOSE_DAYS)(close_days),
    }


def periodic(actors: dict[str, dramatiq.Actor[Any, Any]], settings: Settings) -> list[PeriodicJob]:
    aggregate_actor, close_actor = actors[AGGREGATE], actors[CLOSE_DAYS]
    return [
        PeriodicJob(AGGREGATE, AGGREGATE_PERIOD_SECONDS, aggregate_actor.send),
        PeriodicJob(CLOSE_DAYS, CLOSE_PERIOD_SECONDS, close_actor.send),
    ]
