"""API tokens: a hashed secret, a role, and the advertisers a token is scoped to."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Column, ForeignKey, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ads.accounts.models import Advertiser
from ads.auth.roles import Role
from ads.db import Base, BigId, UTCDateTime, enum_column
from ads.time import utcnow

token_advertisers = Table(
    "api_token_advertisers",
    Base.metadata,
    Column(
        "token_id", BigInteger, ForeignKey("api_tokens.id", ondelete="CASCADE"), primary_key=True
    ),
    Column(
        "advertiser_id",
        BigInteger,
        ForeignKey("advertisers.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
)


class ApiToken(Base):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    #: Public lookup key (the part of the token before the secret), unique.
    key: Mapped[str] = mapped_column(String(32), unique=True)
    #: SHA-256 of the secret; the secret itself is never stored.
    secret_hash: Mapped[str] = mapped_column(String(64))
    role: Mapped[Role] = mapped_column(enum_column(Role, "token_role"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    advertisers: Mapped[list[Advertiser]] = relationship(
        secondary=token_advertisers, lazy="selectin"
    )
