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

    for group in GROUPS:
        group.register(commands)
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
