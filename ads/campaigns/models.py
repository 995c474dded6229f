"""Campaign, AdGroup and Ad tables; constraints sit next to the columns they protect."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from ads.campaigns.rules import (
    BillingEvent,
    BudgetType,
    CampaignStatus,
    DeliveryStatus,
    Objective,
    PacingMode,
)
from ads.db import Base, BigId, UTCDateTime, enum_column
from ads.time import utcnow


class Campaign(Base):
    __tablename__ = "campaigns"
    __table_args__ = (
        CheckConstraint("budget_micros > 0", name="budget_positive"),
        CheckConstraint("end_at IS NULL OR end_at > start_at", name="end_after_start"),
        CheckConstraint(
            "budget_type <> 'LIFETIME' OR end_at IS NOT NULL", name="lifetime_needs_end"
        ),
        CheckConstraint("version >= 1", name="version_positive"),
        Index("ix_campaigns_advertiser_id_id", "advertiser_id", "id"),
        Index("ix_campaigns_status", "status"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    advertiser_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("advertisers.id", ondelete="RESTRICT")
    )
    name: Mapped[str] = mapped_column(String(200))
    objective: Mapped[Objective] = mapped_column(enum_column(Objective, "campaign_objective"))
    status: Mapped[CampaignStatus] = mapped_column(
        enum_column(CampaignStatus, "campaign_status"), default=CampaignStatus.DRAFT
    )
    start_at: Mapped[datetime] = mapped_column(UTCDateTime)
    end_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    budget_type: Mapped[BudgetType] = mapped_column(enum_column(BudgetType, "budget_type"))
    budget_micros: Mapped[int] = mapped_column(BigInteger)
    pacing_mode: Mapped[PacingMode] = mapped_column(
        enum_column(PacingMode, "pacing_mode"), default=PacingMode.STANDARD
    )
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    __mapper_args__ = {"version_id_col": version}


class AdGroup(Base):
    __tablename__ = "ad_groups"
    __table_args__ = (
        CheckConstraint("bid_micros > 0", name="bid_positive"),
        CheckConstraint(
            "budget_cap_micros IS NULL OR budget_cap_micros > 0", name="budget_cap_positive"
        ),
        Index("ix_ad_groups_campaign_id_id", "campaign_id", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("campaigns.id", ondelete="RESTRICT")
    )
    name: Mapped[str] = mapped_column(String(200))
    status: Mapped[DeliveryStatus] = mapped_column(
        enum_column(DeliveryStatus, "ad_group_status"), default=DeliveryStatus.ACTIVE
    )
    bid_micros: Mapped[int] = mapped_column(BigInteger)
    billing_event: Mapped[BillingEvent] = mapped_column(enum_column(BillingEvent, "billing_event"))
    budget_cap_micros: Mapped[int | None] = mapped_column(BigInteger)
    targeting: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    __mapper_args__ = {"version_id_col": version}


class Ad(Base):
    __tablename__ = "ads"
    __table_args__ = (Index("ix_ads_ad_group_id_id", "ad_group_id", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    ad_group_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("ad_groups.id", ondelete="RESTRICT")
    )
    name: Mapped[str] = mapped_column(String(200))
    creative_url: Mapped[str] = mapped_column(String(2048))
    destination_url: Mapped[str] = mapped_column(String(2048))
    status: Mapped[DeliveryStatus] = mapped_column(
        enum_column(DeliveryStatus, "ad_status"), default=DeliveryStatus.ACTIVE
    )
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    __mapper_args__ = {"version_id_col": version}
