"""Connection cursors, and the global IDs of `Node.id` (defined in `ads.node_ids`).

A cursor, like a global ID, is URL-safe base64 of a short text: the row id, because
every connection is ordered by id (stable under inserts). The type name inside a global
ID is what `Query.node` dispatches on.
"""

from __future__ import annotations

from graphql import GraphQLError

from ads.node_ids import (
    InvalidId,
    decode,
    encode,
    expect_id,
    global_id,
    parse_global_id,
    row_id,
)

__all__ = [
    "InvalidId",
    "cursor",
    "expect_id",
    "global_id",
    "parse_cursor",
    "parse_global_id",
    "row_id",
]

_CURSOR_PREFIX = "c:"


def cursor(pk: int) -> str:
    return encode(f"{_CURSOR_PREFIX}{pk}")


def parse_cursor(value: str, *, argument: str) -> int:
    """The row id inside a cursor; a clear GraphQL error for anything else."""
    try:
        text = decode(value)
    except InvalidId:
        text = ""
    pk = row_id(text.removeprefix(_CURSOR_PREFIX))
    if not text.startswith(_CURSOR_PREFIX) or pk is None:
        raise GraphQLError(
            f"`{argument}` is not a cursor of this connection: {value!r}",
            extensions={"code": "INVALID_CURSOR"},
        )
    return pk
