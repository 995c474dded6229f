"""Alembic from code: upgrade to head, and whether a database's schema is the code's.

/readyz and every CLI command that uses the database ask `schema_state`: a database
behind the code (or ahead of it: migrated by a newer release) would fail in the middle
of the work, so it is refused before any starts, with what to run.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection

from ads.config import Settings
from ads.db import make_engine

MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


@cache
def head_revision() -> str:
    heads = ScriptDirectory.from_config(alembic_config()).get_heads()
    assert len(heads) == 1, f"migrations must have one head, found {heads}"
    return heads[0]


class SchemaNotCurrent(Exception):
    """The database's schema is not the code's; the message says what to run."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True, slots=True)
class SchemaState:
    """The revision a database is at (None: no schema yet) against the code's head."""

    current: str | None
    head: str
    known: bool

    def problem(self) -> str | None:
        """What is wrong, in one sentence ending with what to do; None when at head."""
        if self.current == self.head:
            return None
        if self.current is None:
            return "the database has no schema yet: run `ads migrate`"
        if not self.known:
            return (
                f"the database schema is at revision {self.current}, which this code does "
                "not know (a newer release migrated it): run that release"
            )
        return (
            f"the database schema is at {self.current}, the code expects {self.head}: "
            "run `ads migrate`"
        )


def schema_state(connection: Connection) -> SchemaState:
    current = MigrationContext.configure(connection).get_current_revision()
    script = ScriptDirectory.from_config(alembic_config())
    known = current is None or current in {rev.revision for rev in script.walk_revisions()}
    return SchemaState(current, head_revision(), known)


def require_current_schema(settings: Settings) -> None:
    """Raise SchemaNotCurrent unless the database is at the code's head revision."""
    engine = make_engine(settings)
    try:
        with engine.connect() as connection:
            problem = schema_state(connection).problem()
    finally:
        engine.dispose()
    if problem is not None:
        raise SchemaNotCurrent(problem)


def upgrade_to_head(settings: Settings) -> str:
    """Apply every pending migration; return the revision the database is now at.

    A database at a revision the code does not know is refused (SchemaNotCurrent), not
    "upgraded" from a revision Alembic cannot find.
    """
    engine = make_engine(settings)
    try:
        with engine.begin() as connection:
            state = schema_state(connection)
            if not state.known:
                raise SchemaNotCurrent(state.problem() or "")
            command.upgrade(alembic_config(connection), "head")
    finally:
        engine.dispose()
    return head_revision()
