"""Writing a chunk of a shard's decision rows in bulk: the pacing tick's one big write.

Every row changes on every tick (its `tick_at` and controller state at least), so the
tick upserts them all. On PostgreSQL the rows travel as one JSON document per chunk,
encoded by orjson and expanded by the server (`json_populate_recordset` into the table's
own row type): no per-value Python adaptation, no JSON encoding of each JSON column by
the ORM, no parameter per value; `ads.pacing.tick.pipeline` runs these writes on its
database thread while the next chunk is decided. SQLite takes the driver's executemany
of plain tuples.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import orjson
from sqlalchemy import JSON, Table
from sqlalchemy.orm import Session

from ads.db import upsert
from ads.pacing.models import AdGroupPacing, CampaignHourExposure, CampaignPacing
from ads.pacing.tick.decide import ShardDecisions

CAMPAIGN_PACING: Table = CampaignPacing.__table__  # type: ignore[assignment]
AD_GROUP_PACING: Table = AdGroupPacing.__table__  # type: ignore[assignment]
HOUR_EXPOSURE: Table = CampaignHourExposure.__table__  # type: ignore[assignment]
#: Campaigns per chunk: read, decided and written together (one upsert statement of a
#: JSON parameter of about 1 MB). A shard holds three chunks at a time (the next one
#: loading, this one being decided, the last one being written), about 4 KB per campaign
#: with the driver's buffers, and a worker runs a shard per thread: at 5,000 a 2-thread
#: worker's tick took 77-109 MiB above its idle RSS, at 1,000 24 MiB, for about a tenth
#: more CPU per campaign (five times the statements).
CHUNK = 1_000


class SupersededTick(Exception):
    """A newer tick committed a decision of this chunk after the chunk was loaded.

    Loading skips campaigns already decided for this slot or a later one, but two ticks
    can load the same campaign before either commits (a retried or late shard message
    running beside the next slot's). The decision row is written only over an older
    one, so the later tick's decision stands; the shard's transaction must then start
    over, lest the rest of it (ad groups, exposure hours) be of the superseded tick.
    """


def write_decisions(session: Session, decisions: ShardDecisions) -> ShardDecisions:
    """Upsert one chunk's campaign and ad-group rows and add its finished exposure hours.

    Raises `SupersededTick` when a campaign's stored decision is already of a later slot.
    """
    written = upsert_rows(
        session, CAMPAIGN_PACING, "campaign_id", decisions.campaigns, older="tick_at"
    )
    if written < len(decisions.campaigns):
        raise SupersededTick(
            f"{len(decisions.campaigns) - written} of {len(decisions.campaigns)} campaigns "
            "were decided by a later tick meanwhile"
        )
    upsert_rows(session, AD_GROUP_PACING, "ad_group_id", decisions.ad_groups)
    add_exposures(session, decisions.exposures)
    return decisions


def add_exposures(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Add finished hours of exposure; a local hour seen twice (DST) adds up.

    Few rows: a campaign finishes an hour once an hour, so this is one statement per
    shard on the first tick of each hour and nothing on the others.
    """
    upsert(session, HOUR_EXPOSURE, ["campaign_id", "day", "hour"], rows, add={"throttle_seconds"})


def upsert_rows(
    session: Session,
    table: Table,
    key: str,
    rows: Sequence[dict[str, Any]],
    *,
    older: str | None = None,
) -> int:
    """Insert or overwrite `rows` (all with the same keys) of a table keyed by `key`.

    With `older`, a stored row is overwritten only where its `older` column is less
    than the new row's. Returns how many rows were inserted or overwritten.
    """
    if not rows:
        return 0
    conn = session.connection()
    if conn.dialect.name == "postgresql":
        written = 0
        cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        with cursor:
            for sql, params in _pg_statements(table, key, rows, older):
                cursor.execute(sql, params)
                written += cursor.rowcount
        return written
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
    result = conn.exec_driver_sql(_sqlite_upsert(table, key, columns, older), tuples)
    return int(result.rowcount)


def _sqlite_converter(kind: Any, dialect: Any) -> Any:
    if isinstance(kind, JSON):
        return _json_text
    return kind._cached_bind_processor(dialect)


def _json_text(value: Any) -> str:
    return orjson.dumps(value).decode()


def _on_conflict(table: Table, key: str, columns: tuple[str, ...], older: str | None) -> str:
    """`ON CONFLICT … DO UPDATE` of every column, guarded by `older` if given."""
    unknown = set(columns) - set(table.columns.keys())
    assert not unknown, f"not columns of {table.name}: {unknown}"
    assert older is None or older in columns, f"{older} is not written"
    updates = ", ".join(f"{c} = excluded.{c}" for c in columns if c != key)
    guard = f" WHERE {table.name}.{older} < excluded.{older}" if older else ""
    return f"ON CONFLICT ({key}) DO UPDATE SET {updates}{guard}"


def _sqlite_upsert(table: Table, key: str, columns: tuple[str, ...], older: str | None) -> str:
    return (  # names checked against the table by _on_conflict
        f"INSERT INTO {table.name} ({', '.join(columns)}) "  # noqa: S608
        f"VALUES ({', '.join('?' for _ in columns)}) " + _on_conflict(table, key, columns, older)
    )


def _pg_statements(
    table: Table, key: str, rows: Sequence[dict[str, Any]], older: str | None
) -> Iterator[tuple[str, dict[str, str]]]:
    sql = _pg_upsert(table, key, tuple(rows[0]), older)
    for start in range(0, len(rows), CHUNK):
        yield sql, {"rows": orjson.dumps(rows[start : start + CHUNK]).decode()}


_STATEMENTS: dict[tuple[str, str, tuple[str, ...], str | None], str] = {}


def _pg_upsert(table: Table, key: str, columns: tuple[str, ...], older: str | None) -> str:
    """The upsert in psycopg's own parameter style (it runs on the driver's cursor)."""
    cache_key = (table.name, key, columns, older)
    if cache_key not in _STATEMENTS:
        names = ", ".join(columns)
        conflict = _on_conflict(table, key, columns, older)
        _STATEMENTS[cache_key] = (  # names checked against the table by _on_conflict
            f"INSERT INTO {table.name} ({names}) SELECT {names} "  # noqa: S608
            f"FROM json_populate_recordset(NULL::{table.name}, %(rows)s::json) {conflict}"
        )
    return _STATEMENTS[cache_key]
