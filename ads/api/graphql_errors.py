"""How GraphQL errors reach clients and logs: codes always, internals only in development."""

from __future__ import annotations

import logging
from contextvars import ContextVar
from typing import Any

from ariadne import format_error as ariadne_format_error
from graphql import GraphQLError

from ads.api.unavailable import unavailable_error
from ads.errors import DomainError
from ads.outages import outage_of

log = logging.getLogger("ads.graphql")


def _original(error: BaseException) -> BaseException | None:
    original = getattr(error, "original_error", None)
    while isinstance(original, GraphQLError) and original.original_error is not None:
        original = original.original_error
    return original


def format_error(error: GraphQLError, debug: bool = False) -> dict[str, Any]:
    """DomainErrors keep their message and code; anything unexpected is hidden outside
    development (no stack trace, no SQL), because its text can carry either.

    Request errors (syntax, validation, variables: no `path`) are graphql-core's own
    messages about the request and are always shown.
    """
    original = _original(error)
    formatted: dict[str, Any] = dict(error.formatted)
    dependency = None if original is None else outage_of(original)
    if dependency is not None:
        return {**formatted, **unavailable_error(dependency)}
    if isinstance(original, DomainError):
        formatted["message"] = original.message
        formatted["extensions"] = {"code": original.code}
        return formatted
    if original is None or isinstance(original, GraphQLError) or error.path is None:
        return formatted
    if debug:
        return ariadne_format_error(error, debug=True)
    formatted["message"] = "Internal server error"
    formatted["extensions"] = {"code": "INTERNAL_SERVER_ERROR"}
    return formatted


#: The outages the resolvers of the current request met (set by the HTTP handler).
met_outages: ContextVar[list[BaseException] | None] = ContextVar("met_outages", default=None)


class ErrorLog(logging.LoggerAdapter):
    """Ariadne logs every error at ERROR; only unexpected exceptions deserve that.

    An outage is not logged here but handed to the request (`met_outages`): the handler
    answers it as one, and the app's OutageLog logs it once per outage.
    """

    def __init__(self) -> None:
        super().__init__(log, {})

    def error(self, msg: Any, *args: Any, **kwargs: Any) -> None:
        original = _original(msg) if isinstance(msg, GraphQLError) else msg
        if original is None or isinstance(original, (GraphQLError, DomainError)):
            self.logger.debug("graphql error: %s", msg)
            return
        if isinstance(original, BaseException) and outage_of(original) is not None:
            met = met_outages.get()
            if met is not None:
                met.append(original)
            return
        self.logger.error("unexpected error in a resolver", exc_info=original)
