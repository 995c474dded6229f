"""Writing a shard's decision rows in bulk: the pacing tick's one big write.

Every row changes on every tick (its `tick_at` and controller state at least), so the
tick upserts them all. On PostgreSQL the rows travel as one JSON document per chunk,
encoded by orjson and expanded by the server (`json_populate_recordset` into the table's
own row type): no per-value Python adaptation, no JSON encoding of each JSON column
by the ORM, no parameter per value. SQLite takes a plain executemany upsert.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import orjson
from sqlalchemy import Table, text
from sqlalchemy.orm import Session

from ads.pacing.models import AdGroupPacing, CampaignPacing

CAMPAIGN_PACING: Table = CampaignPacing.__table__  # type: ignore[assignment]
AD_GROUP_PACING: Table = AdGroupPacing.__table__  # type: ignore[assignment]
#: Rows per statement: bounds the size of one JSON parameter (about 1 kB a row).
CHUNK = 5_000


def upsert_rows(session: Session, table: Table, key: str, rows: Sequence[dict[str, Any]]) -> None:
    """Insert or overwrite `rows` (all with the same keys) of a table keyed by `key`."""
    if not rows:
        return
    columns = list(rows[0])
    conn = session.connection()
    if conn.dialect.name == "postgresql":
        statement = _pg_upsert(table, key, tuple(columns))
        for start in range(0, len(rows), CHUNK):
            chunk = orjson.dumps(rows[start : start + CHUNK]).decode()
            conn.execute(statement, {"rows": chunk})
        return
    from sqlalchemy.dialects.sqlite import insert

    stmt = insert(table)
    stmt = stmt.on_conflict_do_update(
        index_elements=[key], set_={name: stmt.excluded[name] for name in columns if name != key}
    )
    conn.execute(stmt, list(rows))


_STATEMENTS: dict[tuple[str, str, tuple[str, ...]], Any] = {}


def _pg_upsert(table: Table, key: str, columns: tuple[str, ...]) -> Any:
    cache_key = (table.name, key, columns)
    if cache_key not in _STATEMENTS:
        unknown = set(columns) - set(table.columns.keys())
        assert not unknown, f"not columns of {table.name}: {unknown}"
        names = ", ".join(columns)
        updates = ", ".join(f"{c} = excluded.{c}" for c in columns if c != key)
        _STATEMENTS[cache_key] = text(  # names checked against the table above
            f"INSERT INTO {table.name} ({names}) SELECT {names} "  # noqa: S608
            f"FROM json_populate_recordset(NULL::{table.name}, CAST(:rows AS JSON)) "
            f"ON CONFLICT ({key}) DO UPDATE SET {updates}"
        )
    return _STATEMENTS[cache_key]
