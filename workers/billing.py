"""Billing actors: scheduled aggregation, day close (with the invoices' refresh), retention.

All idempotent: aggregation adds each window of events once (the window and the
watermark commit together), day close appends only differences, retention seals each
final hour once and drops only what is sealed and expired. Each runs as of the
scheduler's slot (JSON-safe epoch seconds), not the clock it happens to start at, so a
late or repeated message does what its slot asked; `ads billing aggregate|close-days|
refresh-invoices --as-of` run the same use cases.
"""

from __future__ import annotations

import logging
from typing import Any

import dramatiq

from ads.billing.cycle import run_aggregation, run_day_close, run_retention
from ads.config import Settings
from ads.time import from_epoch
from workers.scheduler import Missed, PeriodicJob
from workers.sessions import WorkerSessions

log = logging.getLogger(__name__)
QUEUE = "billing"
AGGREGATE = "billing.aggregate"
CLOSE_DAYS = "billing.close_days"
AGGREGATE_PERIOD_SECONDS = 60
CLOSE_PERIOD_SECONDS = 300
RETAIN = "billing.retain_events"
RETAIN_PERIOD_SECONDS = 3600
RETAIN_TIME_LIMIT_MS = 30 * 60 * 1000


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

    def retain_events(slot: float) -> None:
        with sessions() as session:
            run = run_retention(session, now=from_epoch(slot), settings=settings)
        if run.seals.mismatch is not None:
            log.error(
                "an hour's aggregates differ from its raw events: not sealed, nothing after "
                "it is dropped; see `ads billing reconcile`",
                extra={"hour": run.seals.mismatch.isoformat()},
            )
        log.info(
            "billing retention",
            extra={
                "slot": slot,
                "hours_sealed": run.seals.hours,
                "days_dropped": [d.isoformat() for d in run.dropped],
            },
        )

    def billing_actor(name: str) -> Any:
        return dramatiq.actor(broker=broker, actor_name=name, queue_name=QUEUE, max_retries=3)

    return {
        AGGREGATE: billing_actor(AGGREGATE)(aggregate_hours),
        CLOSE_DAYS: billing_actor(CLOSE_DAYS)(close_days),
        # Sealing a long backlog (the first run on an old database) may take a while.
        RETAIN: dramatiq.actor(
            broker=broker,
            actor_name=RETAIN,
            queue_name=QUEUE,
            max_retries=3,
            time_limit=RETAIN_TIME_LIMIT_MS,
        )(retain_events),
    }


def periodic(actors: dict[str, dramatiq.Actor[Any, Any]], settings: Settings) -> list[PeriodicJob]:
    aggregate_actor, close_actor = actors[AGGREGATE], actors[CLOSE_DAYS]
    return [
        PeriodicJob(
            AGGREGATE,
            AGGREGATE_PERIOD_SECONDS,
            aggregate_actor.send,
            Missed.RUN_NEWEST,
            "a run aggregates as of its slot everything settled by then, so the newest "
            "missed slot covers the older ones, and spend shows sooner than at the next",
        ),
        PeriodicJob(
            CLOSE_DAYS,
            CLOSE_PERIOD_SECONDS,
            close_actor.send,
            Missed.RUN_NEWEST,
            "a run closes as of its slot every day due by then, so the newest missed slot "
            "bills what the older ones would have, minutes before the next slot would",
        ),
        PeriodicJob(
            RETAIN,
            RETAIN_PERIOD_SECONDS,
            actors[RETAIN].send,
            Missed.SKIP,
            "the next run seals and drops whatever this one would have, and raw events an "
            "hour past their retention cost nothing but disk",
        ),
    ]
