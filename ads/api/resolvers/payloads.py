"""Mutation plumbing: run one service function, turn DomainErrors into `userErrors`.

A refused input is HTTP 200 with `userErrors` (the GitHub/Shopify convention), and the
session is rolled back so nothing of it stays pending.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from graphql import GraphQLResolveInfo
from sqlalchemy.orm import Session

from ads.api.context import RequestContext
from ads.api.ids import InvalidId, expect_id
from ads.errors import DomainError, Invalid

#: Codes of the `UserErrorCode` enum; a service code outside it is reported as INVALID.
USER_ERROR_CODES = frozenset(
    (
        "INVALID TOO_LONG BLANK NULL INVALID_ID NOT_FOUND FORBIDDEN STALE_VERSION "
        "INVALID_TRANSITION NEGATIVE_MONEY ZERO_BUDGET INVALID_MONEY LIFETIME_NEEDS_END "
        "END_BEFORE_START INVALID_TIME INVALID_CURRENCY INVALID_TIMEZONE INVALID_URL "
        "INVALID_TARGETING CURRENCY_LOCKED ARCHIVED NOT_CHANGEABLE CONSTRAINT PERIOD_OPEN "
        "INVALID_CHARACTER"
    ).split()
)
_META = frozenset({"id", "expected_version", "client_mutation_id"})


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def user_error(error: DomainError) -> dict[str, Any]:
    return {
        "field": ["input", *(camel(part) for part in error.field)] if error.field else None,
        "message": error.message,
        "code": error.code if error.code in USER_ERROR_CODES else "INVALID",
    }


def node_pk(data: Mapping[str, Any], key: str, type_name: str) -> int:
    """The primary key of a global ID input field; INVALID_ID naming that field otherwise."""
    try:
        return expect_id(data[key], type_name)
    except InvalidId:
        raise Invalid(f"not a {type_name} ID", field=camel(key), code="INVALID_ID") from None


def fields_of(data: Mapping[str, Any], *, nullable: frozenset[str] = frozenset()) -> dict[str, Any]:
    """The object's fields given in an input (ids and bookkeeping left out)."""
    values = {k: v for k, v in data.items() if k not in _META}
    for key, value in values.items():
        if value is None and key not in nullable:
            raise Invalid(f"{camel(key)} cannot be null", field=camel(key), code="NULL")
    return values


def without_nulls(data: Mapping[str, Any]) -> dict[str, Any]:
    """Create inputs: an explicit null means "use the default", as an omitted field does."""
    return {k: v for k, v in data.items() if v is not None and k not in _META}


async def mutate(
    info: GraphQLResolveInfo,
    data: Mapping[str, Any],
    key: str,
    use_case: Callable[[], Callable[[Session], Any]],
) -> dict[str, Any]:
    """Build the service call (which may refuse the input), run it, shape the payload.

    `use_case` returns the session function; building it may raise a DomainError too
    (a malformed ID, a null for a required field).
    """
    context: RequestContext = info.context
    payload: dict[str, Any] = {"client_mutation_id": data.get("client_mutation_id")}
    try:
        result = await context.run_sync(use_case())
    except DomainError as error:
        await context.rollback()
        return {**payload, key: None, "user_errors": [user_error(error)]}
    context.remember([result])
    return {**payload, key: result, "user_errors": []}
