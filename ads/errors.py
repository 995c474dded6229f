"""Domain errors: each carries the input field it is about and a machine-readable code."""

from __future__ import annotations

from collections.abc import Sequence


class DomainError(Exception):
    """A use case refused its input; adapters translate it once (userErrors, 4xx, CLI)."""

    code = "INVALID"

    def __init__(
        self, message: str, *, field: Sequence[str] | str | None = None, code: str | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        if isinstance(field, str):
            field = [field]
        self.field: list[str] | None = list(field) if field is not None else None
        if code is not None:
            self.code = code


class Invalid(DomainError):
    """The input breaks a rule of the domain."""

    code = "INVALID"


class NotFound(DomainError):
    """No such object, or the caller may not know it exists."""

    code = "NOT_FOUND"


class Conflict(DomainError):
    """The object changed since the caller read it (a stale expected version)."""

    code = "STALE_VERSION"


class Forbidden(DomainError):
    """The caller is known but its role may not do this."""

    code = "FORBIDDEN"


class Unauthenticated(DomainError):
    """No valid credentials were given."""

    code = "UNAUTHENTICATED"
