"""GET /v1/exports/{id}: download a finished finance export, if the caller may see it.

FINANCE and ADMIN tokens download any export; an ADVERTISER token only exports of its
own advertisers (others are 404, as if they did not exist); SERVICE tokens never.
`{id}` is the export's number (as in `downloadPath`) or its GraphQL global ID. A
superseded export (a later one of the same request has other rows) still downloads,
with `X-Superseded-By: <its successor's number>`.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response

from ads.api.rest.service_auth import error_response, load_document
from ads.exports.models import BillingExport
from ads.exports.rules import ExportFormat, ExportStatus
from ads.exports.service import export_path, get_export
from ads.node_ids import InvalidId, parse_id

MEDIA_TYPES = {ExportFormat.CSV: "text/csv; charset=utf-8", ExportFormat.JSONL: "application/jsonl"}


async def get_export_file(request: Request) -> Response:
    found = await load_document(
        request, "export", _export_number(request.path_params["export_id"]), get_export
    )
    if isinstance(found, Response):
        return found
    job = found
    if job.status is not ExportStatus.SUCCEEDED:
        return _not_ready(job)
    path = export_path(request.app.state.settings.export_dir, job)
    if not path.is_file():
        return error_response(410, "FILE_GONE", "the export file is no longer available")
    return FileResponse(
        path,
        media_type=MEDIA_TYPES[job.format],
        filename=path.name,
        headers={
            "X-Checksum-SHA256": job.sha256 or "",
            "X-Row-Count": str(job.row_count),
            **({"X-Superseded-By": str(job.superseded_by_id)} if job.superseded_by_id else {}),
        },
    )


def _export_number(raw: str) -> int | None:
    try:
        return parse_id(raw, "BillingExport")
    except InvalidId:
        return None


def _not_ready(job: BillingExport) -> JSONResponse:
    message = f"the export is {job.status}" + (f": {job.error}" if job.error else "")
    return error_response(409, "EXPORT_NOT_READY", message, exportStatus=job.status.value)
