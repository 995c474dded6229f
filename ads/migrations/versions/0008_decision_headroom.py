"""decision headroom: the hard cap less spend seen, held by the ad server

`campaign_pacing.headroom_micros` is the most the campaign may still spend on its
local day as of the decision's `computed_at` (the hard cap less the spend reported by
then); the ad server counts its own spend since against it. `headroom_until` is when
that day ends (UTC), after which it no longer applies. NULL in both: no headroom held,
which is what every existing row means until its next tick. Two nullable columns
(batch mode adds them in place on SQLite; no table rebuild, no data migration).

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-26 19:05:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from ads.db import UTCDateTime

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("campaign_pacing", schema=None) as batch_op:
        batch_op.add_column(sa.Column("headroom_micros", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("headroom_until", UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("campaign_pacing", schema=None) as batch_op:
        batch_op.drop_column("headroom_until")
        batch_op.drop_column("headroom_micros")
