"""Advertiser use cases."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from ads.accounts.models import Advertiser
from ads.accounts.rules import (
    AdvertiserStatus,
    check_advertiser_transition,
    validate_advertiser,
    validate_name,
    validate_spend_limit,
)
from ads.audit.writes import add_created, apply_update, commit
from ads.auth import policy
from ads.auth.principal import Principal
from ads.auth.roles import Role
from ads.db import contains
from ads.errors import Forbidden, Invalid, NotFound
from ads.money import validate_currency
from ads.time import validate_timezone

AUDITED = ("name", "currency", "timezone", "status", "spend_limit_micros")
#: What an ADVERTISER token may change on its own account; the rest is ADMIN's.
SELF_SERVICE = frozenset({"name", "spend_limit_micros"})


def create_advertiser(
    session: Session,
    principal: Principal,
    *,
    name: str,
    currency: str,
    timezone: str,
    spend_limit_micros: int | None = None,
) -> Advertiser:
    policy.require_admin(principal, action="create advertisers")
    name, currency, timezone, spend_limit_micros = validate_advertiser(
        name=name, currency=currency, timezone=timezone, spend_limit_micros=spend_limit_micros
    )
    advertiser = Advertiser(
        name=name,
        currency=currency,
        timezone=timezone,
        spend_limit_micros=spend_limit_micros,
        status=AdvertiserStatus.ACTIVE,
    )
    add_created(session, principal, advertiser, advertiser_id=None, fields=AUDITED)
    commit(session)
    return advertiser


def get_advertiser(session: Session, principal: Principal, advertiser_id: int) -> Advertiser:
    advertiser = session.get(Advertiser, advertiser_id)
    if advertiser is None or not policy.can_read_advertiser(principal, advertiser.id):
        raise NotFound("advertiser not found", field="id")
    return advertiser


def update_advertiser(
    session: Session,
    principal: Principal,
    advertiser_id: int,
    changes: Mapping[str, Any],
    *,
    expected_version: int | None = None,
    currency_locked: Callable[[Session, int], bool],
) -> Advertiser:
    """Change an advertiser; `currency_locked(session, advertiser_id)` says whether its
    currency is in use (its campaigns' budgets are in it), which accounts cannot know."""
    advertiser = get_advertiser(session, principal, advertiser_id)
    policy.require_manage_advertiser(principal, advertiser.id, what="advertiser")
    if principal.role is not Role.ADMIN and set(changes) - SELF_SERVICE:
        field = sorted(set(changes) - SELF_SERVICE)[0]
        raise Forbidden(f"only ADMIN tokens can change {field}", field=field)
    current_status = advertiser.status

    def validate(state: Mapping[str, Any]) -> None:
        validate_name(state["name"])
        validate_currency(state["currency"])
        validate_timezone(state["timezone"])
        validate_spend_limit(state["spend_limit_micros"])
        check_advertiser_transition(current_status, AdvertiserStatus(state["status"]))
        changes_currency = changes.get("currency", advertiser.currency) != advertiser.currency
        if changes_currency and currency_locked(session, advertiser.id):
            raise Invalid(
                "the currency of an advertiser with campaigns cannot change",
                field="currency",
                code="CURRENCY_LOCKED",
            )

    apply_update(
        session,
        principal,
        advertiser,
        entity_type="Advertiser",
        advertiser_id=advertiser.id,
        changes=changes,
        allowed=frozenset(AUDITED),
        expected_version=expected_version,
        validate=validate,
    )
    return advertiser


def advertisers_query(
    principal: Principal,
    *,
    status: AdvertiserStatus | None = None,
    name_contains: str | None = None,
) -> Select[Advertiser]:
    """Advertisers the caller may see, filtered; the caller adds ordering and paging."""
    query = policy.scoped(select(Advertiser), principal, Advertiser.id)
    if status is not None:
        query = query.where(Advertiser.status == status)
    if name_contains:
        query = query.where(contains(Advertiser.name, name_contains))
    return query
