"""REST authentication (SERVICE tokens for the ad server, API tokens for downloads) and
errors as JSON."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import JSONResponse

from ads.api.bearer import bearer_token
from ads.auth.policy import require_graphql, require_service
from ads.auth.principal import Principal
from ads.errors import DomainError, Forbidden, NotFound, Unauthenticated
from ads.tokens.service import authenticate

T = TypeVar("T")


async def service_principal(request: Request) -> Principal:
    """The caller, if it holds a SERVICE token; raises Unauthenticated or Forbidden."""
    token = bearer_token(request)
    principal = None
    if token is not None:
        async with request.app.state.sessions() as session:
            principal = await session.run_sync(lambda s: authenticate(s, token))
    return require_service(principal)


async def load_document(
    request: Request, what: str, pk: int | None, find: Callable[[Session, Principal, int], T]
) -> T | JSONResponse:
    """A finance document (export, invoice) for download, or the error to answer.

    Any API token but SERVICE may ask, as for the GraphQL API that names the document;
    `find` reads it through the policy, so another tenant's is 404, as a missing one is
    (and as `pk` None is: an id that names no such document).
    """
    token = bearer_token(request)

    def load(session: Session) -> T:
        principal = require_graphql(None if token is None else authenticate(session, token))
        if pk is None:
            raise NotFound(f"{what} not found", field="id")
        return find(session, principal, pk)

    try:
        async with request.app.state.sessions() as session:
            return await session.run_sync(load)
    except NotFound as exc:
        return error_response(404, exc.code, exc.message)
    except DomainError as exc:
        return domain_error_response(exc)


def error_response(status: int, code: str, message: str, **extensions: Any) -> JSONResponse:
    """The one error body of the REST endpoints (the same shape as the body-limit 413)."""
    body = {"errors": [{"message": message, "extensions": {"code": code, **extensions}}]}
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(body, status_code=status, headers=headers)


def domain_error_response(exc: DomainError) -> JSONResponse:
    if isinstance(exc, Unauthenticated):
        return error_response(401, exc.code, exc.message)
    if isinstance(exc, Forbidden):
        return error_response(403, exc.code, exc.message)
    return error_response(400, exc.code, exc.message, field=exc.field)
