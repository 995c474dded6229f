"""Billing actors: scheduled aggregation and day close, and the finance export job.

All idempotent: aggregation recomputes whole hours from a watermark, day close appends
only differences, and an export is run by the one delivery that claims it (one RUNNING,
SUCCEEDED or FAILED is left alone). A scheduled re-send picks up exports left PENDING
(created while no broker or worker ran) or RUNNING on a worker that died. Each actor
takes JSON-safe arguments (the scheduler's slot, an export id) and opens its own session.
"""

from __future__ import annotations

import logging
from typing import Any

import dramatiq
from dramatiq.message import Message
from sqlalchemy.orm import Session, sessionmaker

from ads.billing.cycle import run_aggregation, run_day_close
from ads.config import Settings
from ads.db import make_engine, session_factory
from ads.exports.jobs import RUN_TIME_LIMIT, stuck_exports
from ads.exports.service import run_export
from ads.time import utcnow
from workers.scheduler import PeriodicJob

log = logging.getLogger(__name__)
QUEUE = "billing"
AGGREGATE = "billing.aggregate"
CLOSE_DAYS = "billing.close_days"
EXPORT = "billing.export"
RESEND_EXPORTS = "billing.resend_exports"
AGGREGATE_PERIOD_SECONDS = 60
CLOSE_PERIOD_SECONDS = 300
RESEND_PERIOD_SECONDS = 60


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
        status = run_export(
            sessions.factory,
            export_id,
            export_dir=settings.export_dir,
            allowance_seconds=settings.billing_late_allowance_seconds,
        )
        log.info("billing export", extra={"export_id": export_id, "status": status.value})

    def billing_actor(name: str, **extra: Any) -> Any:
        return dramatiq.actor(
            broker=broker, actor_name=name, queue_name=QUEUE, max_retries=3, **extra
        )

    # An export of years of ledger may take long; it is idempotent, so retries are safe.
    time_limit = int(RUN_TIME_LIMIT.total_seconds() * 1000)
    export_actor = billing_actor(EXPORT, time_limit=time_limit)(export)

    def resend_exports(slot: float) -> None:
        with sessions.factory() as session:
            ids = stuck_exports(session, now=utcnow())
        for export_id in ids:
            export_actor.send(export_id)
        if ids:
            log.info("billing exports re-sent", extra={"slot": slot, "export_ids": ids})

    return {
        AGGREGATE: billing_actor(AGGREGATE)(aggregate_hours),
        CLOSE_DAYS: billing_actor(CLOSE_DAYS)(close_days),
        EXPORT: export_actor,
        RESEND_EXPORTS: billing_actor(RESEND_EXPORTS)(resend_exports),
    }


def periodic(actors: dict[str, dramatiq.Actor[Any, Any]], settings: Settings) -> list[PeriodicJob]:
    aggregate_actor, close_actor = actors[AGGREGATE], actors[CLOSE_DAYS]
    resend_actor = actors[RESEND_EXPORTS]
    return [
        PeriodicJob(AGGREGATE, AGGREGATE_PERIOD_SECONDS, lambda slot: _send(aggregate_actor, slot)),
        PeriodicJob(CLOSE_DAYS, CLOSE_PERIOD_SECONDS, lambda slot: _send(close_actor, slot)),
        PeriodicJob(RESEND_EXPORTS, RESEND_PERIOD_SECONDS, lambda slot: _send(resend_actor, slot)),
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
