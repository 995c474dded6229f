"""The export job table: one row per finance export, from request to finished file."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, CheckConstraint, Date, String
from sqlalchemy.orm import Mapped, mapped_column

from ads.billing.domain.calendar import Granularity
from ads.db import Base, BigId, UTCDateTime, enum_column
from ads.exports.rules import ExportFormat, ExportStatus
from ads.time import utcnow


class BillingExport(Base):
    """A finance export job: PENDING → RUNNING → SUCCEEDED | FAILED (with `error`)."""

    __tablename__ = "billing_exports"
    __table_args__ = (CheckConstraint("date_to >= date_from", name="period_ordered"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    status: Mapped[ExportStatus] = mapped_column(enum_column(ExportStatus, "export_status"))
    format: Mapped[ExportFormat] = mapped_column(enum_column(ExportFormat, "export_format"))
    granularity: Mapped[Granularity] = mapped_column(enum_column(Granularity, "export_granularity"))
    date_from: Mapped[date] = mapped_column(Date)
    date_to: Mapped[date] = mapped_column(Date)
    #: The advertisers the rows are restricted to; None means all (FINANCE/ADMIN only).
    advertiser_ids: Mapped[list[int] | None] = mapped_column(JSON)
    requested_by: Mapped[str] = mapped_column(String(100))
    file_name: Mapped[str | None] = mapped_column(String(200))
    row_count: Mapped[int | None] = mapped_column(BigInteger)
    totals: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    sha256: Mapped[str | None] = mapped_column(String(64))
    error: Mapped[str | None] = mapped_column(String(1000))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The earlier export of the same request whose file this one replaces (its rows
    #: changed since), and the later one that replaced this one; None: none.
    supersedes_id: Mapped[int | None] = mapped_column(BigInteger)
    superseded_by_id: Mapped[int | None] = mapped_column(BigInteger)
