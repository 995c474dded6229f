from datetime import UTC, datetime, timedelta

import pytest

from ads.campaigns.rules import (
    BudgetType,
    CampaignStatus,
    check_campaign_transition,
    validate_budget,
    validate_schedule,
    validate_targeting_regions,
    validate_url,
)
from ads.errors import Invalid

NOW = datetime(2026, 11, 26, tzinfo=UTC)


@pytest.mark.parametrize(
    ("current", "new"),
    [
        (CampaignStatus.DRAFT, CampaignStatus.ACTIVE),
        (CampaignStatus.ACTIVE, CampaignStatus.PAUSED),
        (CampaignStatus.PAUSED, CampaignStatus.ACTIVE),
        (CampaignStatus.PAUSED, CampaignStatus.ARCHIVED),
        (CampaignStatus.DRAFT, CampaignStatus.ARCHIVED),
    ],
)
def test_allowed_transitions(current: CampaignStatus, new: CampaignStatus) -> None:
    check_campaign_transition(current, new)


@pytest.mark.parametrize(
    ("current", "new"),
    [
        (CampaignStatus.ARCHIVED, CampaignStatus.ACTIVE),
        (CampaignStatus.ACTIVE, CampaignStatus.DRAFT),
        (CampaignStatus.DRAFT, CampaignStatus.PAUSED),
    ],
)
def test_illegal_transitions_are_refused(current: CampaignStatus, new: CampaignStatus) -> None:
    with pytest.raises(Invalid) as error:
        check_campaign_transition(current, new)
    assert error.value.code == "INVALID_TRANSITION"


def test_lifetime_budget_needs_an_end() -> None:
    with pytest.raises(Invalid, match="LIFETIME budget needs an end"):
        validate_budget(BudgetType.LIFETIME, 1_000_000, None)
    validate_budget(BudgetType.LIFETIME, 1_000_000, NOW)


@pytest.mark.parametrize("amount", [-1, 0])
def test_budgets_must_be_positive(amount: int) -> None:
    with pytest.raises(Invalid):
        validate_budget(BudgetType.DAILY, amount, None)


def test_end_must_follow_start() -> None:
    with pytest.raises(Invalid, match="end time must be after"):
        validate_schedule(NOW, NOW - timedelta(seconds=1))
    with pytest.raises(Invalid, match="end time must be after"):
        validate_schedule(NOW, NOW)


@pytest.mark.parametrize("url", ["ftp://x.example.com/a", "example.com", "https://", ""])
def test_urls_must_be_absolute_http(url: str) -> None:
    with pytest.raises(Invalid):
        validate_url(url, field="creativeUrl")


@pytest.mark.parametrize(
    "targeting", [{}, {"regions": []}, {"regions": ["us", "eu"]}, {"geo": "free-form"}]
)
def test_targeting_regions_may_be_absent_or_a_list_of_names(targeting: dict[str, object]) -> None:
    validate_targeting_regions(targeting)


@pytest.mark.parametrize("regions", ["us", ["us", 7], ["us", ""], {"us": 1}, None])
def test_targeting_regions_of_another_shape_are_refused(regions: object) -> None:
    with pytest.raises(Invalid) as error:
        validate_targeting_regions({"regions": regions})
    assert error.value.code == "INVALID_TARGETING"
