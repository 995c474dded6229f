"""Outages answered as outages: 503 with the JSON error shape and `Retry-After`.

The middleware catches what `ads.outages` classifies as a database or broker outage,
wherever a request met it, and answers 503 instead of a 500 and a traceback: the ad
server (or any client) can tell "retry later" from "your request is wrong" (4xx). Each
outage is logged once by the app's `OutageLog`; while one lasts, `watch_recovery` probes
the dependency every second and logs its end as soon as it answers again.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ads.metrics import process_metrics
from ads.outages import RETRY_AFTER_SECONDS, Dependency, OutageLog, outage_of

log = logging.getLogger(__name__)
PROBE_SECONDS = 1.0
Probe = Callable[[], Awaitable[None]]


def unavailable_error(dependency: Dependency) -> dict[str, Any]:
    """The error of a request that met an outage (in `errors`, REST and GraphQL alike)."""
    return {
        "message": f"the {dependency} is unavailable; retry in {RETRY_AFTER_SECONDS} s",
        "extensions": {
            "code": "SERVICE_UNAVAILABLE",
            "dependency": dependency.value,
            "retryAfterSeconds": RETRY_AFTER_SECONDS,
        },
    }


UNAVAILABLE_HEADERS = {"Retry-After": str(RETRY_AFTER_SECONDS), "Cache-Control": "no-store"}


class UnavailableMiddleware:
    """Turns an outage raised by the app into a 503 (when no response was started yet)."""

    def __init__(self, app: ASGIApp, *, outages: OutageLog) -> None:
        self.app = app
        self.outages = outages

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as error:
            dependency = outage_of(error)
            if dependency is None or started:
                raise
            self.outages.failed(dependency, error)
            await send_unavailable(send, dependency)


async def send_unavailable(send: Send, dependency: Dependency) -> None:
    process_metrics().unavailable.labels(dependency.value).inc()
    payload = json.dumps({"errors": [unavailable_error(dependency)]}).encode()
    headers = [(k.lower().encode(), v.encode()) for k, v in UNAVAILABLE_HEADERS.items()]
    await send(
        {
            "type": "http.response.start",
            "status": 503,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(payload)).encode()),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": payload})


async def watch_recovery(outages: OutageLog, probes: dict[Dependency, Probe]) -> None:
    """While a dependency is down, probe it every second; log its end when it answers."""
    while True:
        await asyncio.sleep(PROBE_SECONDS)
        for dependency in outages.down():
            probe = probes.get(dependency)
            if probe is None:
                continue
            try:
                await probe()
            except Exception as error:
                if outage_of(error) is None:
                    log.exception("the %s probe failed unexpectedly", dependency)
                continue
            outages.recovered(dependency)
