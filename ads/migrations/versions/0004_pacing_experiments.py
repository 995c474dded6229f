"""pacing experiments: experiments and the campaign-days the pacing tick records in them

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 14:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import ads.db

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STRATEGIES = ("DEFAULT", "LINEAR_PROFILE", "HIGH_GAIN")


def _enum(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=32)


def upgrade() -> None:
    op.create_table(
        "pacing_experiments",
        sa.Column("id", sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("control_strategy", _enum("pacing_strategy_control", *STRATEGIES),
                  nullable=False),
        sa.Column("candidate_strategy", _enum("pacing_strategy_candidate", *STRATEGIES),
                  nullable=False),
        sa.Column("allocation", sa.Float(), nullable=False),
        sa.Column("salt", sa.String(length=64), nullable=False),
        sa.Column("start_at", ads.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("end_at", ads.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("status", _enum("pacing_experiment_status", "RUNNING", "STOPPED"),
                  nullable=False),
        sa.Column("created_at", ads.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("stopped_at", ads.db.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "allocation > 0 AND allocation < 1", name=op.f("ck_pacing_experiments_allocation_share")
        ),
        sa.CheckConstraint(
            "end_at IS NULL OR end_at > start_at",
            name=op.f("ck_pacing_experiments_end_after_start"),
        ),
        sa.CheckConstraint(
            "control_strategy <> candidate_strategy", name=op.f("ck_pacing_experiments_arms_differ")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pacing_experiments")),
        sa.UniqueConstraint("name", name=op.f("uq_pacing_experiments_name")),
    )  # fmt: skip
    op.create_index("ix_pacing_experiments_status", "pacing_experiments", ["status"])
    op.create_table(
        "pacing_experiment_days",
        sa.Column("experiment_id", sa.BigInteger(), nullable=False),
        sa.Column("campaign_id", sa.BigInteger(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("arm", _enum("pacing_experiment_arm", "CONTROL", "CANDIDATE"), nullable=False),
        sa.Column("day_budget_micros", sa.BigInteger(), nullable=False),
        sa.Column("error_sum", sa.Float(), nullable=False),
        sa.Column("ticks", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["experiment_id"], ["pacing_experiments.id"], ondelete="CASCADE",
            name=op.f("fk_pacing_experiment_days_experiment_id_pacing_experiments"),
        ),
        sa.PrimaryKeyConstraint(
            "experiment_id", "campaign_id", "day", name=op.f("pk_pacing_experiment_days")
        ),
    )  # fmt: skip
    op.create_index(
        "ix_pacing_experiment_days_campaign_id", "pacing_experiment_days", ["campaign_id"]
    )


def downgrade() -> None:
    op.drop_index("ix_pacing_experiment_days_campaign_id", table_name="pacing_experiment_days")
    op.drop_table("pacing_experiment_days")
    op.drop_index("ix_pacing_experiments_status", table_name="pacing_experiments")
    op.drop_table("pacing_experiments")
