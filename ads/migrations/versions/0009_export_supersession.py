"""export supersession: a re-export whose rows changed names the export it replaces

`billing_exports.supersedes_id` is the earlier successful export of the same request
(period, grouping, format, advertisers) whose file this one replaces because its rows
changed since (a late event re-closed a day, an adjustment); `superseded_by_id` is set
on that earlier export. Two nullable columns: every existing export supersedes nothing.

Revision ID: export_supersession
Revises: 0008
Create Date: 2026-12-01 14:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "export_supersession"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("billing_exports", schema=None) as batch_op:
        batch_op.add_column(sa.Column("supersedes_id", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("superseded_by_id", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("billing_exports", schema=None) as batch_op:
        batch_op.drop_column("superseded_by_id")
        batch_op.drop_column("supersedes_id")
