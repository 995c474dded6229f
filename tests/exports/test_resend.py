"""Exports left PENDING (no worker then) are re-sent by a periodic job, and run once."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import dramatiq
import pytest
from dramatiq import Worker
from dramatiq.brokers.stub import StubBroker
from sqlalchemy.orm import Session

from ads.config import Settings
from ads.exports.jobs import claim
from ads.exports.models import BillingExport
from ads.exports.rules import ExportStatus
from ads.time import utcnow
from tests import factories
from workers import exports as export_actors

Actors = dict[str, dramatiq.Actor[Any, Any]]


@pytest.fixture
def runtime(settings: Settings, tmp_path: Path) -> Iterator[tuple[StubBroker, Actors, Settings]]:
    settings = settings.model_copy(update={"export_dir": str(tmp_path / "exports")})
    stub = StubBroker()
    stub.emit_after("process_boot")
    actors = export_actors.declare(stub, settings)
    worker = Worker(stub, worker_timeout=50)
    worker.start()
    yield stub, actors, settings
    worker.stop()
    stub.close()


def export_job(session: Session, *, age: timedelta, status: ExportStatus) -> BillingExport:
    """A job as the API leaves it when no broker took its message."""
    job = factories.export(session)
    job.created_at = utcnow() - age
    job.status = status
    job.started_at = None if status is ExportStatus.PENDING else utcnow() - age
    session.commit()
    return job


def test_a_stuck_pending_export_is_resent_once_and_others_are_left_alone(
    session: Session, runtime: tuple[StubBroker, Actors, Settings]
) -> None:
    stub, actors, settings = runtime
    stuck = export_job(session, age=timedelta(minutes=5), status=ExportStatus.PENDING)
    fresh = export_job(session, age=timedelta(seconds=5), status=ExportStatus.PENDING)
    running = export_job(session, age=timedelta(minutes=5), status=ExportStatus.RUNNING)
    jobs = {job.name: job for job in export_actors.periodic(actors, settings)}
    for _ in range(2):  # the same slot delivered twice
        jobs[export_actors.RESEND_EXPORTS].send(utcnow().timestamp())
        stub.join(export_actors.QUEUE)
    session.expire_all()
    assert stuck.status is ExportStatus.SUCCEEDED, stuck.error
    assert stuck.row_count == 0
    first_finish = stuck.finished_at
    assert (fresh.status, running.status) == (ExportStatus.PENDING, ExportStatus.RUNNING)
    # A late duplicate of the job's own message finds it done and changes nothing.
    actors[export_actors.EXPORT].send(stuck.id)
    stub.join(export_actors.QUEUE)
    session.expire_all()
    assert (stuck.status, stuck.finished_at) == (ExportStatus.SUCCEEDED, first_finish)


def test_a_run_whose_worker_died_is_resent(
    session: Session, runtime: tuple[StubBroker, Actors, Settings]
) -> None:
    stub, actors, settings = runtime
    orphan = export_job(session, age=timedelta(hours=3), status=ExportStatus.RUNNING)
    [resend] = [
        j
        for j in export_actors.periodic(actors, settings)
        if j.name == export_actors.RESEND_EXPORTS
    ]
    resend.send(utcnow().timestamp())
    stub.join(export_actors.QUEUE)
    session.expire_all()
    assert orphan.status is ExportStatus.SUCCEEDED


def test_only_one_of_two_deliveries_claims_a_job(session: Session) -> None:
    job = export_job(session, age=timedelta(minutes=5), status=ExportStatus.PENDING)
    now = utcnow()
    assert claim(session, job.id, now=now) is True
    assert claim(session, job.id, now=now) is False
