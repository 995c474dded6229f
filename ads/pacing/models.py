"""Pacing decisions as stored: one row per campaign, one per capped ad group, shard runs.

A decision row is what the ad server polls (`GET /v1/pacing`) and what the next tick
starts from (the controller state). `tick_at` is the scheduler slot the row was computed
for: a shard message delivered twice, or late after a newer tick, finds its slot already
done and changes nothing. `version` only moves when what is published (status, throttle,
ad-group throttles, bid cap, headroom) changes, so the polling ETag stays put while
nothing changes.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
)
from sqlalchemy.orm import Mapped, mapped_column

from ads.db import Base, UTCDateTime, enum_column
from ads.pacing.domain.controller import PacingStatus


class CampaignPacing(Base):
    """The current pacing decision of one campaign."""

    __tablename__ = "campaign_pacing"
    __table_args__ = (
        CheckConstraint("throttle >= 0 AND throttle <= 1", name="throttle_rate"),
        CheckConstraint("version >= 1", name="version_positive"),
        Index("ix_campaign_pacing_advertiser_id", "advertiser_id"),
        # The ad server's poll for what changed since its last one (`ads.pacing.published`).
        Index("ix_campaign_pacing_computed_at", "computed_at"),
    )

    campaign_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("campaigns.id", ondelete="RESTRICT"), primary_key=True
    )
    advertiser_id: Mapped[int] = mapped_column(BigInteger)
    #: The advertiser's local day the decision is for.
    day: Mapped[date] = mapped_column(Date)
    status: Mapped[PacingStatus] = mapped_column(
        enum_column(PacingStatus, "campaign_pacing_status")
    )
    throttle: Mapped[float] = mapped_column(Float)
    #: {"<ad group id>": effective throttle} for every ad group not archived.
    ad_group_throttles: Mapped[dict[str, float]] = mapped_column(JSON)
    #: The budget-aware bid cap: the largest single charge (campaign currency micros) the
    #: campaign may incur until the next refresh; the ad server caps its bids at it
    #: (CPM: bid / 1000 per impression; CPC: the CPC bid). None: bids are not capped.
    max_charge_micros: Mapped[int | None] = mapped_column(BigInteger)
    #: The headroom the ad server holds: the most the campaign may still spend on
    #: `day` as of `computed_at` (the hard cap less the spend reported by then), against
    #: which it counts its own spend since; void after `headroom_until`, the day's
    #: end. None: no headroom held (a row from before headrooms were published).
    headroom_micros: Mapped[int | None] = mapped_column(BigInteger)
    headroom_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    day_budget_micros: Mapped[int] = mapped_column(BigInteger)
    spent_today_micros: Mapped[int] = mapped_column(BigInteger)
    target_spend_micros: Mapped[int] = mapped_column(BigInteger)
    remaining_micros: Mapped[int] = mapped_column(BigInteger)
    #: LIFETIME budgets: spend of earlier days, summed when the local day changes.
    spent_before_today_micros: Mapped[int] = mapped_column(BigInteger, default=0)
    #: The campaign's traffic shape (24 hourly weights), refreshed when the day changes;
    #: None while it has no history (the default diurnal profile applies).
    profile: Mapped[list[float] | None] = mapped_column(JSON)
    controller_state: Mapped[dict[str, Any]] = mapped_column(JSON)
    #: The local (day, hour) whose exposure is being summed, and the throttle-seconds so
    #: far; moved to `campaign_hour_exposure` when the hour is over. None: nothing yet.
    exposure_day: Mapped[date | None] = mapped_column(Date)
    exposure_hour: Mapped[int | None] = mapped_column(SmallInteger)
    exposure_seconds: Mapped[float | None] = mapped_column(Float)
    tick_at: Mapped[datetime] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)
    #: When the published values last changed (the tick that made this version).
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime)


class AdGroupPacing(Base):
    """The pacing of an ad group with a budget cap of its own (a daily cap)."""

    __tablename__ = "ad_group_pacing"
    __table_args__ = (
        CheckConstraint("throttle >= 0 AND throttle <= 1", name="throttle_rate"),
        Index("ix_ad_group_pacing_campaign_id", "campaign_id"),
    )

    ad_group_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("ad_groups.id", ondelete="RESTRICT"), primary_key=True
    )
    campaign_id: Mapped[int] = mapped_column(BigInteger)
    day: Mapped[date] = mapped_column(Date)
    status: Mapped[PacingStatus] = mapped_column(
        enum_column(PacingStatus, "ad_group_pacing_status")
    )
    #: The ad group's own rate; the ad server applies min(campaign, ad group).
    throttle: Mapped[float] = mapped_column(Float)
    day_budget_micros: Mapped[int] = mapped_column(BigInteger)
    spent_today_micros: Mapped[int] = mapped_column(BigInteger)
    target_spend_micros: Mapped[int] = mapped_column(BigInteger)
    remaining_micros: Mapped[int] = mapped_column(BigInteger)
    controller_state: Mapped[dict[str, Any]] = mapped_column(JSON)
    tick_at: Mapped[datetime] = mapped_column(UTCDateTime)


class PacingShardRun(Base):
    """The last run of each shard: what /metrics reports when workers run elsewhere."""

    __tablename__ = "pacing_shard_runs"

    shard: Mapped[int] = mapped_column(Integer, primary_key=True)
    shards: Mapped[int] = mapped_column(Integer)
    tick_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime] = mapped_column(UTCDateTime)
    duration_seconds: Mapped[float] = mapped_column(Float)
    #: Seconds from the slot time to the shard starting: the queue lag this tick saw.
    lag_seconds: Mapped[float] = mapped_column(Float)
    campaigns: Mapped[int] = mapped_column(Integer)


class CampaignHourExposure(Base):
    """Throttle-seconds a campaign was published at, per local hour of a local day.

    The integral of its throttle over the hour (3,600 at throttle 1 all hour, 0 while
    paused or out of budget). Delivered events per local hour (`CampaignHourTraffic`)
    divided by this are what the campaign buys per second at throttle 1: the shape of the
    traffic available to it, which the pacing service learns its profile from.
    """

    __tablename__ = "campaign_hour_exposure"
    __table_args__ = (
        CheckConstraint("hour >= 0 AND hour < 24", name="hour_of_day"),
        CheckConstraint("throttle_seconds >= 0", name="throttle_seconds_non_negative"),
    )

    campaign_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    hour: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    throttle_seconds: Mapped[float] = mapped_column(Float)
