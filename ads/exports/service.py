"""Finance export jobs: create (PENDING), run by a worker (RUNNING → SUCCEEDED | FAILED).

Who may see what, through the one policy: FINANCE and ADMIN export and download any
advertisers; an ADVERTISER token only exports of advertisers all within its scope (an
export of anyone else's is "not found", never "forbidden").

Exports of a period that is not closed yet (`ads.billing.period_state`) are refused
(PERIOD_OPEN) unless asked for explicitly; the manifest then says `period_closed: false`,
so "a re-run of a closed period gives the same bytes" is a promise every file keeps.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date
from pathlib import Path

from sqlalchemy import Connection, Engine, select
from sqlalchemy.orm import Session, sessionmaker

from ads.accounts.models import Advertiser
from ads.auth import policy
from ads.auth.principal import Principal
from ads.billing.domain.calendar import Granularity
from ads.billing.period_state import period_state
from ads.errors import Invalid, NotFound
from ads.exports.files import Manifest, count_rows, manifest_path, write_export
from ads.exports.jobs import claim
from ads.exports.models import BillingExport
from ads.exports.queries import exports_query
from ads.exports.rules import ExportFormat, ExportSpec, ExportStatus, validate_period
from ads.time import utcnow

log = logging.getLogger(__name__)


#: Hands a committed PENDING job to whatever runs exports (the export actor, through the
#: broker); False when nothing can take it now (the scheduled re-send will).
ExportQueue = Callable[[int], bool]


def create_export(
    session: Session,
    principal: Principal,
    *,
    date_from: date,
    date_to: date,
    granularity: Granularity,
    fmt: ExportFormat,
    advertiser_ids: list[int] | None = None,
    allow_open_period: bool = False,
    allowance_seconds: int,
    settle_seconds: int,
) -> BillingExport:
    """Record a PENDING job; the caller hands its id to an `ExportQueue` after the commit."""
    validate_period(date_from, date_to)
    scope = policy.readable_advertisers(principal)
    if advertiser_ids is not None:
        wanted = sorted(set(advertiser_ids))
        known = set(session.scalars(select(Advertiser.id).where(Advertiser.id.in_(wanted))))
        for advertiser_id in wanted:
            if advertiser_id not in known or not policy.can_read_advertiser(
                principal, advertiser_id
            ):
                raise NotFound(f"advertiser {advertiser_id} not found", field="advertiserIds")
        advertiser_ids = wanted
    elif scope is not None:
        advertiser_ids = sorted(scope)
    spec = ExportSpec(date_from, date_to, granularity, advertiser_ids)
    check_period(
        session,
        spec,
        allow_open=allow_open_period,
        allowance_seconds=allowance_seconds,
        settle_seconds=settle_seconds,
    )
    job = BillingExport(
        status=ExportStatus.PENDING,
        format=fmt,
        granularity=granularity,
        date_from=date_from,
        date_to=date_to,
        advertiser_ids=advertiser_ids,
        requested_by=principal.actor,
    )
    session.add(job)
    session.commit()
    return job


def check_period(
    session: Session,
    spec: ExportSpec,
    *,
    allow_open: bool,
    allowance_seconds: int,
    settle_seconds: int,
) -> bool:
    """Whether the period is closed; PERIOD_OPEN, naming why, when it is not and that
    was not asked for."""
    state = period_state(
        session,
        advertiser_ids=spec.advertiser_ids,
        date_from=spec.date_from,
        date_to=spec.date_to,
        allowance_seconds=allowance_seconds,
        settle_seconds=settle_seconds,
        now=utcnow(),
    )
    if not state.closed and not allow_open:
        raise Invalid(
            f"the period is not closed yet: {state.reason}. To export the rows as they "
            "stand, marked period_closed: false in the manifest, ask for an open period "
            "explicitly (allowOpenPeriod: true, or --allow-open-period)",
            field="to",
            code="PERIOD_OPEN",
        )
    return state.closed


def get_export(session: Session, principal: Principal, export_id: int) -> BillingExport:
    job = session.scalars(exports_query(principal).where(BillingExport.id == export_id)).first()
    if job is None:
        raise NotFound("export not found", field="id")
    return job


def export_path(export_dir: str, job: BillingExport) -> Path:
    return Path(export_dir) / f"billing-export-{job.id}.{job.format.suffix}"


def spec_of(job: BillingExport) -> ExportSpec:
    return ExportSpec(job.date_from, job.date_to, job.granularity, job.advertiser_ids)


def run_export(
    sessions: sessionmaker[Session],
    export_id: int,
    *,
    export_dir: str,
    allowance_seconds: int,
    settle_seconds: int,
    progress: Callable[[int, int], None] | None = None,
) -> ExportStatus:
    """Do one job, if this delivery claims it: a job RUNNING elsewhere or finished is
    left alone (the message may come twice, see `ads.exports.jobs`).

    `progress(done, total)` is told of the rows as they are written (the CLI's bar).
    """
    with sessions() as session:
        claimed = claim(session, export_id, now=utcnow())
        job = session.get(BillingExport, export_id)
        if job is None:
            log.warning("export job does not exist", extra={"export_id": export_id})
            return ExportStatus.FAILED
        if not claimed:
            return job.status
        # Checked before the rows are read: a period that closes meanwhile is reported
        # open, never the other way round.
        closed = check_period(
            session,
            spec_of(job),
            allow_open=True,
            allowance_seconds=allowance_seconds,
            settle_seconds=settle_seconds,
        )
        session.commit()  # ends the read transaction; objects stay loaded
        path = export_path(export_dir, job)
        try:
            # Its own connection: the long read must not hold the job row's transaction.
            engine = session.get_bind()
            assert isinstance(engine, Engine)
            with engine.connect() as connection:
                manifest = write_export(
                    connection,
                    spec_of(job),
                    job.format,
                    path,
                    period_closed=closed,
                    progress=_rows_of(connection, spec_of(job), progress),
                )
        except Exception as exc:
            session.rollback()
            _finish(session, job, error=f"{type(exc).__name__}: {exc}"[:1000])
            # Recorded, not re-raised: a retry would find the job FAILED and stop there;
            # the caller starts a new export once the cause is fixed.
            log.exception("export failed", extra={"export_id": export_id})
            return job.status
        _finish(session, job, manifest=manifest, file_name=path.name)
        _supersede(session, job, export_dir)
        return job.status


def _rows_of(
    connection: Connection, spec: ExportSpec, progress: Callable[[int, int], None] | None
) -> Callable[[int], None] | None:
    if progress is None:
        return None
    total, done = count_rows(connection, spec), 0

    def advance(rows: int) -> None:
        nonlocal done
        done += rows
        progress(done, total)

    progress(0, total)
    return advance


def _finish(
    session: Session,
    job: BillingExport,
    *,
    manifest: Manifest | None = None,
    file_name: str | None = None,
    error: str | None = None,
) -> None:
    job.finished_at = utcnow()
    if manifest is None:
        job.status, job.error = ExportStatus.FAILED, error
    else:
        job.status = ExportStatus.SUCCEEDED
        job.file_name, job.row_count = file_name, manifest.row_count
        job.totals, job.sha256 = manifest.totals, manifest.sha256
    session.commit()


def _supersede(session: Session, job: BillingExport, export_dir: str) -> None:
    """Link `job` (just SUCCEEDED) to the latest earlier export of the same request when
    its file differs, and say so in both manifests; an identical re-run replaces nothing."""
    earlier = session.scalars(
        select(BillingExport)
        .where(
            BillingExport.id < job.id,
            BillingExport.status == ExportStatus.SUCCEEDED,
            BillingExport.superseded_by_id.is_(None),
            BillingExport.date_from == job.date_from,
            BillingExport.date_to == job.date_to,
            BillingExport.granularity == job.granularity,
            BillingExport.format == job.format,
        )
        .order_by(BillingExport.id.desc())
    )
    same = next((e for e in earlier if e.advertiser_ids == job.advertiser_ids), None)
    if same is None or same.sha256 == job.sha256:
        return
    same.superseded_by_id, job.supersedes_id = job.id, same.id
    session.commit()
    for export, supersedes, superseded_by in ((job, same.id, None), (same, None, job.id)):
        path = export_path(export_dir, export)
        if manifest_path(path).is_file():
            manifest = Manifest.read(path)
            manifest.supersedes = supersedes or manifest.supersedes
            manifest.superseded_by = superseded_by or manifest.superseded_by
            manifest.write(path)
