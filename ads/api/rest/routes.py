"""The REST routes of the app, one line per endpoint."""

from __future__ import annotations

from starlette.routing import BaseRoute, Route

from ads.api.rest.health import healthz, readyz


def rest_routes() -> list[BaseRoute]:
    return [
        Route("/healthz", healthz, methods=["GET"]),
        Route("/readyz", readyz, methods=["GET"]),
    ]
