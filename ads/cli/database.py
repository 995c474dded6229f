"""`ads migrate` and `ads seed`: the schema and the demo data."""

from __future__ import annotations

import argparse
import sys

from ads.cli.arguments import Commands
from ads.config import Settings


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


def register(commands: Commands) -> None:
    migrate = commands.add_parser("migrate", help="upgrade the database schema to head")
    migrate.set_defaults(handler=_migrate, uses_database=False)  # it brings the schema to head

    seed = commands.add_parser("seed", help="load data into the database")
    seed.add_argument("--demo", action="store_true", help="the demo advertisers and campaigns")
    seed.set_defaults(handler=_seed)
