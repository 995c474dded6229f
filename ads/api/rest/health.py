"""GET /healthz (the process is alive) and GET /readyz (database reachable, schema at head)."""

from __future__ import annotations

import logging

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from starlette.requests import Request
from starlette.responses import JSONResponse

from ads.api.unavailable import UNAVAILABLE_HEADERS
from ads.outages import Dependency, outage_of
from ads.schema_version import head_revision

log = logging.getLogger(__name__)


async def healthz(_request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> JSONResponse:
    engine = request.app.state.engine
    try:
        async with engine.connect() as conn:
            revision = (
                await conn.execute(text("SELECT version_num FROM alembic_version"))
            ).scalar_one_or_none()
    except SQLAlchemyError as exc:
        if outage_of(exc) is Dependency.DATABASE:
            request.app.state.outages.failed(Dependency.DATABASE, exc)
            return _unavailable("database unreachable")
        log.warning("readiness check failed", extra={"error": type(exc).__name__})
        return _unavailable("database not migrated (run `ads migrate`)")
    head = head_revision()
    if revision != head:
        reason = f"database schema is at {revision or 'nothing'}, code expects {head}"
        return _unavailable(f"{reason} (run `ads migrate`)")
    return JSONResponse({"status": "ready", "schemaRevision": revision})


def _unavailable(reason: str) -> JSONResponse:
    """503 with its reason; the load balancer only reads the status."""
    return JSONResponse(
        {"status": "unavailable", "reason": reason},
        status_code=503,
        headers=UNAVAILABLE_HEADERS,
    )
