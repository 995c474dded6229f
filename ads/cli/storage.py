"""`ads events …`: the raw event store's upkeep, what the scheduled jobs do, run by hand."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime

from ads.cli.arguments import Commands
from ads.config import Settings


def _instant(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 date and time: {text!r}") from None
    if moment.tzinfo is None:
        raise argparse.ArgumentTypeError(f"give the time zone (e.g. …Z): {text!r}")
    return moment.astimezone(UTC)


def _now(args: argparse.Namespace) -> datetime:
    from ads.time import utcnow

    return args.as_of or utcnow()


def _prepare(args: argparse.Namespace, settings: Settings) -> int:
    from ads.db import make_engine, session_factory
    from ads.ingestion.partition_rules import days_to_prepare
    from ads.ingestion.partitions import ensure

    engine = make_engine(settings)
    with session_factory(engine)() as session:
        created = ensure(session, days_to_prepare(_now(args)))
    engine.dispose()
    days = ", ".join(d.isoformat() for d in created) or "none (all there)"
    print(f"event partitions created: {days}")
    return 0


def _retain(args: argparse.Namespace, settings: Settings) -> int:
    from ads.billing.cycle import run_retention
    from ads.db import make_engine, session_factory

    engine = make_engine(settings)
    with session_factory(engine)() as session:
        run = run_retention(session, now=_now(args), settings=settings)
    engine.dispose()
    print(f"{run.seals.hours} hours sealed; sealed until {run.seals.sealed_until.isoformat()}")
    days = ", ".join(d.isoformat() for d in run.dropped) or "none"
    print(f"raw event days dropped: {days}; raw events kept from {run.raw_events_from.isoformat()}")
    if run.seals.mismatch is not None:
        print(
            f"error: the aggregates of {run.seals.mismatch.isoformat()} differ from its raw "
            "events; it is not sealed and nothing from it on is dropped "
            "(see `ads billing reconcile`)"
        )
        return 1
    return 0


def register(commands: Commands) -> None:
    events = commands.add_parser("events", help="upkeep of the raw delivery events")
    actions = events.add_subparsers(dest="events_command", required=True, metavar="ACTION")
    as_of = {
        "type": _instant,
        "default": None,
        "metavar": "TIME",
        "help": "act as if it were this ISO 8601 time (default: now)",
    }
    prepare = actions.add_parser(
        "prepare-partitions", help="create the daily partitions of the coming days (PostgreSQL)"
    )
    prepare.add_argument("--as-of", **as_of)
    prepare.set_defaults(handler=_prepare)
    retain = actions.add_parser(
        "retain",
        help="seal final hours, then drop the days of raw events past ADS_EVENT_RETENTION_DAYS",
    )
    retain.add_argument("--as-of", **as_of)
    retain.set_defaults(handler=_retain)
