"""The ad server's endpoints: SERVICE-token authentication and errors as JSON."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from ads.api.bearer import bearer_token
from ads.auth.policy import require_service
from ads.auth.principal import Principal
from ads.errors import DomainError, Forbidden, Unauthenticated
from ads.tokens.service import authenticate


async def service_principal(request: Request) -> Principal:
    """The caller, if it holds a SERVICE token; raises Unauthenticated or Forbidden."""
    token = bearer_token(request)
    principal = None
    if token is not None:
        async with request.app.state.sessions() as session:
            principal = await session.run_sync(lambda s: authenticate(s, token))
    return require_service(principal)


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
