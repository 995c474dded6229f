"""The one authorization policy: every adapter and service asks here, nowhere else.

Tenancy rule: an ADVERTISER token that asks for another tenant's object gets "not found",
never "forbidden", so the existence of other advertisers' data does not leak.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select
from sqlalchemy.orm import QueryableAttribute

from ads.auth.principal import Principal
from ads.auth.roles import Role
from ads.errors import Forbidden, NotFound, Unauthenticated

_GRAPHQL_ROLES = frozenset({Role.ADMIN, Role.ADVERTISER, Role.FINANCE})
Q = TypeVar("Q", bound=Select[Any])
Column = ColumnElement[Any] | QueryableAttribute[Any]


def advertiser_scope(principal: Principal) -> frozenset[int] | None:
    """The advertisers the caller may read: None means all of them."""
    if principal.role in (Role.ADMIN, Role.FINANCE):
        return None
    if principal.role is Role.ADVERTISER:
        return principal.advertiser_ids
    return frozenset()


def scoped(
    query: Q,
    principal: Principal,
    advertiser_id: Column,
    *,
    via: tuple[Column, Select[Any]] | None = None,
) -> Q:
    """`query` limited to the rows of the advertisers the caller may read.

    Every read of a tenant's rows on behalf of a caller goes through here. The rows'
    advertiser is `advertiser_id`; for a table that holds no advertiser column, `via`
    is `(key, ids)`: the rows whose `key` is among `ids`, a SELECT that has
    `advertiser_id` (an ad group's `campaign_id` among the caller's campaigns' ids). An
    unrestricted caller gets `query` unchanged, so the filter costs nothing for them.
    """
    scope = advertiser_scope(principal)
    if scope is None:
        return query
    condition = advertiser_id.in_(sorted(scope))
    if via is not None:
        key, ids = via
        condition = key.in_(ids.where(condition))
    return query.where(condition)


def readable_advertisers(
    principal: Principal, wanted: Iterable[int] | None = None
) -> frozenset[int] | None:
    """Of `wanted` (None: every advertiser), those the caller may read; None means all."""
    scope = advertiser_scope(principal)
    if wanted is None:
        return scope
    ids = frozenset(wanted)
    return ids if scope is None else ids & scope


def sees_all_advertisers(principal: Principal) -> bool:
    return advertiser_scope(principal) is None


def can_read_advertiser(principal: Principal, advertiser_id: int) -> bool:
    scope = advertiser_scope(principal)
    return scope is None or advertiser_id in scope


def require_read_advertiser(principal: Principal, advertiser_id: int, *, what: str) -> None:
    """Raise NotFound (never Forbidden) when the caller may not see this tenant."""
    if not can_read_advertiser(principal, advertiser_id):
        raise NotFound(f"{what} not found", field="id")


def require_manage_advertiser(principal: Principal, advertiser_id: int, *, what: str) -> None:
    """Changing campaigns and their budgets: ADMIN, or an ADVERTISER token in scope."""
    require_read_advertiser(principal, advertiser_id, what=what)
    if principal.role not in (Role.ADMIN, Role.ADVERTISER):
        raise Forbidden(f"the {principal.role} role cannot change {what}s")


def is_admin(principal: Principal) -> bool:
    return principal.role is Role.ADMIN


def require_admin(principal: Principal, *, action: str) -> None:
    if not is_admin(principal):
        raise Forbidden(f"only ADMIN tokens can {action}")


def require_billing_write(principal: Principal, *, action: str) -> None:
    if principal.role not in (Role.ADMIN, Role.FINANCE):
        raise Forbidden(f"only ADMIN and FINANCE tokens can {action}")


def require_graphql(principal: Principal | None) -> Principal:
    """The admin API: SERVICE tokens are for the ad server's REST endpoints only."""
    if principal is None:
        raise Unauthenticated("a valid bearer token is required")
    if principal.role not in _GRAPHQL_ROLES:
        raise Forbidden("SERVICE tokens have no access to the admin API")
    return principal


def require_ad_hoc_query(principal: Principal, *, trusted_only: bool) -> None:
    """With trusted documents only, ADVERTISER tokens run just the registered operations:
    the outside world gets the dashboard's queries, not the whole graph. ADMIN and
    FINANCE, the platform's own people, keep ad-hoc queries."""
    if trusted_only and principal.role is Role.ADVERTISER:
        raise Forbidden(
            "ADVERTISER tokens may only run trusted documents here: send a registered "
            "`documentId` instead of `query`",
            code="TRUSTED_DOCUMENT_REQUIRED",
        )


def require_service(principal: Principal | None) -> Principal:
    """The ad server's endpoints (events in, pacing out) take SERVICE tokens only."""
    if principal is None:
        raise Unauthenticated("a valid bearer token is required")
    if principal.role is not Role.SERVICE:
        raise Forbidden("this endpoint takes SERVICE tokens only")
    return principal
