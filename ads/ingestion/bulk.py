"""Bulk writes of one ingestion batch: the events and their counter increments, by column.

The hot path of ingestion (see bench/RESULTS.md). On PostgreSQL a batch is one
`INSERT … SELECT FROM unnest(arrays)` (with `ON CONFLICT DO NOTHING RETURNING` when some
ids exist already) plus one statement of unnest upserts for the counters. The arrays
are sent as array literals built with `str.join`: psycopg's generic list dumper adapts
(and quotes) element by element in Python, which cost more than the server's whole
insert. SQLite takes plain executemany.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Table, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ads.ingestion import partitions
from ads.ingestion.models import (
    AdGroupDaySpend,
    CampaignDaySpend,
    CampaignHourTraffic,
    DeliveryEvent,
)
from ads.ingestion.partition_rules import utc_day
from ads.ingestion.rules import EventFlag, EventType

EVENTS: Table = DeliveryEvent.__table__  # type: ignore[assignment]
CAMPAIGN_DAYS: Table = CampaignDaySpend.__table__  # type: ignore[assignment]
AD_GROUP_DAYS: Table = AdGroupDaySpend.__table__  # type: ignore[assignment]
HOURS: Table = CampaignHourTraffic.__table__  # type: ignore[assignment]


@dataclass
class EventColumns:
    """The rows of a batch to insert, one list per column (in event id order)."""

    event_id: list[str] = field(default_factory=list)
    type: list[EventType] = field(default_factory=list)
    ad_id: list[int] = field(default_factory=list)
    ad_group_id: list[int] = field(default_factory=list)
    campaign_id: list[int] = field(default_factory=list)
    advertiser_id: list[int] = field(default_factory=list)
    cost_micros: list[int] = field(default_factory=list)
    occurred_at: list[datetime] = field(default_factory=list)
    local_day: list[date] = field(default_factory=list)
    local_hour: list[int] = field(default_factory=list)  # for the traffic counters only
    flag: list[EventFlag | None] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.event_id)

    def only(self, event_ids: set[str]) -> EventColumns:
        """The rows whose event id is in `event_ids`, in the same order."""
        keep = [i for i, event_id in enumerate(self.event_id) if event_id in event_ids]
        return EventColumns(
            **{name: [values[i] for i in keep] for name, values in vars(self).items()}
        )


def insert_new(session: Session, rows: EventColumns, received_at: datetime) -> EventColumns:
    """Insert the rows whose (occurred_at, event_id) is new; return those rows.

    Must be the transaction's first write. On PostgreSQL a batch is first inserted
    whole with a plain INSERT: new batches, the usual case, skip the cost of ON CONFLICT
    (speculative insertion, about a third of the statement) and of RETURNING. If an
    event exists already (a retried batch, or one committed meanwhile by a concurrent
    batch: the unique key makes the INSERT wait for it, then fail), nothing was
    inserted; the transaction is rolled back and the batch goes again through
    `ON CONFLICT DO NOTHING RETURNING`, which says which ids were new. An event of a day
    without a partition yet (the scheduled job creates them ahead; this covers its
    outage) has the partition created, and the statement starts over.
    """
    conn = session.connection()
    if conn.dialect.name != "postgresql":
        columns = [c for c in _EVENT_COLUMNS if c != "received_at"]
        params_list = [
            {"received_at": received_at, **dict(zip(columns, values, strict=True))}
            for values in zip(*(getattr(rows, c) for c in columns), strict=True)
        ]
        inserted = set(conn.execute(_sqlite_insert(), params_list).scalars())
        return rows if len(inserted) == len(rows) else rows.only(inserted)
    params = _pg_arrays(rows, received_at)
    statement, prepared = _PG_INSERT_ALL, False
    while True:
        try:
            result = session.connection().execute(statement, params)
            break
        except IntegrityError as exc:
            session.rollback()
            if _no_partition(exc) and not prepared:
                partitions.ensure(session, {utc_day(t) for t in rows.occurred_at})
                prepared = True
            elif _sqlstate(exc) == _UNIQUE_VIOLATION and statement is _PG_INSERT_ALL:
                statement = _PG_INSERT_NEW
            else:
                raise
    if statement is _PG_INSERT_ALL:
        return rows
    inserted = set(result.scalars())
    return rows if len(inserted) == len(rows) else rows.only(inserted)


def _sqlstate(exc: IntegrityError) -> str | None:
    return getattr(exc.orig, "sqlstate", None)


def _no_partition(exc: IntegrityError) -> bool:
    message = getattr(getattr(exc.orig, "diag", None), "message_primary", None) or ""
    return _sqlstate(exc) == _CHECK_VIOLATION and message.startswith("no partition")


def count_spend(session: Session, rows: EventColumns) -> None:
    """Add the inserted events to the day and hour counters (one statement on PostgreSQL).

    Keys are written in sorted order, so concurrent batches lock counter rows in the same
    order and cannot deadlock each other.
    """
    if not rows:
        return
    campaigns: dict[tuple[int, date], list[int]] = {}
    groups: dict[tuple[int, date], list[int]] = {}
    hours: dict[tuple[int, date, int], int] = {}
    click = EventType.CLICK
    for kind, group_id, campaign_id, advertiser_id, cost, day, hour in zip(
        rows.type,
        rows.ad_group_id,
        rows.campaign_id,
        rows.advertiser_id,
        rows.cost_micros,
        rows.local_day,
        rows.local_hour,
        strict=True,
    ):
        c = campaigns.get((campaign_id, day))
        if c is None:
            c = campaigns[campaign_id, day] = [advertiser_id, 0, 0, 0]
        g = groups.get((group_id, day))
        if g is None:
            g = groups[group_id, day] = [campaign_id, 0, 0, 0]
        counter = 3 if kind is click else 2
        c[1] += cost
        g[1] += cost
        c[counter] += 1
        g[counter] += 1
        key = (campaign_id, day, hour)
        hours[key] = hours.get(key, 0) + 1
    _upsert_counters(
        session,
        {
            CAMPAIGN_DAYS.name: [(*k, *v) for k, v in sorted(campaigns.items())],
            AD_GROUP_DAYS.name: [(*k, *v) for k, v in sorted(groups.items())],
            HOURS.name: [(*k, v) for k, v in sorted(hours.items())],
        },
    )


# --- PostgreSQL --------------------------------------------------------------------

_EVENT_COLUMNS = [c.name for c in EVENTS.columns]
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
# Times travel as integer microseconds since the epoch (exact, and cheaper to format
# than ISO text); the server turns them back into timestamps.
_PG_INSERT = (
    "INSERT INTO delivery_events (event_id, type, ad_id, ad_group_id, campaign_id, "
    "advertiser_id, cost_micros, occurred_at, local_day, received_at, flag) "
    "SELECT e.event_id, e.type, e.ad_id, e.ad_group_id, e.campaign_id, e.advertiser_id, "
    "e.cost_micros, TIMESTAMPTZ 'epoch' + e.occurred_us * INTERVAL '1 microsecond', "
    "e.local_day, :received_at, e.flag "
    "FROM unnest(CAST(:event_id AS TEXT[]), CAST(:type AS TEXT[]), CAST(:ad_id AS BIGINT[]), "
    "CAST(:ad_group_id AS BIGINT[]), CAST(:campaign_id AS BIGINT[]), "
    "CAST(:advertiser_id AS BIGINT[]), CAST(:cost_micros AS BIGINT[]), "
    "CAST(:occurred_us AS BIGINT[]), CAST(:local_day AS DATE[]), CAST(:flag AS TEXT[])) "
    "AS e(event_id, type, ad_id, ad_group_id, campaign_id, advertiser_id, cost_micros, "
    "occurred_us, local_day, flag)"
)
_PG_INSERT_ALL = text(_PG_INSERT)
_PG_INSERT_NEW = text(
    _PG_INSERT + " ON CONFLICT (occurred_at, event_id) DO NOTHING RETURNING event_id"
)
_UNIQUE_VIOLATION = "23505"  # the events' key (the only unique constraint of the table)
_CHECK_VIOLATION = "23514"  # also "no partition of relation … found for row"
assert set(_EVENT_COLUMNS) == {
    "event_id", "type", "ad_id", "ad_group_id", "campaign_id", "advertiser_id",
    "cost_micros", "occurred_at", "local_day", "received_at", "flag",
}, "update _PG_INSERT for the new columns"  # fmt: skip


def _pg_arrays(rows: EventColumns, received_at: datetime) -> dict[str, Any]:
    days = {day: day.isoformat() for day in set(rows.local_day)}
    return {
        "received_at": received_at,
        "event_id": _text_array(rows.event_id),
        # Enum values are upper-case words: nothing to quote.
        "type": "{" + ",".join(rows.type) + "}",
        "ad_id": _int_array(rows.ad_id),
        "ad_group_id": _int_array(rows.ad_group_id),
        "campaign_id": _int_array(rows.campaign_id),
        "advertiser_id": _int_array(rows.advertiser_id),
        "cost_micros": _int_array(rows.cost_micros),
        "occurred_us": _int_array([(t - _EPOCH) // _MICROSECOND for t in rows.occurred_at]),
        "local_day": "{" + ",".join([days[d] for d in rows.local_day]) + "}",
        "flag": "{" + ",".join(["NULL" if f is None else f for f in rows.flag]) + "}",
    }


def _int_array(values: Sequence[int]) -> str:
    return "{" + ",".join(map(str, values)) + "}"


def _text_array(values: Sequence[str]) -> str:
    """An array literal of arbitrary strings: each quoted, `"` and `\\` escaped."""
    if not values:
        return "{}"
    plain = "".join(values)
    if '"' in plain or "\\" in plain:
        values = [v.replace("\\", "\\\\").replace('"', '\\"') for v in values]
    return '{"' + '","'.join(values) + '"}'


_PG_TYPES = {"day": "DATE", "hour": "SMALLINT"}
_COUNTS = ("spend_micros", "impressions", "clicks")
_INCREMENTS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    CAMPAIGN_DAYS.name: (("campaign_id", "day"), _COUNTS),
    AD_GROUP_DAYS.name: (("ad_group_id", "day"), _COUNTS),
    HOURS.name: (("campaign_id", "day", "hour"), ("events",)),
}
_COUNTERS = (CAMPAIGN_DAYS, AD_GROUP_DAYS, HOURS)


def _pg_upsert(table: Table) -> str:
    """`INSERT … SELECT FROM unnest(…) ON CONFLICT … DO UPDATE SET x = x + excluded.x`,
    its parameters named `<table>__<column>`."""
    keys, increments = _INCREMENTS[table.name]
    names = [c.name for c in table.columns]
    arrays = ", ".join(f"CAST(:{table.name}__{n} AS {_PG_TYPES.get(n, 'BIGINT')}[])" for n in names)
    updates = ", ".join(f"{n} = {table.name}.{n} + excluded.{n}" for n in increments)
    return (
        f"INSERT INTO {table.name} ({', '.join(names)}) SELECT * FROM unnest({arrays}) "  # noqa: S608
        f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {updates}"
    )


# The three counter upserts as one statement (one round trip): data-modifying CTEs.
# Built from the model's own table and column names only.
_PG_COUNT = text(
    f"WITH campaigns AS ({_pg_upsert(CAMPAIGN_DAYS)}), "
    f"ad_groups AS ({_pg_upsert(AD_GROUP_DAYS)}) "
    f"{_pg_upsert(HOURS)}"
)


def _upsert_counters(session: Session, rows: dict[str, list[tuple[Any, ...]]]) -> None:
    """Add rows (key columns first, then the table's others in order) to each counter table."""
    conn = session.connection()
    postgres = conn.dialect.name == "postgresql"
    params: dict[str, list[Any]] = {}
    for table in _COUNTERS:
        keys = _INCREMENTS[table.name][0]
        names = [*keys, *(c.name for c in table.columns if c.name not in keys)]
        table_rows = rows[table.name]
        if postgres:
            columns = zip(*table_rows, strict=True) if table_rows else [[] for _ in names]
            params.update(
                (f"{table.name}__{name}", list(values))
                for name, values in zip(names, columns, strict=True)
            )
        elif table_rows:
            conn.execute(
                _sqlite_upsert(table), [dict(zip(names, row, strict=True)) for row in table_rows]
            )
    if postgres:
        conn.execute(_PG_COUNT, params)


# --- SQLite ------------------------------------------------------------------------

_SQLITE: dict[str, Any] = {}


def _sqlite_insert() -> Any:
    if "events" not in _SQLITE:
        from sqlalchemy.dialects.sqlite import insert

        _SQLITE["events"] = (
            insert(EVENTS)
            .on_conflict_do_nothing(index_elements=[EVENTS.c.occurred_at, EVENTS.c.event_id])
            .returning(EVENTS.c.event_id)
        )
    return _SQLITE["events"]


def _sqlite_upsert(table: Table) -> Any:
    if table.name not in _SQLITE:
        from sqlalchemy.dialects.sqlite import insert

        keys, increments = _INCREMENTS[table.name]
        stmt = insert(table)
        _SQLITE[table.name] = stmt.on_conflict_do_update(
            index_elements=list(keys),
            set_={name: table.c[name] + stmt.excluded[name] for name in increments},
        )
    return _SQLITE[table.name]
