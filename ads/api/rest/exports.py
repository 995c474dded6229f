"""GET /v1/exports/{id}: download a finished finance export, if the caller may see it.

FINANCE and ADMIN tokens download any export; an ADVERTISER token only exports of its
own advertisers (others are 404, as if they did not exist); SERVICE tokens never.
`{id}` is the export's number (as in `downloadPath`) or its GraphQL global ID.
"""

from __future__ import annotations

from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response

from ads.api.bearer import bearer_token
from ads.api.ids import InvalidId, expect_id, row_id
from ads.api.rest.service_auth import domain_error_response, error_response
from ads.auth.policy import require_graphql
from ads.errors import DomainError, NotFound
from ads.exports.models import BillingExport
from ads.exports.rules import ExportFormat, ExportStatus
from ads.exports.service import export_path, get_export
from ads.tokens.service import authenticate

MEDIA_TYPES = {ExportFormat.CSV: "text/csv; charset=utf-8", ExportFormat.JSONL: "application/jsonl"}


async def get_export_file(request: Request) -> Response:
    export_id = _export_number(request.path_params["export_id"])
    token = bearer_token(request)
    try:
        async with request.app.state.sessions() as session:

            def load(s: Session) -> BillingExport:
                principal = None if token is None else authenticate(s, token)
                principal = require_graphql(principal)
                if export_id is None:
                    raise NotFound("export not found", field="id")
                return get_export(s, principal, export_id)

            job = await session.run_sync(load)
    except NotFound as exc:
        return error_response(404, exc.code, exc.message)
    except DomainError as exc:
        return domain_error_response(exc)
    if job.status is not ExportStatus.SUCCEEDED:
        return _not_ready(job)
    path = export_path(request.app.state.settings.export_dir, job)
    if not path.is_file():
        return error_response(410, "FILE_GONE", "the export file is no longer available")
    return FileResponse(
        path,
        media_type=MEDIA_TYPES[job.format],
        filename=path.name,
        headers={"X-Checksum-SHA256": job.sha256 or "", "X-Row-Count": str(job.row_count)},
    )


def _export_number(raw: str) -> int | None:
    if raw.isdigit():
        return row_id(raw)
    try:
        return expect_id(raw, "BillingExport")
    except InvalidId:
        return None


def _not_ready(job: BillingExport) -> JSONResponse:
    message = f"the export is {job.status}" + (f": {job.error}" if job.error else "")
    return error_response(409, "EXPORT_NOT_READY", message, exportStatus=job.status.value)
