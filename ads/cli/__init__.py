"""The `ads` command: one module per group of commands, assembled here."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from ads.cli import billing, database, finance, invoices, processes, simulate, storage, tokens
from ads.cli.arguments import Handler
from ads.config import Settings, SettingsError
from ads.errors import DomainError

GROUPS = (database, tokens, processes, finance, billing, invoices, storage, simulate)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ads",
        description="adsbackend: campaigns, budgets, pacing and billing.",
        epilog="Configuration comes from ADS_* environment variables (see README).",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    # A command runs only on a database at the code's schema, unless it says otherwise.
    parser.set_defaults(uses_database=True)

    for group in GROUPS:
        group.register(commands)
    return parser


#: Exit statuses beyond 0, 1 (refused) and 2 (usage, a setting), as sysexits.h names them.
EXIT_TEMPFAIL = 75  # a database or broker that cannot be reached: try again later
EXIT_CONFIG = 78  # the database's schema is not the code's


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = Settings.from_env()
    except SettingsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    handler: Handler = args.handler
    try:
        if args.uses_database:
            from ads.schema_version import require_current_schema

            require_current_schema(settings)
        return handler(args, settings)
    except DomainError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        return _failed(exc, settings)


def _failed(error: Exception, settings: Settings) -> int:
    """One line for a dependency out of reach or a schema not at head; re-raise the rest."""
    from ads.outages import Dependency, describe, outage_of
    from ads.schema_version import SchemaNotCurrent

    if isinstance(error, SchemaNotCurrent):
        print(f"error: {error.message}", file=sys.stderr)
        return EXIT_CONFIG
    dependency = outage_of(error)
    if dependency is None:
        raise error
    url = settings.database_url if dependency is Dependency.DATABASE else settings.broker_url
    print(
        f"error: cannot reach the {dependency} at {_safe(url)}: {describe(error)}", file=sys.stderr
    )
    return EXIT_TEMPFAIL


def _safe(url: str) -> str:
    """The URL with its password starred."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return url.split("@")[-1]
