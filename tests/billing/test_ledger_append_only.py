"""The database itself refuses to change or remove a ledger row (migration 0005)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from ads.billing.domain.ledger import EntryKind
from ads.billing.models import LedgerEntry
from ads.config import Settings
from ads.db import make_engine, session_factory
from ads.schema_version import alembic_config
from tests import factories
from tests.databases import clear_tables, fresh_postgres_database, settings_for

CHANGES = (
    "UPDATE ledger_entries SET amount_micros = amount_micros + 1",
    "DELETE FROM ledger_entries",
)


def add_entry(session: Session) -> int:
    advertiser = factories.advertiser(session)
    entry = LedgerEntry(
        advertiser_id=advertiser.id,
        day=date(2026, 11, 10),
        kind=EntryKind.ADJUSTMENT,
        amount_micros=1_000_000,
        currency="USD",
        reason="goodwill",
        created_by="test",
    )
    session.add(entry)
    session.commit()
    return entry.id


def amounts(conn: Connection) -> list[int]:
    return list(conn.execute(text("SELECT amount_micros FROM ledger_entries")).scalars())


@pytest.mark.parametrize("statement", CHANGES)
def test_sql_update_and_delete_of_the_ledger_are_refused(
    settings: Settings, session: Session, statement: str
) -> None:
    add_entry(session)
    engine = make_engine(settings)
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
        conn.execute(text(statement))
    with engine.connect() as conn:
        assert amounts(conn) == [1_000_000]
        # Appending a correction is what stays allowed.
        conn.execute(
            text(
                "INSERT INTO ledger_entries (advertiser_id, day, kind, amount_micros, currency,"
                " reason, created_by, created_at) SELECT advertiser_id, day, kind, -1, currency,"
                " 'correction', 'test', created_at FROM ledger_entries"
            )
        )
        conn.commit()
        assert sorted(amounts(conn)) == [-1, 1_000_000]
    engine.dispose()


def test_the_suite_cleanup_empties_the_ledger_and_leaves_the_guard_in_place(
    settings: Settings, session: Session
) -> None:
    add_entry(session)
    clear_tables(settings.database_url)
    engine = make_engine(settings)
    with engine.connect() as conn:
        assert amounts(conn) == []
    session.expunge_all()
    add_entry(session)
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
        conn.execute(text(CHANGES[1]))
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def empty_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        engine = make_engine(settings_for(f"sqlite:///{tmp_path / 'ledger.db'}"))
        yield engine
        engine.dispose()
    else:
        with fresh_postgres_database() as url:
            engine = make_engine(settings_for(url))
            yield engine
            engine.dispose()


def test_downgrade_removes_the_guard_and_upgrade_restores_it(empty_engine: Engine) -> None:
    def migrate(step: str, revision: str) -> None:
        with empty_engine.begin() as conn:
            getattr(command, step)(alembic_config(conn), revision)

    migrate("upgrade", "0005")
    with session_factory(empty_engine)() as session:
        add_entry(session)
    migrate("downgrade", "0003")
    with empty_engine.begin() as conn:
        conn.execute(text(CHANGES[0]))
        assert amounts(conn) == [1_000_001]
    migrate("upgrade", "0005")
    with pytest.raises(DBAPIError, match="append-only"), empty_engine.begin() as conn:
        conn.execute(text(CHANGES[1]))
    migrate("downgrade", "base")
