"""`ads token create|revoke`: API tokens, printed once."""

from __future__ import annotations

import argparse

from ads.auth.roles import Role
from ads.cli.arguments import Commands, node_id, record_id
from ads.config import Settings


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


def register(commands: Commands) -> None:
    token = commands.add_parser("token", help="create or revoke API tokens")
    token_commands = token.add_subparsers(dest="token_command", required=True, metavar="ACTION")
    create = token_commands.add_parser(
        "create", help="create a token; it is printed once, alone on the last line"
    )
    create.add_argument("--role", required=True, choices=[r.value for r in Role])
    create.add_argument(
        "--advertiser",
        type=node_id("Advertiser"),
        action="append",
        metavar="ID",
        help="advertiser (numeric or global id) an ADVERTISER token is scoped to (repeatable)",
    )
    create.add_argument("--name", default="", help="a label saying who holds the token")
    create.set_defaults(handler=_token_create)
    revoke = token_commands.add_parser("revoke", help="revoke a token by id")
    revoke.add_argument("id", type=record_id)
    revoke.set_defaults(handler=_token_revoke)
