"""Delivery events and the spend counters that ingestion keeps in step with them.

The counters are what pacing and the API read ("spend so far") so that nothing has to
scan events; `ads.ingestion.service.record_events` updates them in the same transaction
as the events they count.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, CheckConstraint, Date, Index, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from ads.db import Base, UTCDateTime, enum_column
from ads.ingestion.rules import EventFlag, EventType


class DeliveryEvent(Base):
    """One impression or click as the ad server reported it; append-only.

    An event is its client id and the time it happened: (`occurred_at`, `event_id`) is
    the key, across all callers (not per token: a retried batch sent after a token
    rotation must still count once), so a retried event, sent again as it was, is a
    duplicate. On PostgreSQL the table is partitioned by UTC day of `occurred_at`
    (`ads.ingestion.partition_rules` says why, and why the key leads with the time).
    The ad group, campaign, advertiser and the advertiser's local day are copied from
    the ad at ingestion so that billing and reconciliation never join or convert time
    zones again. No foreign keys on purpose: this is the hottest table, ingestion
    resolves every ad in the same transaction before inserting, and ads are never
    deleted (RESTRICT), so a per-row FK trigger would cost throughput and protect nothing.
    """

    __tablename__ = "delivery_events"
    __table_args__ = (
        CheckConstraint("cost_micros >= 0", name="cost_non_negative"),
        {"postgresql_partition_by": "RANGE (occurred_at)"},
    )

    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)
    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    type: Mapped[EventType] = mapped_column(enum_column(EventType, "event_type"))
    ad_id: Mapped[int] = mapped_column(BigInteger)
    ad_group_id: Mapped[int] = mapped_column(BigInteger)
    campaign_id: Mapped[int] = mapped_column(BigInteger)
    advertiser_id: Mapped[int] = mapped_column(BigInteger)
    cost_micros: Mapped[int] = mapped_column(BigInteger)
    local_day: Mapped[date] = mapped_column(Date)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: Set when the event happened while its campaign could not serve (it still counts).
    flag: Mapped[EventFlag | None] = mapped_column(enum_column(EventFlag, "event_flag"))


class CampaignDaySpend(Base):
    """Spend and counts of one campaign on one local day of its advertiser."""

    __tablename__ = "campaign_day_spend"
    __table_args__ = (
        CheckConstraint("spend_micros >= 0", name="spend_non_negative"),
        Index("ix_campaign_day_spend_advertiser_id_day", "advertiser_id", "day"),
        # The pacing tick reads "today" for every campaign: a range on day, not a scan.
        Index("ix_campaign_day_spend_day", "day"),
    )

    campaign_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    advertiser_id: Mapped[int] = mapped_column(BigInteger)
    spend_micros: Mapped[int] = mapped_column(BigInteger, default=0)
    impressions: Mapped[int] = mapped_column(BigInteger, default=0)
    clicks: Mapped[int] = mapped_column(BigInteger, default=0)


class AdGroupDaySpend(Base):
    """Spend and counts of one ad group on one local day (ad-group budget caps)."""

    __tablename__ = "ad_group_day_spend"
    __table_args__ = (
        CheckConstraint("spend_micros >= 0", name="spend_non_negative"),
        Index("ix_ad_group_day_spend_day", "day"),
    )

    ad_group_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(BigInteger)
    spend_micros: Mapped[int] = mapped_column(BigInteger, default=0)
    impressions: Mapped[int] = mapped_column(BigInteger, default=0)
    clicks: Mapped[int] = mapped_column(BigInteger, default=0)


class CampaignHourTraffic(Base):
    """Events per local hour of a local day: the campaign's observed traffic shape."""

    __tablename__ = "campaign_hour_traffic"
    __table_args__ = (CheckConstraint("hour >= 0 AND hour < 24", name="hour_of_day"),)

    campaign_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    hour: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    events: Mapped[int] = mapped_column(BigInteger, default=0)
