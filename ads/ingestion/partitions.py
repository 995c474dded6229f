"""The daily partitions of `delivery_events` on PostgreSQL: create them ahead, list, drop.

Native declarative partitioning, managed here rather than by pg_partman: a day's raw
events may only be dropped once billing has sealed its hours (`ads.billing.retention`),
a condition an age-based extension cannot check, and this is the only table to manage.
New partitions are made as a plain table then attached, which locks the parent in SHARE
UPDATE EXCLUSIVE mode (reads and inserts go on) where `CREATE TABLE … PARTITION OF` would
take ACCESS EXCLUSIVE; DDL waits at most `LOCK_TIMEOUT` for its lock, so it never queues
ingestion behind a long reader, and the next run retries.

SQLite keeps one plain table: there is nothing to create, and dropping a day deletes its rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from sqlalchemy import Connection, delete, func, select, text
from sqlalchemy.orm import Session

from ads.ingestion.models import DeliveryEvent
from ads.ingestion.partition_rules import PARENT, day_bounds, partition_day, partition_name, utc_day

#: Serializes creators (the scheduled job and ingestion meeting a missing partition).
_LOCK_KEY = 0x0AD5_E7E7
LOCK_TIMEOUT = "5s"
_CHILDREN = text(
    "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
    "WHERE i.inhparent = CAST(:parent AS regclass)"
)


def is_partitioned(conn: Connection) -> bool:
    return conn.dialect.name == "postgresql"


def existing_days(conn: Connection) -> set[date]:
    """The days that have a partition (PostgreSQL)."""
    return {
        day
        for (name,) in conn.execute(_CHILDREN, {"parent": PARENT})
        if (day := partition_day(name)) is not None
    }


def stored_days(session: Session) -> list[date]:
    """The days raw events may be stored for, oldest first: the partitions on PostgreSQL,
    the days from the oldest event to the newest on SQLite."""
    conn = session.connection()
    if is_partitioned(conn):
        return sorted(existing_days(conn))
    first, last = conn.execute(
        select(func.min(DeliveryEvent.occurred_at), func.max(DeliveryEvent.occurred_at))
    ).one()
    if first is None:
        return []
    start, end = utc_day(first), utc_day(last)
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]


def ensure(session: Session, days: Iterable[date]) -> list[date]:
    """Create the partitions of `days` that do not exist yet and commit; the days created."""
    wanted = set(days)
    conn = session.connection()
    if not is_partitioned(conn) or not wanted - existing_days(conn):
        session.rollback()
        return []
    conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})
    conn.exec_driver_sql(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
    created = []
    for day in sorted(wanted - existing_days(conn)):
        create_partition(conn, day)
        created.append(day)
    session.commit()
    return created


def create_partition(conn: Connection, day: date) -> None:
    """One day's partition: a table like the parent, attached for the day's range."""
    name = partition_name(day)
    start, end = day_bounds(day)
    # Names and bounds come from dates, never from input.
    conn.exec_driver_sql(
        f'CREATE TABLE "{name}" (LIKE {PARENT} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)'
    )
    conn.exec_driver_sql(
        f'ALTER TABLE {PARENT} ATTACH PARTITION "{name}" '
        f"FOR VALUES FROM ('{start.isoformat()}') TO ('{end.isoformat()}')"
    )


def drop_day(session: Session, day: date) -> None:
    """Remove one day's raw events: drop its partition, or delete its rows (caller commits)."""
    conn = session.connection()
    if is_partitioned(conn):
        conn.exec_driver_sql(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
        conn.exec_driver_sql(f'DROP TABLE IF EXISTS "{partition_name(day)}"')
        return
    start, end = day_bounds(day)
    session.execute(
        delete(DeliveryEvent).where(
            DeliveryEvent.occurred_at >= start, DeliveryEvent.occurred_at < end
        )
    )
