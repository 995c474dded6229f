"""Writing a shard's decision rows in bulk: the pacing tick's one big write.

Every row changes on every tick (its `tick_at` and controller state at least), so the
tick upserts them all. On PostgreSQL the rows travel as one JSON document per chunk,
encoded by orjson and expanded by the server (`json_populate_recordset` into the table's
own row type): no per-value Python adaptation, no JSON encoding of each JSON column by
the ORM, no parameter per value. And the server's work overlaps with the engine's:
`write_decisions` decides chunk n+1 while a writer thread waits for the upsert of chunk
n, on the same connection and in the same transaction. SQLite takes the driver's
executemany of plain tuples after each chunk.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from typing import Any

import orjson
from sqlalchemy import JSON, Table
from sqlalchemy.orm import Session

from ads.db import upsert
from ads.pacing.models import AdGroupPacing, CampaignHourExposure, CampaignPacing
from ads.pacing.tick.decide import ShardDecisions, ShardInputs

CAMPAIGN_PACING: Table = CampaignPacing.__table__  # type: ignore[assignment]
AD_GROUP_PACING: Table = AdGroupPacing.__table__  # type: ignore[assignment]
HOUR_EXPOSURE: Table = CampaignHourExposure.__table__  # type: ignore[assignment]
#: Campaigns per chunk: one upsert statement each (a JSON parameter of about 5 MB).
CHUNK = 5_000


def in_chunks(inputs: ShardInputs, size: int | None = None) -> Iterator[ShardInputs]:
    """The shard's inputs, `size` (default CHUNK) campaigns at a time; lookups shared."""
    size = size or CHUNK
    for start in range(0, len(inputs.campaigns), size):
        yield replace(inputs, campaigns=inputs.campaigns[start : start + size])


def write_decisions(session: Session, chunks: Iterable[ShardDecisions]) -> ShardDecisions:
    """Consume `chunks` (decided lazily), upsert each, and return them all together.

    On PostgreSQL a writer thread runs the upserts on the session's own connection
    while this thread decides the next chunk; nothing else uses the connection
    meanwhile, and all is written when this returns (or the first error is raised).
    """
    everything = ShardDecisions()
    conn = session.connection()
    if conn.dialect.name != "postgresql":
        for chunk in chunks:
            _extend(everything, chunk)
            upsert_rows(session, CAMPAIGN_PACING, "campaign_id", chunk.campaigns)
            upsert_rows(session, AD_GROUP_PACING, "ad_group_id", chunk.ad_groups)
        add_exposures(session, everything.exposures)
        return everything
    writer = _Writer(conn.connection.driver_connection)
    try:
        for chunk in chunks:
            _extend(everything, chunk)
            writer.put(CAMPAIGN_PACING, "campaign_id", chunk.campaigns)
            writer.put(AD_GROUP_PACING, "ad_group_id", chunk.ad_groups)
    except BaseException:
        writer.finish(raise_error=False)  # the connection is free again for the rollback
        raise
    writer.finish()  # waits for the last upsert, or raises the writer's error
    add_exposures(session, everything.exposures)  # the connection is free again
    return everything


