"""`ads export billing` and `ads billing …`: what finance and operators run by hand."""

from __future__ import annotations

import argparse
import sys

from ads.cli.arguments import Commands, day
from ads.config import Settings


def _export_billing(args: argparse.Namespace, settings: Settings) -> int:
    """The one export workflow, run here instead of by a worker: a job is recorded (as
    every export is), run in this process, and its file and manifest copied to --out."""
    import shutil
    from pathlib import Path

    from ads.auth.principal import CLI_PRINCIPAL
    from ads.billing.domain.calendar import Granularity
    from ads.db import make_engine, session_factory
    from ads.exports.files import manifest_path
    from ads.exports.rules import ExportFormat, ExportStatus
    from ads.exports.service import create_export, export_path, run_export
    from ads.progress import ProgressBar

    engine = make_engine(settings)
    sessions = session_factory(engine)
    try:
        with sessions() as session:
            job = create_export(
                session,
                CLI_PRINCIPAL,
                date_from=args.date_from,
                date_to=args.date_to,
                granularity=Granularity(args.granularity),
                fmt=ExportFormat(args.format),
                advertiser_ids=args.advertiser,
                allow_open_period=args.allow_open_period,
                allowance_seconds=settings.billing_late_allowance_seconds,
            )
        bar = ProgressBar(0, label="exporting")
        status = run_export(
            sessions,
            job.id,
            export_dir=settings.export_dir,
            allowance_seconds=settings.billing_late_allowance_seconds,
            progress=bar.show,
        )
        bar.finish()
        with sessions() as session:
            job = session.get_one(type(job), job.id)
    finally:
        engine.dispose()
    if status is not ExportStatus.SUCCEEDED:
        print(f"error: export {job.id} failed: {job.error}", file=sys.stderr)
        return 1
    out, written = Path(args.out), export_path(settings.export_dir, job)
    out.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(written, out)
    shutil.copyfile(manifest_path(written), manifest_path(out))
    print(f"{job.row_count} rows written to {out}, sha256 {job.sha256} (export {job.id})")
    print(f"manifest: {manifest_path(out)}")
    return 0


def _billing_reconcile(args: argparse.Namespace, settings: Settings) -> int:
    from ads.auth.principal import CLI_PRINCIPAL
    from ads.billing.reconciliation import checked_against, reconcile
    from ads.db import make_engine, session_factory

    engine = make_engine(settings)
    with session_factory(engine)() as session:
        report = reconcile(
            session,
            CLI_PRINCIPAL,
            date_from=args.date_from,
            date_to=args.date_to,
            advertiser_ids=args.advertiser,
        )
    engine.dispose()
    print(
        f"{len(report.rows)} advertiser-day-campaign rows checked, "
        f"{len(report.differences)} differences, "
        f"{len(report.pending)} awaiting aggregation"
    )
    for line in checked_against(report):
        print(line)
    for diff in report.differences:
        row = diff.row
        print(
            f"{diff.kind}: advertiser {row.advertiser_id} day {row.day} campaign "
            f"{row.campaign_id}: events {row.raw_micros} aggregates {row.aggregated_micros} "
            f"ledger {row.ledger_micros}"
        )
    return 0 if report.balanced else 1


def register(commands: Commands) -> None:
    export = commands.add_parser("export", help="export data for finance")
    export_commands = export.add_subparsers(dest="export_command", required=True, metavar="WHAT")
    billing_export = export_commands.add_parser(
        "billing", help="ledger sums per advertiser, campaign and day (or month)"
    )
    billing_export.add_argument("--from", dest="date_from", type=day, required=True)
    billing_export.add_argument("--to", dest="date_to", type=day, required=True)
    billing_export.add_argument("--out", required=True, metavar="FILE")
    billing_export.add_argument("--granularity", choices=["DAY", "MONTH"], default="DAY")
    billing_export.add_argument("--format", choices=["CSV", "JSONL"], default="CSV")
    billing_export.add_argument("--advertiser", type=int, action="append", metavar="ID")
    billing_export.add_argument(
        "--allow-open-period",
        action="store_true",
        help="export a period that is not closed yet (the manifest says period_closed: false)",
    )
    billing_export.set_defaults(handler=_export_billing)

    billing = commands.add_parser("billing", help="billing operations")
    billing_commands = billing.add_subparsers(
        dest="billing_command", required=True, metavar="ACTION"
    )
    reconcile = billing_commands.add_parser(
        "reconcile", help="check ledger = aggregates = raw events per advertiser and day"
    )
    reconcile.add_argument("--from", dest="date_from", type=day, required=True)
    reconcile.add_argument("--to", dest="date_to", type=day, required=True)
    reconcile.add_argument("--advertiser", type=int, action="append", metavar="ID")
    reconcile.set_defaults(handler=_billing_reconcile)
