"""GET /healthz (the process is alive) and GET /readyz (database reachable, schema at head)."""

from __future__ import annotations

import logging

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from starlette.requests import Request
from starlette.responses import JSONResponse

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
        log.warning("readiness check failed", extra={"error": type(exc).__name__})
        reason = "database unreachable or not migrated (run `ads migrate`)"
        return JSONResponse({"status": "unavailable", "reason": reason}, status_code=503)
    head = head_revision()
    if revision != head:
        reason = f"database schema is at {revision or 'nothing'}, code expects {head}"
        return JSONResponse(
            {"status": "unavailable", "reason": f"{reason} (run `ads migrate`)"}, status_code=503
        )
    return JSONResponse({"status": "ready", "schemaRevision": revision})
