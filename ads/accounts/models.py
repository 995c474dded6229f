"""The Advertiser table."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from ads.accounts.rules import AdvertiserStatus
from ads.db import Base, BigId, UTCDateTime, enum_column
from ads.time import utcnow


class Advertiser(Base):
    __tablename__ = "advertisers"
    __table_args__ = (
        CheckConstraint(
            "spend_limit_micros IS NULL OR spend_limit_micros >= 0", name="spend_limit_non_negative"
        ),
        CheckConstraint("length(currency) = 3", name="currency_iso4217"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    currency: Mapped[str] = mapped_column(String(3))
    timezone: Mapped[str] = mapped_column(String(64))
    status: Mapped[AdvertiserStatus] = mapped_column(
        enum_column(AdvertiserStatus, "advertiser_status"), default=AdvertiserStatus.ACTIVE
    )
    spend_limit_micros: Mapped[int | None] = mapped_column(BigInteger)
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    #: Like campaigns: every UPDATE bumps the version that `expectedVersion` is checked against.
    __mapper_args__ = {"version_id_col": version}
