"""POST /v1/events: a batch of delivery events from the ad server (SERVICE tokens)."""

from __future__ import annotations

from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import JSONResponse

from ads.api.rest.service_auth import domain_error_response, error_response, service_principal
from ads.errors import DomainError
from ads.ingestion.rules import Malformed
from ads.ingestion.service import IngestReport, record_events
from ads.metrics import process_metrics

NDJSON_TYPES = ("application/x-ndjson", "application/jsonl", "application/json-seq")


async def post_events(request: Request) -> JSONResponse:
    """Record a JSON array or NDJSON stream of events; answer with per-event outcomes."""
    try:
        await service_principal(request)
    except DomainError as exc:
        return domain_error_response(exc)
    media_type = request.headers.get("content-type", "application/json").split(";")[0].strip()
    body = await request.body()
    if media_type in NDJSON_TYPES:
        events: list[Any] = _ndjson(body)
    elif media_type == "application/json":
        try:
            decoded = orjson.loads(body)
        except orjson.JSONDecodeError as exc:
            return error_response(400, "MALFORMED_JSON", f"the body is not JSON: {exc}")
        if not isinstance(decoded, list):
            return error_response(400, "NOT_AN_ARRAY", "the body is a JSON array of events")
        events = decoded
    else:
        message = "send application/json (an array) or application/x-ndjson"
        return error_response(415, "UNSUPPORTED_MEDIA_TYPE", message)
    limit: int = request.app.state.settings.event_batch_max
    if len(events) > limit:
        message = f"a batch holds at most {limit} events, got {len(events)}"
        return error_response(413, "TOO_MANY_EVENTS", message, limit=limit)
    async with request.app.state.sessions() as session:
        report = await session.run_sync(lambda s: record_events(s, events))
    _count(report)
    return JSONResponse(report.to_json())


def _ndjson(body: bytes) -> list[Any]:
    events: list[Any] = []
    for line in body.splitlines():
        if not line.strip():
            continue
        try:
            events.append(orjson.loads(line))
        except orjson.JSONDecodeError as exc:
            events.append(Malformed(f"this line is not JSON: {exc}"))
    return events


def _count(report: IngestReport) -> None:
    metrics = process_metrics()
    metrics.events_ingested.inc(report.accepted)
    metrics.events_duplicates.inc(report.duplicates)
    metrics.events_flagged.inc(report.flagged)
    for rejection in report.rejected:
        metrics.events_rejected.labels(rejection.reason).inc()
