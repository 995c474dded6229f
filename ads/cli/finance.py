"""`ads export billing`: the finance export, run in this process."""

from __future__ import annotations

import argparse
import sys
from datetime import date, timedelta

from ads.cli.arguments import Commands, add_advertisers, day, month
from ads.config import Settings
from ads.errors import Invalid


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

    date_from, date_to = _period(args)
    engine = make_engine(settings)
    sessions = session_factory(engine)
    try:
        with sessions() as session:
            job = create_export(
                session,
                CLI_PRINCIPAL,
                date_from=date_from,
                date_to=date_to,
                granularity=Granularity(args.granularity),
                fmt=ExportFormat(args.format),
                advertiser_ids=args.advertiser,
                allow_open_period=args.allow_open_period,
                allowance_seconds=settings.billing_late_allowance_seconds,
                settle_seconds=settings.billing_settle_seconds,
            )
        bar = ProgressBar(0, label="exporting")
        status = run_export(
            sessions,
            job.id,
            export_dir=settings.export_dir,
            allowance_seconds=settings.billing_late_allowance_seconds,
            settle_seconds=settings.billing_settle_seconds,
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


def _period(args: argparse.Namespace) -> tuple[date, date]:
    from ads.billing.domain.calendar import next_month

    if args.month is not None:
        if args.date_from is not None or args.date_to is not None:
            raise Invalid("give --month, or --from and --to, not both")
        return args.month, next_month(args.month) - timedelta(days=1)
    if args.date_from is None or args.date_to is None:
        raise Invalid("say which period: --from and --to, or --month")
    return args.date_from, args.date_to


def register(commands: Commands) -> None:
    export = commands.add_parser("export", help="export data for finance")
    export_commands = export.add_subparsers(dest="export_command", required=True, metavar="WHAT")
    billing_export = export_commands.add_parser(
        "billing", help="ledger sums per advertiser, campaign and day (or month)"
    )
    period = billing_export.add_argument_group("period (--from and --to, or --month)")
    period.add_argument("--from", dest="date_from", type=day, metavar="YYYY-MM-DD")
    period.add_argument("--to", dest="date_to", type=day, metavar="YYYY-MM-DD")
    period.add_argument("--month", type=month, metavar="YYYY-MM", help="one local month")
    billing_export.add_argument("--out", required=True, metavar="FILE")
    billing_export.add_argument("--granularity", choices=["DAY", "MONTH"], default="DAY")
    billing_export.add_argument("--format", choices=["CSV", "JSONL"], default="CSV")
    add_advertisers(billing_export, "only this advertiser's rows")
    billing_export.add_argument(
        "--allow-open-period",
        action="store_true",
        help="export a period that is not closed yet (the manifest says period_closed: false)",
    )
    billing_export.set_defaults(handler=_export_billing)
