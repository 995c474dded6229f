"""`ads billing …`: what the billing workers do, on demand and as of any past instant, and
reconciliation. An operator closes a month after an outage without the scheduler."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from ads.cli.arguments import Commands, add_advertisers, add_as_of, as_of_time, day, month
from ads.config import Settings

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

T = TypeVar("T")


def _in_session(settings: Settings, work: Callable[[Session], T]) -> T:
    from ads.db import make_engine, session_factory

    engine = make_engine(settings)
    try:
        with session_factory(engine)() as session:
            return work(session)
    finally:
        engine.dispose()


def _aggregate(args: argparse.Namespace, settings: Settings) -> int:
    from ads.billing.cycle import run_aggregation
    from ads.time import iso_utc

    now = as_of_time(args.as_of)
    run = _in_session(settings, lambda s: run_aggregation(s, now=now, settings=settings))
    if run.window_end <= run.window_start:
        print(f"nothing to aggregate as of {iso_utc(now)}: events received before "
              f"{iso_utc(run.window_start)} are aggregated already")  # fmt: skip
        return 0
    print(
        f"aggregated events received from {iso_utc(run.window_start)} to "
        f"{iso_utc(run.window_end)}: {len(run.hours)} UTC hours recomputed"
    )
    return 0


def _close_days(args: argparse.Namespace, settings: Settings) -> int:
    from ads.billing.cycle import close_days
    from ads.time import iso_utc

    now = as_of_time(args.as_of)
    results = _in_session(
        settings,
        lambda s: close_days(s, now=now, settings=settings, advertiser_ids=args.advertiser),
    )
    closed = [r for r in results if r.closed]
    for result in closed:
        days = ", ".join(d.isoformat() for d in result.closed)
        print(f"advertiser {result.advertiser_id}: closed {days}")
    print(
        f"{sum(len(r.closed) for r in closed)} days closed as of {iso_utc(now)} "
        f"({len(results)} advertisers with delivery checked)"
    )
    return 0


def _refresh_invoices(args: argparse.Namespace, settings: Settings) -> int:
    from ads.billing.cycle import refresh_month_invoices
    from ads.billing.domain.invoice_document import invoice_number
    from ads.money import format_minor
    from ads.time import iso_utc

    now = as_of_time(args.as_of)

    def refresh(session: Session) -> list[str]:
        done = refresh_month_invoices(
            session, now=now, settings=settings, advertiser_ids=args.advertiser, months=args.month
        )
        lines = [
            f"{invoice_number(i.advertiser_id, i.month)} revision {i.version} {i.status}: "
            f"advertiser {i.advertiser_id}, {i.month:%Y-%m}, total "
            f"{format_minor(i.total_micros, i.currency)} {i.currency}"
            for i in done.added
        ]
        lines.append(
            f"{len(done.added)} new invoice versions as of {iso_utc(now)} "
            f"({done.checked} advertiser-months checked)"
        )
        return lines

    for line in _in_session(settings, refresh):
        print(line)
    return 0


def _resend_exports(args: argparse.Namespace, settings: Settings) -> int:
    from ads.db import make_engine, session_factory
    from ads.exports.jobs import stuck_exports
    from ads.exports.service import run_export

    now = as_of_time(args.as_of)
    engine = make_engine(settings)
    sessions = session_factory(engine)
    try:
        with sessions() as session:
            ids = stuck_exports(session, now=now)
        for export_id in ids:
            status = run_export(
                sessions,
                export_id,
                export_dir=settings.export_dir,
                allowance_seconds=settings.billing_late_allowance_seconds,
                settle_seconds=settings.billing_settle_seconds,
            )
            print(f"export {export_id}: {status}")
    finally:
        engine.dispose()
    print(f"{len(ids)} stuck exports run here")
    return 0


def _reconcile(args: argparse.Namespace, settings: Settings) -> int:
    from ads.auth.principal import CLI_PRINCIPAL
    from ads.billing.reconciliation import checked_against, reconcile

    report = _in_session(
        settings,
        lambda s: reconcile(
            s,
            CLI_PRINCIPAL,
            date_from=args.date_from,
            date_to=args.date_to,
            advertiser_ids=args.advertiser,
        ),
    )
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
    billing = commands.add_parser(
        "billing",
        help="billing operations: what the workers do, on demand (idempotent), and checks",
    )
    actions = billing.add_subparsers(dest="billing_command", required=True, metavar="ACTION")

    aggregate = actions.add_parser(
        "aggregate",
        help="roll settled delivery events into hourly aggregates (every advertiser: hours "
        "are recomputed whole)",
    )
    add_as_of(aggregate)
    aggregate.set_defaults(handler=_aggregate)

    close = actions.add_parser(
        "close-days",
        help="bill every local day whose late-event allowance is over into the ledger",
    )
    add_as_of(close)
    add_advertisers(close, "only this advertiser's days")
    close.set_defaults(handler=_close_days)

    refresh = actions.add_parser(
        "refresh-invoices",
        help="bring invoices up to date with the ledger (a change adds a revision)",
    )
    add_as_of(refresh)
    add_advertisers(refresh, "only this advertiser's invoices")
    refresh.add_argument(
        "--month",
        type=month,
        action="append",
        metavar="YYYY-MM",
        help="only this month (repeatable; default: the months of the last 62 days)",
    )
    refresh.set_defaults(handler=_refresh_invoices)

    resend = actions.add_parser(
        "resend-exports",
        help="run here the export jobs nobody runs (PENDING for a minute, or RUNNING too long)",
    )
    add_as_of(resend)
    resend.set_defaults(handler=_resend_exports)

    reconcile = actions.add_parser(
        "reconcile", help="check ledger = aggregates = raw events per advertiser and day"
    )
    reconcile.add_argument("--from", dest="date_from", type=day, required=True)
    reconcile.add_argument("--to", dest="date_to", type=day, required=True)
    add_advertisers(reconcile, "only this advertiser")
    reconcile.set_defaults(handler=_reconcile)
