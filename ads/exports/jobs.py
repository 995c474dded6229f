"""An export job's hand-over to a worker, in SQL: claim it once, find the stuck ones.

A job's message can be delivered twice (a retry, the periodic re-send of stuck jobs, a
message that survived in the broker), so a run first claims the job with one
conditional UPDATE: of two deliveries only one moves it to RUNNING, and the other
leaves it alone. A job RUNNING for longer than any run may last lost its worker (a
crash, a kill) and may be claimed again.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from ads.exports.models import BillingExport
from ads.exports.rules import ExportStatus

#: The export actor's time limit; a run never lasts longer.
RUN_TIME_LIMIT = timedelta(hours=1)
#: A RUNNING job older than this lost its worker.
STALE_RUNNING = RUN_TIME_LIMIT + timedelta(minutes=10)
#: A PENDING job older than this was probably never sent (no broker, no worker then).
STUCK_PENDING = timedelta(minutes=1)


def _stale_running(now: datetime) -> ColumnElement[bool]:
    return and_(
        BillingExport.status == ExportStatus.RUNNING,
        BillingExport.started_at < now - STALE_RUNNING,
    )


def claim(session: Session, export_id: int, *, now: datetime) -> bool:
    """Move the job to RUNNING if nobody runs it; True when this caller got it."""
    result: Any = session.execute(
        update(BillingExport)
        .where(
            BillingExport.id == export_id,
            or_(BillingExport.status == ExportStatus.PENDING, _stale_running(now)),
        )
        .values(status=ExportStatus.RUNNING, started_at=now)
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return bool(result.rowcount == 1)


def stuck_exports(session: Session, *, now: datetime, limit: int = 100) -> list[int]:
    """Jobs to send again: PENDING for over a minute, or RUNNING past any run's end."""
    pending_long = and_(
        BillingExport.status == ExportStatus.PENDING,
        BillingExport.created_at < now - STUCK_PENDING,
    )
    query = (
        select(BillingExport.id)
        .where(or_(pending_long, _stale_running(now)))
        .order_by(BillingExport.id)
        .limit(limit)
    )
    return list(session.scalars(query))
