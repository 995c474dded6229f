"""GET /healthz (the process is alive) and GET /readyz (database reachable, schema at head)."""

from __future__ import annotations

from sqlalchemy.exc import SQLAlchemyError
from starlette.requests import Request
from starlette.responses import JSONResponse

from ads.api.unavailable import UNAVAILABLE_HEADERS
from ads.outages import Dependency, outage_of
from ads.schema_version import schema_state


async def healthz(_request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> JSONResponse:
    engine = request.app.state.engine
    try:
        async with engine.connect() as conn:
            state = await conn.run_sync(schema_state)
    except SQLAlchemyError as exc:
        if outage_of(exc) is not Dependency.DATABASE:
            raise
        request.app.state.outages.failed(Dependency.DATABASE, exc)
        return _unavailable("database unreachable")
    problem = state.problem()
    if problem is not None:
        return _unavailable(problem)
    return JSONResponse({"status": "ready", "schemaRevision": state.current})


def _unavailable(reason: str) -> JSONResponse:
    """503 with its reason; the load balancer only reads the status."""
    return JSONResponse(
        {"status": "unavailable", "reason": reason},
        status_code=503,
        headers=UNAVAILABLE_HEADERS,
    )
