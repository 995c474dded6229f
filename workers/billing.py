"""Billing actors: scheduled aggregation and day close (with the invoices' refresh).

Both idempotent: aggregation recomputes whole hours from a watermark, day close appends
only differences. Each takes the scheduler's slot (JSON-safe) and opens its own session.
"""

from __future__ import annotations

import logging
from typing import Any

import dramatiq

from ads.billing.cycle import run_aggregation, run_day_close
from ads.config import Settings
from ads.time import utcnow
from workers.scheduler import Missed, PeriodicJob
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
            run = run_aggregation(session, now=utcnow(), settings=settings)
        log.info("billing aggregation", extra={"slot": slot, "hours": len(run.hours)})

    def close_days(slot: float) -> None:
        with sessions() as session:
            results = run_day_close(session, now=utcnow(), settings=settings)
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
        PeriodicJob(
            AGGREGATE,
            AGGREGATE_PERIOD_SECONDS,
            aggregate_actor.send,
            Missed.RUN_LATE,
            "a run aggregates every settled event whatever its slot, so one late run "
            "catches up every missed one, and spend shows sooner than at the next slot",
        ),
        PeriodicJob(
            CLOSE_DAYS,
            CLOSE_PERIOD_SECONDS,
            close_actor.send,
            Missed.RUN_LATE,
            "a run closes every due day whatever its slot, so one late run bills what the "
            "missed ones would have, minutes before the next slot would",
        ),
    ]
