"""The `ads` command: migrate, seed, tokens, and the server, worker and scheduler processes."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from datetime import date

from ads.auth.roles import Role
from ads.config import Settings, SettingsError
from ads.errors import DomainError

Handler = Callable[[argparse.Namespace, Settings], int]


def _migrate(_args: argparse.Namespace, settings: Settings) -> int:
    from ads.schema_version import upgrade_to_head

    revision = upgrade_to_head(settings)
    print(f"database is at revision {revision}")
    return 0


def _seed(args: argparse.Namespace, settings: Settings) -> int:
    from ads.db import make_engine, session_factory
    from ads.demo import seed_demo

    if not args.demo:
        print("error: say what to seed: --demo", file=sys.stderr)
        return 2
    engine = make_engine(settings)
    with session_factory(engine)() as session:
        created = seed_demo(session)
    engine.dispose()
    if created:
        for advertiser in created:
            print(
                f"created advertiser {advertiser.id} {advertiser.name} "
                f"({advertiser.currency}, {advertiser.timezone})"
            )
    else:
        print("demo data already present")
    return 0


def _token_create(args: argparse.Namespace, settings: Settings) -> int:
    from ads.db import make_engine, session_factory
    from ads.tokens.service import create_token

    engine = make_engine(settings)
    with session_factory(engine)() as session:
        token, clear = create_token(
            session, role=Role(args.role), advertiser_ids=args.advertiser or [], name=args.name
        )
        scope = ", ".join(str(a.id) for a in token.advertisers) or "all"
        print(
            f"created {token.role} token {token.id} (advertisers: {scope}); "
            "it is shown once, store it now:"
        )
    engine.dispose()
    print(clear)
    return 0


def _token_revoke(args: argparse.Namespace, settings: Settings) -> int:
    from ads.db import make_engine, session_factory
    from ads.tokens.service import revoke_token

    engine = make_engine(settings)
    with session_factory(engine)() as session:
        token = revoke_token(session, args.id)
        print(f"token {token.id} revoked at {token.revoked_at:%Y-%m-%dT%H:%M:%SZ}")
    engine.dispose()
    return 0


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from ads.api.app import create_app
    from ads.logs import configure_logging

    configure_logging(settings.log_level)
    app = create_app(settings, embedded_workers=settings.embedded_broker)
    uvicorn.run(
        app,
        host=args.host,
        port=args.port,
        log_config=None,
        proxy_headers=True,
        timeout_graceful_shutdown=10,
    )
    return 0


def _worker(args: argparse.Namespace, settings: Settings) -> int:
    from dramatiq import Worker

    from ads.logs import configure_logging
    from workers.actors import declare_actors
    from workers.broker import build_broker

    configure_logging(settings.log_level)
    if settings.embedded_broker:
        print(
            "error: `ads worker` needs ADS_BROKER_URL (redis://… or amqp://…); "
            "in embedded mode `ads serve` runs the workers itself",
            file=sys.stderr,
        )
        return 2
    broker = build_broker(settings)
    declare_actors(broker, settings)
    worker = Worker(broker, worker_threads=args.threads or settings.worker_threads)
    worker.start()
    _wait_for_signal()
    worker.stop()
    broker.close()
    return 0


def _scheduler(_args: argparse.Namespace, settings: Settings) -> int:
    from ads.logs import configure_logging
    from workers.actors import declare_actors, periodic_jobs
    from workers.broker import build_broker
    from workers.scheduler import Scheduler

    configure_logging(settings.log_level)
    if settings.embedded_broker:
        print(
            "error: `ads scheduler` needs ADS_BROKER_URL (redis://… or amqp://…); "
            "in embedded mode `ads serve` runs the scheduler itself",
            file=sys.stderr,
        )
        return 2
    broker = build_broker(settings)
    scheduler = Scheduler(periodic_jobs(declare_actors(broker, settings), settings))
    thread = threading.Thread(target=scheduler.run_forever, daemon=True)
    thread.start()
    _wait_for_signal()
    scheduler.stop()
    thread.join(timeout=5)
    broker.close()
    return 0


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
    from ads.billing.reconciliation import reconcile
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
    for diff in report.differences:
        row = diff.row
        print(
            f"{diff.kind}: advertiser {row.advertiser_id} day {row.day} campaign "
            f"{row.campaign_id}: events {row.raw_micros} aggregates {row.aggregated_micros} "
            f"ledger {row.ledger_micros}"
        )
    return 0 if report.balanced else 1


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a YYYY-MM-DD date: {text!r}") from None


def _seeds(text: str) -> list[int]:
    from ads.simulation.evaluation.seeds import parse_seeds

    try:
        return parse_seeds(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _wait_for_signal() -> None:
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    stop.wait()


def _simulate(args: argparse.Namespace, _settings: Settings) -> int:
    from pathlib import Path

    from ads.simulation.command import run_simulation

    strategies = [s for s in args.strategies.split(",") if s]
    return run_simulation(
        scenario=args.scenario, seed=args.seed, out=Path(args.out), strategies=strategies,
        days=args.days, warmup_days=args.warmup_days, backend=args.backend,
        database_url=args.database_url, experiment=args.experiment,
        allocation=args.allocation, seeds=args.seeds,
    )  # fmt: skip


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ads",
        description="adsbackend: campaigns, budgets, pacing and billing.",
        epilog="Configuration comes from ADS_* environment variables (see README).",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    migrate = commands.add_parser("migrate", help="upgrade the database schema to head")
    migrate.set_defaults(handler=_migrate)

    seed = commands.add_parser("seed", help="load data into the database")
    seed.add_argument("--demo", action="store_true", help="the demo advertisers and campaigns")
    seed.set_defaults(handler=_seed)

    token = commands.add_parser("token", help="create or revoke API tokens")
    token_commands = token.add_subparsers(dest="token_command", required=True, metavar="ACTION")
    create = token_commands.add_parser(
        "create", help="create a token; it is printed once, alone on the last line"
    )
    create.add_argument("--role", required=True, choices=[r.value for r in Role])
    create.add_argument(
        "--advertiser",
        type=int,
        action="append",
        metavar="ID",
        help="advertiser id an ADVERTISER token is scoped to (repeatable)",
    )
    create.add_argument("--name", default="", help="a label saying who holds the token")
    create.set_defaults(handler=_token_create)
    revoke = token_commands.add_parser("revoke", help="revoke a token by id")
    revoke.add_argument("id", type=int)
    revoke.set_defaults(handler=_token_revoke)

    serve = commands.add_parser("serve", help="run the HTTP API (and, embedded, the workers)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.set_defaults(handler=_serve)

    worker = commands.add_parser("worker", help="run Dramatiq worker threads on the broker")
    worker.add_argument("--threads", type=int, default=None)
    worker.set_defaults(handler=_worker)

    scheduler = commands.add_parser("scheduler", help="enqueue the periodic jobs")
    scheduler.set_defaults(handler=_scheduler)

    export = commands.add_parser("export", help="export data for finance")
    export_commands = export.add_subparsers(dest="export_command", required=True, metavar="WHAT")
    billing_export = export_commands.add_parser(
        "billing", help="ledger sums per advertiser, campaign and day (or month)"
    )
    billing_export.add_argument("--from", dest="date_from", type=_day, required=True)
    billing_export.add_argument("--to", dest="date_to", type=_day, required=True)
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
    reconcile.add_argument("--from", dest="date_from", type=_day, required=True)
    reconcile.add_argument("--to", dest="date_to", type=_day, required=True)
    reconcile.add_argument("--advertiser", type=int, action="append", metavar="ID")
    reconcile.set_defaults(handler=_billing_reconcile)
    simulate = commands.add_parser(
        "simulate", help="replay a simulated ad marketplace and measure pacing strategies"
    )
    simulate.add_argument("--scenario", default="default", help="bundled name or a .toml path")
    which_seeds = simulate.add_mutually_exclusive_group()
    which_seeds.add_argument("--seed", type=int, default=None, help="default: the scenario's")
    which_seeds.add_argument(
        "--seeds",
        type=_seeds,
        default=None,
        help="run once per seed, e.g. 1-4 or 1,3,7, and compare (with --backend memory: fast)",
    )
    simulate.add_argument("--out", default="var/simulation", help="directory for the files")
    simulate.add_argument(
        "--strategies",
        default="no_pacing,even_spread,mystique,production,production_learned",
        help="comma-separated; no_pacing always runs as the reference",
    )
    simulate.add_argument("--days", type=int, default=None, help="default: the scenario's")
    simulate.add_argument(
        "--warmup-days",
        type=int,
        default=None,
        help="first days left out of the metrics (default: the scenario's; default.toml: 1)",
    )
    simulate.add_argument(
        "--backend",
        choices=["real", "memory"],
        default="real",
        help="real: the production strategy runs on the real ingestion, pacing and billing "
        "services over a database; memory: every strategy in memory (fast)",
    )
    simulate.add_argument(
        "--database-url",
        default=None,
        help="an EMPTY database for the real backend (default: a new SQLite file in --out)",
    )
    simulate.add_argument(
        "--experiment",
        choices=["linear_profile", "high_gain"],
        default=None,
        help="run the real-stack production run as a pacing experiment: DEFAULT vs this",
    )
    simulate.add_argument(
        "--allocation", type=float, default=0.5, help="experiment: share in the candidate arm"
    )
    simulate.set_defaults(handler=_simulate)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = Settings.from_env()
    except SettingsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    handler: Handler = args.handler
    try:
        return handler(args, settings)
    except DomainError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
