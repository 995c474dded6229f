"""One declarative base with a naming convention, and the engine and session factories."""

from __future__ import annotations

import enum
from collections.abc import Collection, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    DateTime,
    Engine,
    MetaData,
    Table,
    Text,
    any_,
    bindparam,
    cast,
    create_engine,
    event,
    false,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase, QueryableAttribute, Session, sessionmaker
from sqlalchemy.types import Enum as SAEnum
from sqlalchemy.types import TypeDecorator

from ads.config import Settings
from ads.text import storable

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

#: 64-bit on PostgreSQL; INTEGER on SQLite so that an id column is the rowid alias.
BigId = BigInteger().with_variant(sqlite.INTEGER(), "sqlite")


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on both databases (SQLite stores no offset)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def enum_column(kind: type[enum.Enum], name: str) -> SAEnum:
    """Store an enum by value as a string with a CHECK constraint, the same on both databases."""
    return SAEnum(
        kind,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=32,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )


class Base(DeclarativeBase):
    """The one declarative base; every model of every area derives from it."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def make_engine(settings: Settings, **kwargs: Any) -> Engine:
    """A synchronous engine (CLI, Alembic, workers)."""
    settings.ensure_sqlite_directory()
    engine = create_engine(settings.sync_database_url(), **kwargs)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def make_async_engine(settings: Settings, **kwargs: Any) -> AsyncEngine:
    """The asyncio engine the HTTP API uses."""
    settings.ensure_sqlite_directory()
    engine = create_async_engine(settings.async_database_url(), **kwargs)
    if engine.dialect.name == "sqlite":
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    return engine


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def async_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


def upsert(
    session: Session,
    table: Table,
    keys: Sequence[str],
    rows: Sequence[dict[str, Any]],
    *,
    add: Collection[str] = (),
    older: str | None = None,
) -> None:
    """INSERT the rows, or on a conflict on `keys` UPDATE the stored row, on either database.

    A column in `add` is a counter: the new value is added to the stored one; every
    other column takes the new row's value. With `older`, a stored row is updated only
    where its `older` column is less than the new row's. All rows have the same keys.
    """
    if not rows:
        return
    postgres = session.get_bind().dialect.name == "postgresql"
    stmt: Any = postgresql.insert(table) if postgres else sqlite.insert(table)
    stmt = stmt.on_conflict_do_update(
        index_elements=list(keys),
        set_={
            name: table.c[name] + stmt.excluded[name] if name in add else stmt.excluded[name]
            for name in rows[0]
            if name not in keys
        },
        where=None if older is None else table.c[older] < stmt.excluded[older],
    )
    session.connection().execute(stmt, list(rows))


def among(column: Any, ids: Sequence[int], dialect: str) -> ColumnElement[bool]:
    """`column IN ids`, as one array parameter on PostgreSQL.

    An IN list is a parameter per id: for a thousand ids, SQLAlchemy renders a thousand
    placeholders and psycopg parses a new statement text on every call, costing more
    than the query. The array travels as its text literal (psycopg's list adapter works
    element by element in Python), so the statement text is the same whatever the count.
    """
    if dialect != "postgresql":
        return column.in_(ids)
    literal = "{" + ",".join(map(str, ids)) + "}"
    array = cast(bindparam(None, literal, type_=Text), postgresql.ARRAY(BigInteger))
    return column == any_(array)


def escape_like(text: str) -> str:
    """Escape LIKE wildcards in user text (use with `escape="\\"`)."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def contains(
    column: ColumnElement[str] | QueryableAttribute[str], needle: str
) -> ColumnElement[bool]:
    """Case-insensitive substring filter on user text; text that no row can hold (see
    ads.text) matches nothing, on both databases, instead of making the driver fail."""
    if not storable(needle):
        return false()
    return column.ilike(f"%{escape_like(needle)}%", escape="\\")
