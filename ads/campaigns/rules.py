"""Pure campaign rules: enums, the status machine, budget and schedule validation."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum
from typing import Any

from ads.errors import Invalid
from ads.text import check_storable


class CampaignStatus(StrEnum):
    DRAFT = "DRAFT"
    ACTIVE = "ACTIVE"
    PAUSED = "PAUSED"
    ARCHIVED = "ARCHIVED"


class DeliveryStatus(StrEnum):
    """Status of ad groups and ads (they have no draft stage of their own)."""

    ACTIVE = "ACTIVE"
    PAUSED = "PAUSED"
    ARCHIVED = "ARCHIVED"


class Objective(StrEnum):
    AWARENESS = "AWARENESS"
    TRAFFIC = "TRAFFIC"
    ENGAGEMENT = "ENGAGEMENT"
    CONVERSIONS = "CONVERSIONS"
    APP_INSTALLS = "APP_INSTALLS"


class BudgetType(StrEnum):
    DAILY = "DAILY"
    LIFETIME = "LIFETIME"


class PacingMode(StrEnum):
    STANDARD = "STANDARD"
    ACCELERATED = "ACCELERATED"


class BillingEvent(StrEnum):
    IMPRESSION = "IMPRESSION"  # CPM: the bid is per thousand impressions
    CLICK = "CLICK"  # CPC: the bid is per click


CAMPAIGN_TRANSITIONS: dict[CampaignStatus, frozenset[CampaignStatus]] = {
    CampaignStatus.DRAFT: frozenset({CampaignStatus.ACTIVE, CampaignStatus.ARCHIVED}),
    CampaignStatus.ACTIVE: frozenset({CampaignStatus.PAUSED, CampaignStatus.ARCHIVED}),
    CampaignStatus.PAUSED: frozenset({CampaignStatus.ACTIVE, CampaignStatus.ARCHIVED}),
    CampaignStatus.ARCHIVED: frozenset(),
}

DELIVERY_TRANSITIONS: dict[DeliveryStatus, frozenset[DeliveryStatus]] = {
    DeliveryStatus.ACTIVE: frozenset({DeliveryStatus.PAUSED, DeliveryStatus.ARCHIVED}),
    DeliveryStatus.PAUSED: frozenset({DeliveryStatus.ACTIVE, DeliveryStatus.ARCHIVED}),
    DeliveryStatus.ARCHIVED: frozenset(),
}

URL_MAX = 2048


def check_campaign_transition(current: CampaignStatus, new: CampaignStatus) -> None:
    """Allowed: DRAFT→ACTIVE|ARCHIVED, ACTIVE↔PAUSED, any live status→ARCHIVED (final)."""
    if new != current and new not in CAMPAIGN_TRANSITIONS[current]:
        raise Invalid(
            f"a campaign cannot go from {current} to {new}",
            field="status",
            code="INVALID_TRANSITION",
        )


def check_delivery_transition(current: DeliveryStatus, new: DeliveryStatus) -> None:
    if new != current and new not in DELIVERY_TRANSITIONS[current]:
        raise Invalid(
            f"status cannot go from {current} to {new}", field="status", code="INVALID_TRANSITION"
        )


def validate_budget(budget_type: BudgetType, amount_micros: int, end_at: datetime | None) -> None:
    """A positive budget; a LIFETIME budget needs an end time to spread over."""
    if amount_micros < 0:
        raise Invalid("a budget cannot be negative", field="budgetMicros", code="NEGATIVE_MONEY")
    if amount_micros == 0:
        raise Invalid(
            "a budget must be greater than zero", field="budgetMicros", code="ZERO_BUDGET"
        )
    if budget_type is BudgetType.LIFETIME and end_at is None:
        raise Invalid(
            "a LIFETIME budget needs an end time", field="endAt", code="LIFETIME_NEEDS_END"
        )


def validate_schedule(start_at: datetime, end_at: datetime | None) -> None:
    if start_at.tzinfo is None or (end_at is not None and end_at.tzinfo is None):
        raise Invalid("times must carry a timezone", field="startAt", code="INVALID_TIME")
    if end_at is not None and end_at <= start_at:
        raise Invalid(
            "the end time must be after the start time", field="endAt", code="END_BEFORE_START"
        )


def validate_money(amount_micros: int | None, *, field: str, allow_zero: bool = True) -> None:
    if amount_micros is None:
        return
    if amount_micros < 0 or (amount_micros == 0 and not allow_zero):
        raise Invalid("amount must be positive", field=field, code="NEGATIVE_MONEY")


#: The key of an ad group's targeting that names the traffic regions it buys (the
#: deployment's `ADS_TRAFFIC_REGIONS`); pacing reads it for the shape of its traffic.
REGIONS_KEY = "regions"


def validate_targeting_regions(targeting: Mapping[str, Any]) -> None:
    """`targeting.regions`, when present, is a list of region names (non-empty strings).

    The rest of the targeting is the ad server's, free-form. Names the deployment does not
    configure are kept (the ad server may know them); pacing ignores them.
    """
    if REGIONS_KEY not in targeting:
        return
    named = targeting[REGIONS_KEY]
    if not isinstance(named, list) or not all(isinstance(n, str) and n.strip() for n in named):
        raise Invalid(
            "targeting.regions must be a list of region names",
            field="targeting",
            code="INVALID_TARGETING",
        )


def validate_url(url: str, *, field: str) -> str:
    """An absolute http(s) URL of reasonable length."""
    text = url.strip() if isinstance(url, str) else ""
    check_storable(text, field=field)
    if not text.startswith(("https://", "http://")) or len(text) < 11 or " " in text:
        raise Invalid("must be an absolute http(s) URL", field=field, code="INVALID_URL")
    if len(text) > URL_MAX:
        raise Invalid(f"URL is longer than {URL_MAX} characters", field=field, code="TOO_LONG")
    return text
