"""The REST routes of the app, one line per endpoint."""

from __future__ import annotations

from starlette.routing import BaseRoute, Route

from ads.api.rest.events import post_events
from ads.api.rest.exports import get_export_file
from ads.api.rest.health import healthz, readyz
from ads.api.rest.invoices import get_invoice_csv, get_invoice_pdf
from ads.api.rest.metrics import get_metrics
from ads.api.rest.pacing import get_pacing


def rest_routes() -> list[BaseRoute]:
    return [
        Route("/healthz", healthz, methods=["GET"]),
        Route("/readyz", readyz, methods=["GET"]),
        Route("/v1/events", post_events, methods=["POST"]),
        Route("/v1/pacing", get_pacing, methods=["GET"]),
        Route("/metrics", get_metrics, methods=["GET"]),
        Route("/v1/exports/{export_id}", get_export_file, methods=["GET"]),
        Route("/v1/invoices/{invoice_id}.pdf", get_invoice_pdf, methods=["GET"]),
        Route("/v1/invoices/{invoice_id}.csv", get_invoice_csv, methods=["GET"]),
    ]
