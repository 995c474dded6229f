"""Factories that build rows through the real services (so every invariant holds)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from ads.accounts.models import Advertiser
from ads.accounts.service import create_advertiser
from ads.auth.principal import CLI_PRINCIPAL
from ads.billing.domain.calendar import Granularity
from ads.campaigns.models import Ad, AdGroup, Campaign
from ads.campaigns.rules import BillingEvent, BudgetType, CampaignStatus, Objective
from ads.campaigns.service import create_ad, create_ad_group, create_campaign
from ads.exports.models import BillingExport
from ads.exports.rules import ExportFormat
from ads.exports.service import create_export

START = datetime(2026, 11, 1, tzinfo=UTC)


def advertiser(session: Session, **fields: Any) -> Advertiser:
    values = {"name": "Acme Corp", "currency": "USD", "timezone": "America/New_York"} | fields
    return create_advertiser(session, CLI_PRINCIPAL, **values)


def campaign(session: Session, advertiser_id: int, **fields: Any) -> Campaign:
    values: dict[str, Any] = {
        "name": "Black Friday",
        "objective": Objective.CONVERSIONS,
        "start_at": START,
        "end_at": None,
        "budget_type": BudgetType.DAILY,
        "budget_micros": 100_000_000,
        "status": CampaignStatus.ACTIVE,
    } | fields
    if values["budget_type"] is BudgetType.LIFETIME and values["end_at"] is None:
        values["end_at"] = values["start_at"] + timedelta(days=30)
    return create_campaign(session, CLI_PRINCIPAL, advertiser_id=advertiser_id, **values)


def ad_group(session: Session, campaign_id: int, **fields: Any) -> AdGroup:
    values: dict[str, Any] = {
        "name": "Broad",
        "bid_micros": 2_500_000,
        "billing_event": BillingEvent.IMPRESSION,
    } | fields
    return create_ad_group(session, CLI_PRINCIPAL, campaign_id=campaign_id, **values)


def ad(session: Session, ad_group_id: int, **fields: Any) -> Ad:
    values = {
        "name": "Banner A",
        "creative_url": "https://cdn.example.com/a.jpg",
        "destination_url": "https://example.com/landing",
    } | fields
    return create_ad(session, CLI_PRINCIPAL, ad_group_id=ad_group_id, **values)


def export(
    session: Session,
    *,
    advertiser_ids: list[int] | None = None,
    date_from: date = date(2026, 11, 1),
    date_to: date = date(2026, 11, 30),
    allow_open_period: bool = True,
    allowance_seconds: int = 3600,
    settle_seconds: int = 120,
) -> BillingExport:
    """A PENDING daily CSV export job, as the API leaves it before a worker runs it."""
    return create_export(
        session,
        CLI_PRINCIPAL,
        date_from=date_from,
        date_to=date_to,
        granularity=Granularity.DAY,
        fmt=ExportFormat.CSV,
        advertiser_ids=advertiser_ids,
        allow_open_period=allow_open_period,
        allowance_seconds=allowance_seconds,
        settle_seconds=settle_seconds,
    )
