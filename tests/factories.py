"""Factories that build rows through the real services (so every invariant holds)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from ads.accounts.models import Advertiser
from ads.accounts.service import create_advertiser
from ads.auth.principal import CLI_PRINCIPAL
from ads.campaigns.models import Ad, AdGroup, Campaign
from ads.campaigns.rules import BillingEvent, BudgetType, CampaignStatus, Objective
from ads.campaigns.service import create_ad, create_ad_group, create_campaign

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
