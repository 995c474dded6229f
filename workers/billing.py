"""Billing actors: scheduled aggregation and day close, and the finance export job.

All idempotent: aggregation recomputes whole hours from a watermark, day close appends
only differences, and an export already SUCCEEDED or FAILED is not run again. Each
actor takes JSON-safe arguments (the scheduler's slot, an export id) and opens its own
session.
"""

from __future__ import annotations

import logging
from typing import Any

import dramatiq
from dramatiq.message import Message
from sqlalchemy.orm import Session, sessionmaker

from ads.billing.exports import run_export
from ads.billing.service import run_aggregation, run_day_close
from ads.config import Settings
from ads.db import make_engine, session_factory
from ads.time import utcnow
from workers.scheduler import PeriodicJob

log = logging.getLogger(__name__)
QUEUE = "billing"
AGGREGATE = "billing.aggregate"
CLOSE_DAYS = "billing.close_days"
EXPORT = "billing.export"
AGGREGATE_PERIOD_SECONDS = 60
CLOSE_PERIOD_SECONDS = 300


class _Sessions:
    """The worker's engine, made on the first message (never at import or declare time)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._factory: sessionmaker[Session] | None = None

    @property
    def factory(self) -> sessionmaker[Session]:
        if self._factory is None:
            self._factory = session_factory(make_engine(self.settings, pool_pre_ping=True))
        return self._factory


def declare(broker: dramatiq.Broker, settings: Settings) -> dict[str, dramatiq.Actor[Any, Any]]:
    sessions = _Sessions(settings)

    def aggregate_hours(slot: float) -> None:
        with sessions.factory() as session:
            run = run_aggregation(session, now=utcnow(), settings=settings)
        log.info("billing aggregation", extra={"slot": slot, "hours": len(run.hours)})

    def close_days(slot: float) -> None:
        with sessions.factory() as session:
            results = run_day_close(session, now=utcnow(), settings=settings)
        closed = sum(len(r.closed) for r in results)
        log.info("billing day close", extra={"slot": slot, "days": closed})

    def export(export_id: int) -> None:
        status = run_export(sessions.factory, export_id, export_dir=settings.export_dir)
        log.info("billing export", extra={"export_id": export_id, "status": status.value})

    def billing_actor(name: str, **extra: Any) -> Any:
        return dramatiq.actor(
            broker=broker, actor_name=name, queue_name=QUEUE, max_retries=3, **extra
        )

    return {
        AGGREGATE: billing_actor(AGGREGATE)(aggregate_hours),
        CLOSE_DAYS: billing_actor(CLOSE_DAYS)(close_days),
        # An export of years of ledger may take long; it is idempotent, so retries are safe.
        EXPORT: billing_actor(EXPORT, time_limit=3_600_000)(export),
    }


def periodic(actors: dict[str, dramatiq.Actor[Any, Any]], settings: Settings) -> list[PeriodicJob]:
    aggregate_actor, close_actor = actors[AGGREGATE], actors[CLOSE_DAYS]
    return [
        PeriodicJob(AGGREGATE, AGGREGATE_PERIOD_SECONDS, lambda slot: _send(aggregate_actor, slot)),
        PeriodicJob(CLOSE_DAYS, CLOSE_PERIOD_SECONDS, lambda slot: _send(close_actor, slot)),
    ]


def _send(actor: dramatiq.Actor[Any, Any], slot: float) -> None:
    actor.send(slot)


def enqueue_export(settings: Settings, export_id: int) -> bool:
    """Send the export job from the API process by actor name (no actor needed here).

    Embedded mode uses the in-process broker the runtime installed; otherwise a broker
    is built from Settings on first use. False when there is none (the job stays PENDING).
    """
    import dramatiq.broker as current

    broker = current.global_broker
    if broker is None and not settings.embedded_broker:
        from workers.broker import build_broker

        broker = build_broker(settings)
    if broker is None:
        log.warning("no broker to run export %s; it stays PENDING", export_id)
        return False
    broker.enqueue(
        Message(queue_name=QUEUE, actor_name=EXPORT, args=(export_id,), kwargs={}, options={})
    )
    return True
