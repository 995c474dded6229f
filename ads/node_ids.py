"""One id everywhere: a row's GraphQL global id, and the one parser every surface uses.

A global id is URL-safe base64 of `Type:pk`, so clients treat it as an opaque string
while the server decodes it without a lookup (GitHub's REST `node_id` is the same idea:
it lets REST and GraphQL clients meet). `parse_id` is what every REST endpoint, CLI flag
and ingestion field calls: it takes the global id of the expected type or, where numeric
ids were always accepted, the plain number, so an integrator never decodes base64 to
join what two surfaces said. Pure: no framework, no database.
"""

from __future__ import annotations

import base64
import binascii

#: The GraphQL types whose objects have a global id.
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
#: The largest id either database stores (64-bit signed BIGINT; ids are positive).
MAX_ID = 2**63 - 1
#: No global id we issue is longer (`PacingExperiment:` + 19 digits, base64).
MAX_LENGTH = 64


class InvalidId(ValueError):
    """An id that this server did not issue, or one of another type than expected."""


def encode(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode(value: object) -> str:
    if not isinstance(value, str) or not value or len(value) > MAX_LENGTH:
        raise InvalidId(value)
    try:
        return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise InvalidId(value) from None


def global_id(type_name: str, pk: int) -> str:
    return encode(f"{type_name}:{pk}")


def row_id(text: str) -> int | None:
    """The id written in `text` (ASCII digits, 1 to MAX_ID), or None: no row has it (a
    larger number would make the driver fail rather than find nothing)."""
    if not text.isdigit() or not text.isascii() or len(text) > 19:
        return None
    pk = int(text)
    return pk if 0 < pk <= MAX_ID else None


def parse_global_id(value: object) -> tuple[str, int]:
    """(type name, primary key) of a global ID; InvalidId when it is not one of ours."""
    type_name, _, digits = decode(value).partition(":")
    pk = row_id(digits)
    if type_name not in NODE_TYPES or pk is None:
        raise InvalidId(value)
    return type_name, pk


def expect_id(value: object, type_name: str) -> int:
    """The primary key of a global ID of `type_name`; InvalidId for anything else."""
    kind, pk = parse_global_id(value)
    if kind != type_name:
        raise InvalidId(value)
    return pk


def parse_id(value: object, type_name: str) -> int:
    """The primary key from a global id of `type_name` or a plain numeric id.

    Numbers come as a JSON integer or a string of ASCII digits (a CLI flag, a URL path).
    Anything else — another type's global id, zero, a negative or a 65-bit number, a
    boolean — is InvalidId.
    """
    if type(value) is int:
        if 0 < value <= MAX_ID:
            return value
        raise InvalidId(value)
    if isinstance(value, str):
        pk = row_id(value)
        if pk is not None:
            return pk
        return expect_id(value, type_name)
    raise InvalidId(value)
