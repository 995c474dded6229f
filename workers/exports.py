"""Export actors: run a finance export job, and re-send the jobs nobody is running.

An export is run by the one delivery that claims it (a RUNNING, SUCCEEDED or FAILED job
is left alone), so a message delivered twice does nothing the second time. The scheduled
re-send picks up jobs left PENDING (created while no broker or worker ran) or RUNNING on
a worker that died. `export_sender` is how the API process hands a new job to them.
"""

from __future__ import annotations

import logging
from typing import Any

import dramatiq
from dramatiq.message import Message

from ads.config import Settings
from ads.exports.jobs import RUN_TIME_LIMIT, stuck_exports
from ads.exports.service import ExportQueue, run_export
from ads.outages import Dependency, OutageLog, outage_of
from ads.time import from_epoch
from workers.scheduler import Missed, PeriodicJob
from workers.sessions import WorkerSessions

log = logging.getLogger(__name__)
QUEUE = "billing"
EXPORT = "billing.export"
RESEND_EXPORTS = "billing.resend_exports"
RESEND_PERIOD_SECONDS = 60


def declare(broker: dramatiq.Broker, settings: Settings) -> dict[str, dramatiq.Actor[Any, Any]]:
    sessions = WorkerSessions(settings)

    def export(export_id: int) -> None:
        status = run_export(
            sessions.factory,
            export_id,
            export_dir=settings.export_dir,
            allowance_seconds=settings.billing_late_allowance_seconds,
            settle_seconds=settings.billing_settle_seconds,
        )
        log.info("billing export", extra={"export_id": export_id, "status": status.value})

    # An export of years of ledger may take long; it is idempotent, so retries are safe.
    time_limit = int(RUN_TIME_LIMIT.total_seconds() * 1000)
    export_actor = dramatiq.actor(
        broker=broker, actor_name=EXPORT, queue_name=QUEUE, max_retries=3, time_limit=time_limit
    )(export)

    def resend_exports(slot: float) -> None:
        with sessions() as session:
            ids = stuck_exports(session, now=from_epoch(slot))
        for export_id in ids:
            export_actor.send(export_id)
        if ids:
            log.info("billing exports re-sent", extra={"slot": slot, "export_ids": ids})

    resend_actor = dramatiq.actor(
        broker=broker, actor_name=RESEND_EXPORTS, queue_name=QUEUE, max_retries=3
    )(resend_exports)
    return {EXPORT: export_actor, RESEND_EXPORTS: resend_actor}


def periodic(actors: dict[str, dramatiq.Actor[Any, Any]], settings: Settings) -> list[PeriodicJob]:
    return [
        PeriodicJob(
            RESEND_EXPORTS,
            RESEND_PERIOD_SECONDS,
            actors[RESEND_EXPORTS].send,
            Missed.SKIP,
            "the next run finds the same stuck exports, so nothing is lost by waiting one "
            "period, and a late run would only race the next",
        )
    ]


def export_sender(settings: Settings, *, outages: OutageLog) -> ExportQueue:
    """Send export jobs from the API process by actor name (no actor is declared there).

    Embedded mode uses the in-process broker the runtime installed; otherwise a broker
    is built from Settings on first use. False when there is none or it is down (the job
    stays PENDING until the scheduled re-send finds it): the job is recorded already, so
    the request succeeded, and the outage is `outages`' to log.
    """
    broker: dramatiq.Broker | None = None

    def send(export_id: int) -> bool:
        nonlocal broker
        import dramatiq.broker as current

        if broker is None:
            broker = current.global_broker
        if broker is None and not settings.embedded_broker:
            from workers.broker import build_broker

            broker = build_broker(settings)
        if broker is None:
            log.warning("no broker to run export %s; it stays PENDING", export_id)
            return False
        message: Message[Any] = Message(
            queue_name=QUEUE, actor_name=EXPORT, args=(export_id,), kwargs={}, options={}
        )
        try:
            broker.enqueue(message)
        except Exception as error:
            if outage_of(error) is not Dependency.BROKER:
                raise
            outages.failed(Dependency.BROKER, error)
            return False
        outages.recovered(Dependency.BROKER)
        return True

    return send
