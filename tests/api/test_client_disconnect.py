"""A client that hangs up mid-request is routine on the internet, not a server error.

The ad server, a load balancer's health check or a browser tab may close the connection
before its body has arrived; the app has nobody to answer and nothing to fix, so the log
must not hold an ERROR with a traceback for it (which would page an operator for every
flaky client). Served by uvicorn over a real socket, as in production.
"""

from __future__ import annotations

import logging
import socket
import time
from urllib.parse import urlsplit

import httpx
import pytest

from ads.api.app import create_app
from ads.config import Settings
from tests.api.conftest import World
from tests.live_server import serving


def _hang_up_mid_body(url: str, method: str, path: str, token: str) -> None:
    address = urlsplit(url)
    with socket.create_connection((address.hostname, address.port)) as sock:
        sock.sendall(
            f"{method} {path} HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {token}\r\n"
            "Content-Type: application/json\r\nContent-Length: 5000\r\n\r\n"
            '{"query": "{ viewer'.encode()
        )
        time.sleep(0.2)


@pytest.mark.parametrize(
    ("method", "path", "role"),
    [
        ("POST", "/graphql", "ADMIN"),
        ("POST", "/v1/events", "SERVICE"),
        ("PATCH", "/v1/campaigns/1", "ADMIN"),
    ],
)
def test_a_client_hanging_up_mid_body_logs_no_error(
    settings: Settings,
    world: World,
    caplog: pytest.LogCaptureFixture,
    method: str,
    path: str,
    role: str,
) -> None:
    with caplog.at_level(logging.INFO), serving(create_app(settings)) as url:
        _hang_up_mid_body(url, method, path, world.tokens[role])
        time.sleep(0.5)
        assert httpx.get(f"{url}/healthz").status_code == 200
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors == [], [r.getMessage() for r in errors]
    hung_up = [
        r for r in caplog.records if r.name == "ads.access" and r.__dict__.get("path") == path
    ]
    assert [r.__dict__["status"] for r in hung_up] == [499]  # the access log still says so
