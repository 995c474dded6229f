"""Pacing experiments and what the pacing tick records of each campaign-day in one."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from ads.db import Base, BigId, UTCDateTime, enum_column
from ads.pacing.experiments.rules import Arm, ExperimentStatus, PacingStrategy
from ads.time import utcnow


class PacingExperiment(Base):
    """An A/B test of two pacing strategies; campaigns are split by a hash of their id."""

    __tablename__ = "pacing_experiments"
    __table_args__ = (
        CheckConstraint("allocation > 0 AND allocation < 1", name="allocation_share"),
        CheckConstraint("end_at IS NULL OR end_at > start_at", name="end_after_start"),
        CheckConstraint("control_strategy <> candidate_strategy", name="arms_differ"),
        Index("ix_pacing_experiments_status", "status"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    control_strategy: Mapped[PacingStrategy] = mapped_column(
        enum_column(PacingStrategy, "pacing_strategy_control")
    )
    candidate_strategy: Mapped[PacingStrategy] = mapped_column(
        enum_column(PacingStrategy, "pacing_strategy_candidate")
    )
    #: Share of campaigns in the CANDIDATE arm.
    allocation: Mapped[float] = mapped_column(Float)
    #: Mixed into the assignment hash, so experiments split campaigns independently.
    salt: Mapped[str] = mapped_column(String(64))
    start_at: Mapped[datetime] = mapped_column(UTCDateTime)
    end_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[ExperimentStatus] = mapped_column(
        enum_column(ExperimentStatus, "pacing_experiment_status"),
        default=ExperimentStatus.RUNNING,
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    stopped_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class PacingExperimentDay(Base):
    """One campaign-day under an experiment, accumulated by the pacing tick.

    `error_sum` adds |spent - target| / day budget at every tick (reported spend against
    the campaign's target curve); the mean over `ticks` is the day's pacing error.
    Final spend comes from the spend counters, not from here.
    """

    __tablename__ = "pacing_experiment_days"
    __table_args__ = (Index("ix_pacing_experiment_days_campaign_id", "campaign_id"),)

    experiment_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("pacing_experiments.id", ondelete="CASCADE"), primary_key=True
    )
    campaign_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    arm: Mapped[Arm] = mapped_column(enum_column(Arm, "pacing_experiment_arm"))
    day_budget_micros: Mapped[int] = mapped_column(BigInteger)
    error_sum: Mapped[float] = mapped_column(Float, default=0.0)
    ticks: Mapped[int] = mapped_column(Integer, default=0)
