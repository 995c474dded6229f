"""Pure rules for advertisers: statuses and field validation."""

from __future__ import annotations

from enum import StrEnum

from ads.errors import Invalid
from ads.money import validate_currency
from ads.text import check_storable
from ads.time import validate_timezone

NAME_MAX = 200


class AdvertiserStatus(StrEnum):
    ACTIVE = "ACTIVE"
    SUSPENDED = "SUSPENDED"
    ARCHIVED = "ARCHIVED"


_TRANSITIONS: dict[AdvertiserStatus, frozenset[AdvertiserStatus]] = {
    AdvertiserStatus.ACTIVE: frozenset({AdvertiserStatus.SUSPENDED, AdvertiserStatus.ARCHIVED}),
    AdvertiserStatus.SUSPENDED: frozenset({AdvertiserStatus.ACTIVE, AdvertiserStatus.ARCHIVED}),
    AdvertiserStatus.ARCHIVED: frozenset(),
}


def validate_name(name: str, *, field: str = "name", limit: int = NAME_MAX) -> str:
    """A trimmed, non-empty name of at most `limit` characters."""
    text = name.strip() if isinstance(name, str) else ""
    if not text:
        raise Invalid("name must not be empty", field=field, code="BLANK")
    if len(text) > limit:
        raise Invalid(f"name is longer than {limit} characters", field=field, code="TOO_LONG")
    check_storable(text, field=field)
    return text


def check_advertiser_transition(current: AdvertiserStatus, new: AdvertiserStatus) -> None:
    if new != current and new not in _TRANSITIONS[current]:
        raise Invalid(
            f"an advertiser cannot go from {current} to {new}",
            field="status",
            code="INVALID_TRANSITION",
        )


def validate_spend_limit(micros: int | None) -> int | None:
    if micros is not None and micros < 0:
        raise Invalid(
            "the account spend limit cannot be negative",
            field="spendLimitMicros",
            code="NEGATIVE_MONEY",
        )
    return micros


def validate_advertiser(
    *, name: str, currency: str, timezone: str, spend_limit_micros: int | None
) -> tuple[str, str, str, int | None]:
    """Validate every field of a new advertiser; return the normalised values."""
    return (
        validate_name(name),
        validate_currency(currency),
        validate_timezone(timezone),
        validate_spend_limit(spend_limit_micros),
    )
