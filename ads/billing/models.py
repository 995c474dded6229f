"""Billing tables: hourly delivery, day closes, the append-only ledger, invoices."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ads.billing.domain.invoice_rules import InvoiceStatus
from ads.billing.domain.ledger import EntryKind
from ads.db import Base, BigId, UTCDateTime, enum_column
from ads.ingestion.models import DeliveryEvent
from ads.time import utcnow

# Billing's read of the events table: "the events received since the watermark".
# Declared here, by the area that needs it (the key, which leads with `occurred_at`,
# serves reads by time of occurrence).
Index("ix_delivery_events_received_at", DeliveryEvent.received_at)


class HourlyDelivery(Base):
    """Delivery of one ad group in one UTC hour and one local day of its advertiser.

    A UTC hour maps to one local day except in zones with a non-whole-hour offset
    (Asia/Kolkata), where a row is split in two so a local day is an exact sum of rows.
    Rows are derived data: `ads.billing.aggregation` rewrites a whole hour at a time.
    """

    __tablename__ = "billing_hourly_delivery"
    __table_args__ = (
        Index("ix_billing_hourly_delivery_advertiser_id_day", "advertiser_id", "day"),
        Index("ix_billing_hourly_delivery_campaign_id_day", "campaign_id", "day"),
        # Sealing walks the hours in order (`ads.billing.seals`).
        Index("ix_billing_hourly_delivery_hour", "hour"),
    )

    ad_group_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    hour: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(BigInteger)
    advertiser_id: Mapped[int] = mapped_column(BigInteger)
    impressions: Mapped[int] = mapped_column(BigInteger)
    clicks: Mapped[int] = mapped_column(BigInteger)
    spend_micros: Mapped[int] = mapped_column(BigInteger)
    events: Mapped[int] = mapped_column(BigInteger)


class HourSeal(Base):
    """The sealed aggregates of one advertiser's local day in one final UTC hour.

    Written once the hour is final (no event can join it any more) and its aggregates
    were found equal to a fresh sum of its raw events; `checksum` is the SHA-256 of those
    aggregate rows (`ads.billing.domain.seal_rules`). Raw events are dropped only once
    their hours are sealed, and reconciliation of a period whose raw events are gone
    checks the aggregates against these seals instead.
    """

    __tablename__ = "billing_hour_seals"

    advertiser_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    hour: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)
    rows: Mapped[int] = mapped_column(Integer)
    events: Mapped[int] = mapped_column(BigInteger)
    spend_micros: Mapped[int] = mapped_column(BigInteger)
    checksum: Mapped[str] = mapped_column(String(64))
    sealed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class BillingWatermark(Base):
    """How far (in events' ingestion time) a billing job has processed; one row per job."""

    __tablename__ = "billing_watermarks"

    name: Mapped[str] = mapped_column(String(50), primary_key=True)
    value: Mapped[datetime] = mapped_column(UTCDateTime)


class DayClose(Base):
    """One (re)close of an advertiser's local day; append-only, revision 1, 2, …"""

    __tablename__ = "billing_day_closes"
    __table_args__ = (
        UniqueConstraint("advertiser_id", "day", "revision", name="uq_billing_day_closes_revision"),
        CheckConstraint("revision >= 1", name="revision_positive"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    advertiser_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("advertisers.id", ondelete="RESTRICT")
    )
    day: Mapped[date] = mapped_column(Date)
    revision: Mapped[int] = mapped_column(Integer)
    delivered_micros: Mapped[int] = mapped_column(BigInteger)
    billable_micros: Mapped[int] = mapped_column(BigInteger)
    overdelivery_micros: Mapped[int] = mapped_column(BigInteger)
    closed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class LedgerEntry(Base):
    """An append-only money movement in micros; corrections are new rows, never edits.

    CHARGE and OVERDELIVERY_CREDIT rows come from a day close (positive on first close,
    signed deltas on a re-close); ADJUSTMENT rows come from finance, with a reason.
    """

    __tablename__ = "ledger_entries"
    __table_args__ = (
        CheckConstraint("amount_micros <> 0", name="amount_non_zero"),
        CheckConstraint(
            "kind = 'ADJUSTMENT' OR (campaign_id IS NOT NULL AND day_close_id IS NOT NULL)",
            name="close_entries_have_campaign",
        ),
        CheckConstraint("kind <> 'ADJUSTMENT' OR reason IS NOT NULL", name="adjustment_reason"),
        Index("ix_ledger_entries_advertiser_id_day", "advertiser_id", "day"),
        Index("ix_ledger_entries_campaign_id_day", "campaign_id", "day"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    advertiser_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("advertisers.id", ondelete="RESTRICT")
    )
    campaign_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("campaigns.id", ondelete="RESTRICT")
    )
    day: Mapped[date] = mapped_column(Date)
    kind: Mapped[EntryKind] = mapped_column(enum_column(EntryKind, "ledger_entry_kind"))
    amount_micros: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    day_close_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("billing_day_closes.id", ondelete="RESTRICT")
    )
    reason: Mapped[str | None] = mapped_column(String(500))
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


@event.listens_for(LedgerEntry, "before_update")
@event.listens_for(LedgerEntry, "before_delete")
def _refuse_ledger_change(_mapper: Any, _connection: Any, target: LedgerEntry) -> None:
    raise RuntimeError(f"ledger entry {target.id} is append-only; add a correcting entry")


class Invoice(Base):
    """One version of an advertiser's invoice for a local calendar month; never edited."""

    __tablename__ = "invoices"
    __table_args__ = (
        UniqueConstraint("advertiser_id", "month", "version", name="uq_invoices_version"),
        CheckConstraint("version >= 1", name="version_positive"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    advertiser_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("advertisers.id", ondelete="RESTRICT")
    )
    #: The first day of the month, in the advertiser's timezone.
    month: Mapped[date] = mapped_column(Date)
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[InvoiceStatus] = mapped_column(enum_column(InvoiceStatus, "invoice_status"))
    currency: Mapped[str] = mapped_column(String(3))
    total_micros: Mapped[int] = mapped_column(BigInteger)
    exact_micros: Mapped[int] = mapped_column(BigInteger)
    residue_micros: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    #: Always loaded with the invoice, in one extra SELECT … IN per batch of invoices
    #: (never lazily: the API reads through AsyncSession, where a lazy load cannot run).
    lines: Mapped[list[InvoiceLine]] = relationship(
        order_by="InvoiceLine.position", lazy="selectin", cascade="save-update"
    )


class InvoiceLine(Base):
    __tablename__ = "invoice_lines"
    __table_args__ = (UniqueConstraint("invoice_id", "position", name="uq_invoice_lines_position"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    invoice_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("invoices.id", ondelete="RESTRICT")
    )
    position: Mapped[int] = mapped_column(Integer)
    #: None: the line of account-level adjustments.
    campaign_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("campaigns.id", ondelete="RESTRICT")
    )
    exact_micros: Mapped[int] = mapped_column(BigInteger)
    amount_micros: Mapped[int] = mapped_column(BigInteger)
