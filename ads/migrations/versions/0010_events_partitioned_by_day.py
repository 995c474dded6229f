"""delivery events keyed by (occurred_at, event_id), partitioned by UTC day on PostgreSQL

The events' key becomes (occurred_at, event_id), which leads with the time so that its
index is written at its right-hand edge (see `ads.ingestion.partition_rules`); the
surrogate `id` (read by nothing) and the unique index on the random `event_id` go. On
PostgreSQL the table becomes a native range-partitioned table, one partition per UTC day
of `occurred_at`; the index on `occurred_at` goes too (the key leads with it).

The existing table is renamed, the new one created, every event copied into it (one
INSERT … SELECT: minutes for tens of millions of rows; ingestion should be stopped for
the migration, as for any), and the old table dropped. Partitions are created for every
day that has events and every day ingestion may write to in the next few days.
Downgrade copies the events back into an unpartitioned table with new ids; should two
events share an id at different times (which the new key allows), the earliest is kept.

Revision ID: events_partitioned_by_day
Revises: export_supersession
Create Date: 2026-12-01 14:30:00
"""

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa
from alembic import op

import ads.db

revision: str = "events_partitioned_by_day"
down_revision: str | None = "export_supersession"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COLUMNS = (
    "event_id, type, ad_id, ad_group_id, campaign_id, advertiser_id, cost_micros, "
    "occurred_at, local_day, received_at, flag"
)
#: Days before and after today that get a partition now (ingestion accepts events up to
#: 7 days old; the scheduled job keeps 3 days ahead).
_BACK_DAYS, _AHEAD_DAYS = 8, 3


def _event_columns() -> list[sa.schema.SchemaItem]:
    return [
        sa.Column(
            "type",
            sa.Enum(
                "IMPRESSION",
                "CLICK",
                name="event_type",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("ad_id", sa.BigInteger(), nullable=False),
        sa.Column("ad_group_id", sa.BigInteger(), nullable=False),
        sa.Column("campaign_id", sa.BigInteger(), nullable=False),
        sa.Column("advertiser_id", sa.BigInteger(), nullable=False),
        sa.Column("cost_micros", sa.BigInteger(), nullable=False),
        sa.Column("local_day", sa.Date(), nullable=False),
        sa.Column("received_at", ads.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column(
            "flag",
            sa.Enum(
                "PAUSED",
                "ARCHIVED",
                "NOT_STARTED",
                "ENDED",
                name="event_flag",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=True,
        ),
        sa.CheckConstraint("cost_micros >= 0", name=op.f("ck_delivery_events_cost_non_negative")),
    ]


def _set_aside(name: str) -> None:
    """Rename the current table out of the way, with the indexes whose names are global."""
    op.drop_index("ix_delivery_events_received_at", table_name="delivery_events")
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"ALTER TABLE delivery_events RENAME CONSTRAINT pk_delivery_events TO pk_{name}")
    op.rename_table("delivery_events", name)


def upgrade() -> None:
    bind = op.get_bind()
    postgres = bind.dialect.name == "postgresql"
    op.drop_index("ix_delivery_events_occurred_at", table_name="delivery_events")
    if postgres:
        op.execute(
            "ALTER TABLE delivery_events "
            "RENAME CONSTRAINT uq_delivery_events_event_id TO uq_delivery_events_old_event_id"
        )
    _set_aside("delivery_events_old")
    op.create_table(
        "delivery_events",
        sa.Column("occurred_at", ads.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("event_id", sa.String(length=64), nullable=False),
        *_event_columns(),
        sa.PrimaryKeyConstraint("occurred_at", "event_id", name=op.f("pk_delivery_events")),
        postgresql_partition_by="RANGE (occurred_at)",
    )
    op.create_index("ix_delivery_events_received_at", "delivery_events", ["received_at"])
    if postgres:
        first, last = bind.execute(
            sa.text("SELECT min(occurred_at), max(occurred_at) FROM delivery_events_old")
        ).one()
        for day in _partition_days(first, last):
            _create_partition(day)
    op.execute(  # a constant column list
        f"INSERT INTO delivery_events ({_COLUMNS}) SELECT {_COLUMNS} FROM delivery_events_old"  # noqa: S608
    )
    op.drop_table("delivery_events_old")


def _partition_days(first: datetime | None, last: datetime | None) -> list[date]:
    today = datetime.now(UTC).date()
    days = {today + timedelta(days=n) for n in range(-_BACK_DAYS, _AHEAD_DAYS + 1)}
    if first is not None and last is not None:
        start, end = first.astimezone(UTC).date(), last.astimezone(UTC).date()
        days.update(start + timedelta(days=n) for n in range((end - start).days + 1))
    return sorted(days)


def _create_partition(day: date) -> None:
    start = datetime.combine(day, time(), tzinfo=UTC)
    end = start + timedelta(days=1)
    op.execute(
        f"CREATE TABLE delivery_events_p{day:%Y%m%d} PARTITION OF delivery_events "
        f"FOR VALUES FROM ('{start.isoformat()}') TO ('{end.isoformat()}')"
    )


def downgrade() -> None:
    _set_aside("delivery_events_by_day")
    op.create_table(
        "delivery_events",
        sa.Column("id", sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"), nullable=False),
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("occurred_at", ads.db.UTCDateTime(timezone=True), nullable=False),
        *_event_columns(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_delivery_events")),
        sa.UniqueConstraint("event_id", name=op.f("uq_delivery_events_event_id")),
    )
    op.execute(  # a constant column list
        f"INSERT INTO delivery_events ({_COLUMNS}) SELECT {_COLUMNS} FROM ("  # noqa: S608
        f"SELECT {_COLUMNS}, row_number() OVER (PARTITION BY event_id ORDER BY occurred_at) "
        "AS nth FROM delivery_events_by_day) AS events WHERE nth = 1 "
        "ORDER BY occurred_at, event_id"
    )
    op.drop_table("delivery_events_by_day")
    op.create_index("ix_delivery_events_occurred_at", "delivery_events", ["occurred_at"])
    op.create_index("ix_delivery_events_received_at", "delivery_events", ["received_at"])
