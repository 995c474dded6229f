"""Alembic environment: the URL comes from Settings, SQLite ALTERs go through batch mode."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from ads.config import Settings
from ads.db import make_engine
from ads.ingestion.partition_rules import partition_day
from ads.models import METADATA

target_metadata = METADATA


def _include_name(name: str | None, type_: str, _parents: object) -> bool:
    """Partitions of a partitioned table are the database's business, not the model's."""
    return not (type_ == "table" and name is not None and partition_day(name) is not None)


def _configure_and_run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_name=_include_name,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _configure_and_run(connection)
        return
    engine = make_engine(Settings.from_env())
    try:
        with engine.connect() as conn:
            _configure_and_run(conn)
            conn.commit()
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline (--sql) migrations are not supported; run against a database")
run_migrations_online()
