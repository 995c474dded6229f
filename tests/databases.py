"""Throwaway databases for tests: a migrated SQLite file or a fresh PostgreSQL database."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, create_engine, text
from sqlalchemy.engine import make_url

from ads.config import Settings
from ads.models import METADATA

POSTGRES_ENV = "ADS_TEST_POSTGRES_URL"
REDIS_ENV = "ADS_TEST_REDIS_URL"
RABBITMQ_ENV = "ADS_TEST_RABBITMQ_URL"


def postgres_server_url() -> str:
    """The test server's URL; a missing server is a loud failure, never a skip."""
    url = os.environ.get(POSTGRES_ENV)
    if not url:
        raise RuntimeError(
            f"{POSTGRES_ENV} is not set: run the suite with `scripts/test` (it starts "
            "PostgreSQL and Redis) or point it at a server you own"
        )
    return url


def redis_server_url(db: int = 0) -> str:
    """The test Redis server, database `db`: tests whose workers could leave messages behind
    (a worker stopped with messages in flight gets them re-queued later) use their own."""
    url = os.environ.get(REDIS_ENV)
    if not url:
        raise RuntimeError(f"{REDIS_ENV} is not set: run the suite with `scripts/test`")
    return make_url(url).set(database=str(db)).render_as_string(hide_password=False)


def rabbitmq_server_url() -> str:
    url = os.environ.get(RABBITMQ_ENV)
    if not url:
        raise RuntimeError(f"{RABBITMQ_ENV} is not set: run the suite with `scripts/test`")
    return url


@contextmanager
def fresh_postgres_database() -> Iterator[str]:
    """Create an empty database on the test server; drop it afterwards."""
    server = make_url(postgres_server_url()).set(drivername="postgresql+psycopg")
    name = f"ads_t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def settings_for(url: str, **overrides: object) -> Settings:
    return Settings(**{"database_url": url, **overrides})  # type: ignore[arg-type]


def clear_tables(url: str) -> None:
    """Empty every table of the model (between tests), keeping the schema."""
    settings = settings_for(url)
    engine = create_engine(settings.sync_database_url())
    tables = [t.name for t in reversed(METADATA.sorted_tables)]
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            with _triggers_suspended(conn):
                for table in tables:
                    conn.execute(text(f"DELETE FROM {table}"))
            if _has_sequence(conn):
                conn.execute(text("DELETE FROM sqlite_sequence"))
    engine.dispose()


@contextmanager
def _triggers_suspended(conn: Connection) -> Iterator[None]:
    """SQLite has no switch to skip triggers (PostgreSQL's TRUNCATE fires no row trigger):
    drop them and re-create them from their own stored SQL, in the caller's transaction,
    so no other connection ever sees a table without them (e.g. the ledger's
    append-only guard, migration 0005)."""
    triggers = conn.execute(
        text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name")
    ).all()
    for name, _sql in triggers:
        conn.execute(text(f'DROP TRIGGER "{name}"'))
    yield
    for _name, sql in triggers:
        conn.exec_driver_sql(sql)


def _has_sequence(conn: object) -> bool:
    row = conn.execute(  # type: ignore[attr-defined]
        text("SELECT name FROM sqlite_master WHERE name = 'sqlite_sequence'")
    ).first()
    return row is not None
