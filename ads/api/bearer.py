"""The token of an `Authorization: Bearer <token>` header, read the same way everywhere."""

from __future__ import annotations

from starlette.requests import HTTPConnection


def bearer_token(request: HTTPConnection) -> str | None:
    """The presented bearer token (scheme case-insensitive, spaces trimmed), or None."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None