def add_exposures(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Add finished hours of exposure; a local hour seen twice (DST) adds up.

    Few rows: a campaign finishes an hour once an hour, so this is one statement per
    shard on the first tick of each hour and nothing on the others.
    """
    upsert(session, HOUR_EXPOSURE, ["campaign_id", "day", "hour"], rows, add={"throttle_seconds"})


def upsert_rows(session: Session, table: Table, key: str, rows: Sequence[dict[str, Any]]) -> None:
    """Insert or overwrite `rows` (all with the same keys) of a table keyed by `key`."""
    if not rows:
        return
    conn = session.connection()
    if conn.dialect.name == "postgresql":
        cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        with cursor:
            for sql, params in _pg_statements(table, key, rows):
                cursor.execute(sql, params)
        return
    columns = tuple(rows[0])
    # Each column's own bind conversion (enum checks, UTC datetimes as text), JSON by
    # orjson; rows as plain tuples through the driver's executemany.
    convert = [_sqlite_converter(table.c[name].type, conn.dialect) for name in columns]
    tuples = [
        tuple(
            value if f is None else f(value)
            for f, value in zip(convert, map(row.__getitem__, columns), strict=True)
        )
        for row in rows
    ]
    conn.exec_driver_sql(_sqlite_upsert(table, key, columns), tuples)


def _sqlite_converter(kind: Any, dialect: Any) -> Any:
    if isinstance(kind, JSON):
        return _json_text
    return kind._cached_bind_processor(dialect)


def _json_text(value: Any) -> str:
    return orjson.dumps(value).decode()


def _sqlite_upsert(table: Table, key: str, columns: tuple[str, ...]) -> str:
    unknown = set(columns) - set(table.columns.keys())
    assert not unknown, f"not columns of {table.name}: {unknown}"
    updates = ", ".join(f"{c} = excluded.{c}" for c in columns if c != key)
    return (  # names checked against the table above
        f"INSERT INTO {table.name} ({', '.join(columns)}) "  # noqa: S608
        f"VALUES ({', '.join('?' for _ in columns)}) "
        f"ON CONFLICT ({key}) DO UPDATE SET {updates}"
    )


def _extend(everything: ShardDecisions, chunk: ShardDecisions) -> None:
    everything.campaigns.extend(chunk.campaigns)
    everything.ad_groups.extend(chunk.ad_groups)
    everything.exposures.extend(chunk.exposures)


class _Writer:
    """A thread running upserts on one psycopg connection, in the order they are put."""

    def __init__(self, connection: Any) -> None:
        self._connection = connection
        self._jobs: queue.Queue[tuple[Table, str, Sequence[dict[str, Any]]] | None] = queue.Queue(
            maxsize=2
        )
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="pacing-writer", daemon=True)
        self._thread.start()

    def put(self, table: Table, key: str, rows: Sequence[dict[str, Any]]) -> None:
        if self._error is not None:
            raise self._error
        if rows:
            self._jobs.put((table, key, rows))

    def finish(self, *, raise_error: bool = True) -> None:
        self._jobs.put(None)
        self._thread.join()
        if raise_error and self._error is not None:
            raise self._error

    def _run(self) -> None:
        with self._connection.cursor() as cursor:
            while (job := self._jobs.get()) is not None:
                if self._error is not None:
                    continue  # drain: the transaction is failed, the caller raises
                try:
                    for sql, params in _pg_statements(*job):
                        cursor.execute(sql, params)
                except BaseException as exc:  # handed to the deciding thread
                    self._error = exc


def _pg_statements(
    table: Table, key: str, rows: Sequence[dict[str, Any]]
) -> Iterator[tuple[str, dict[str, str]]]:
    sql = _pg_upsert(table, key, tuple(rows[0]))
    for start in range(0, len(rows), CHUNK):
        yield sql, {"rows": orjson.dumps(rows[start : start + CHUNK]).decode()}


_STATEMENTS: dict[tuple[str, str, tuple[str, ...]], str] = {}


def _pg_upsert(table: Table, key: str, columns: tuple[str, ...]) -> str:
    """The upsert in psycopg's own parameter style (it runs on the driver's cursor)."""
    cache_key = (table.name, key, columns)
    if cache_key not in _STATEMENTS:
        unknown = set(columns) - set(table.columns.keys())
        assert not unknown, f"not columns of {table.name}: {unknown}"
        names = ", ".join(columns)
        updates = ", ".join(f"{c} = excluded.{c}" for c in columns if c != key)
        _STATEMENTS[cache_key] = (  # names checked against the table above
            f"INSERT INTO {table.name} ({names}) SELECT {names} "  # noqa: S608
            f"FROM json_populate_recordset(NULL::{table.name}, %(rows)s::json) "
            f"ON CONFLICT ({key}) DO UPDATE SET {updates}"
        )
    return _STATEMENTS[cache_key]
