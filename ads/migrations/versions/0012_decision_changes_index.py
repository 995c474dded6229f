"""decision changes index: the ad server's poll for changed decisions reads by change time

`GET /v1/pacing?since=<cursor>` reads the decisions whose `computed_at` (the tick that
last changed what they publish) is after the cursor; the index makes that read
proportional to the changes, not to every campaign. Index only.

Revision ID: decision_changes_index
Revises: billing_hour_seals
Create Date: 2026-12-01 20:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "decision_changes_index"
down_revision: str | None = "billing_hour_seals"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_campaign_pacing_computed_at", "campaign_pacing", ["computed_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_campaign_pacing_computed_at", table_name="campaign_pacing")
