"""billing hour seals: the checksums that stand in for raw events once they are dropped

`billing_hour_seals` holds, per advertiser, local day and final UTC hour, the count, sum
and SHA-256 of that hour's aggregate rows, written when the hour can no longer change
and its aggregates equal a fresh sum of its raw events (`ads.billing.seals`). Sealing
walks the aggregates hour by hour, hence the index on `billing_hourly_delivery.hour`.
New table and index only.

Revision ID: billing_hour_seals
Revises: events_partitioned_by_day
Create Date: 2026-12-01 15:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import ads.db

revision: str = "billing_hour_seals"
down_revision: str | None = "events_partitioned_by_day"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "billing_hour_seals",
        sa.Column("advertiser_id", sa.BigInteger(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("hour", ads.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("events", sa.BigInteger(), nullable=False),
        sa.Column("spend_micros", sa.BigInteger(), nullable=False),
        sa.Column("checksum", sa.String(length=64), nullable=False),
        sa.Column("sealed_at", ads.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("advertiser_id", "day", "hour", name=op.f("pk_billing_hour_seals")),
    )
    op.create_index(
        "ix_billing_hourly_delivery_hour", "billing_hourly_delivery", ["hour"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_billing_hourly_delivery_hour", table_name="billing_hourly_delivery")
    op.drop_table("billing_hour_seals")
