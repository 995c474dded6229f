"""Opaque global IDs (`Node.id`) and connection cursors.

Both are URL-safe base64 of a short text, so clients treat them as opaque strings while
the server decodes them without a lookup. The type name inside a global ID is what
`Query.node` dispatches on; a cursor is the row id, because every connection is
ordered by id (stable under inserts).
"""

from __future__ import annotations

import base64
import binascii

from graphql import GraphQLError

from ads.db import MAX_ID

NODE_TYPES = frozenset(
    {
        "Advertiser",
        "Campaign",
        "AdGroup",
        "Ad",
        "ChangeEvent",
        "Invoice",
        "LedgerEntry",
        "BillingExport",
        "PacingExperiment",
    }
)
_CURSOR_PREFIX = "c:"


class InvalidId(ValueError):
    """A global ID or cursor that this server did not issue."""


def _encode(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _decode(value: str) -> str:
    if not isinstance(value, str) or not value or len(value) > 64:
        raise InvalidId(value)
    try:
        return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise InvalidId(value) from None


def global_id(type_name: str, pk: int) -> str:
    return _encode(f"{type_name}:{pk}")


def parse_global_id(value: str) -> tuple[str, int]:
    """(type name, primary key) of a global ID; InvalidId when it is not one of ours."""
    type_name, _, pk = _decode(value).partition(":")
    number = row_id(pk)
    if type_name not in NODE_TYPES or number is None:
        raise InvalidId(value)
    return type_name, number


def row_id(text: str) -> int | None:
    """The id written in `text` (ASCII digits, at most MAX_ID), or None: no row has it."""
    if not (text.isdigit() and text.isascii()):
        return None
    number = int(text)
    return number if number <= MAX_ID else None


def expect_id(value: str, type_name: str) -> int:
    """The primary key of a global ID of `type_name`; InvalidId for anything else."""
    kind, pk = parse_global_id(value)
    if kind != type_name:
        raise InvalidId(value)
    return pk


def cursor(pk: int) -> str:
    return _encode(f"{_CURSOR_PREFIX}{pk}")


def parse_cursor(value: str, *, argument: str) -> int:
    """The row id inside a cursor; a clear GraphQL error for anything else."""
    try:
        text = _decode(value)
    except InvalidId:
        text = ""
    pk = row_id(text.removeprefix(_CURSOR_PREFIX))
    if not text.startswith(_CURSOR_PREFIX) or pk is None:
        raise GraphQLError(
            f"`{argument}` is not a cursor of this connection: {value!r}",
            extensions={"code": "INVALID_CURSOR"},
        )
    return pk
