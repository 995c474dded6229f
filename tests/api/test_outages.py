"""A database or broker outage is answered as one: 503 JSON with Retry-After, logged once.

The database goes down for real: the app reaches PostgreSQL through a TCP proxy that the
test cuts (connections reset, new ones refused) and restores. On SQLite, a database
file that cannot be opened is the outage.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from httpx import Response
from sqlalchemy.exc import OperationalError
from starlette.testclient import TestClient

from ads.api.app import create_app
from ads.auth.roles import Role
from ads.config import Environment, Settings
from ads.db import make_engine, session_factory
from ads.schema_version import upgrade_to_head
from ads.tokens.service import create_token
from tests import factories
from tests.databases import fresh_postgres_database, settings_for
from tests.faults import TcpProxy, proxied

EVENT = [
    {
        "id": "e-1",
        "type": "IMPRESSION",
        "adId": 1,
        "costMicros": "10",
        "occurredAt": "2026-11-26T12:00:00Z",
    }
]


@dataclass
class Deployment:
    proxy: TcpProxy
    settings: Settings
    tokens: dict[str, str]


@pytest.fixture(scope="module")
def postgres() -> Iterator[str]:
    with fresh_postgres_database() as url:
        upgrade_to_head(settings_for(url))
        yield url


@pytest.fixture
def deployment(postgres: str) -> Iterator[Deployment]:
    engine = make_engine(settings_for(postgres))
    with session_factory(engine)() as session:
        tokens = {
            role.value: create_token(session, role=role)[1]
            for role in (Role.ADMIN, Role.SERVICE, Role.FINANCE)
        }
    engine.dispose()
    with proxied(postgres) as (proxy, url):
        yield Deployment(proxy, settings_for(url, env=Environment.PRODUCTION), tokens)


def _requests(client: TestClient, tokens: dict[str, str]) -> dict[str, Response]:
    def auth(role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {tokens[role]}"}

    return {
        "POST /v1/events": client.post("/v1/events", json=EVENT, headers=auth("SERVICE")),
        "GET /v1/pacing": client.get("/v1/pacing", headers=auth("SERVICE")),
        "POST /graphql query": client.post(
            "/graphql", json={"query": "{ viewer { role } }"}, headers=auth("ADMIN")
        ),
        "POST /graphql mutation": client.post(
            "/graphql",
            json={
                "query": 'mutation { createAdvertiser(input: {name: "X", currency: "USD",'
                ' timezone: "UTC"}) { userErrors { code } } }'
            },
            headers=auth("ADMIN"),
        ),
        "GET /graphql": client.get(
            "/graphql", params={"query": "{ viewer { role } }"}, headers=auth("ADMIN")
        ),
        "GET /v1/exports/1": client.get("/v1/exports/1", headers=auth("FINANCE")),
    }


def _is_unavailable(response: Response) -> bool:
    if response.status_code != 503 or int(response.headers.get("retry-after", "0")) < 1:
        return False
    error = response.json()["errors"][0]
    return error["extensions"]["code"] == "SERVICE_UNAVAILABLE" and "database" in error["message"]


def test_every_endpoint_answers_a_database_outage_with_503_and_recovers(
    deployment: Deployment,
) -> None:
    with TestClient(create_app(deployment.settings)) as client:
        before = _requests(client, deployment.tokens)
        assert all(r.status_code < 500 for r in before.values()), before
        deployment.proxy.cut()
        during = _requests(client, deployment.tokens)
        refused = {name: r.status_code for name, r in during.items() if not _is_unavailable(r)}
        assert refused == {}
        ready = client.get("/readyz")
        assert ready.status_code == 503
        assert int(ready.headers["retry-after"]) >= 1
        metrics = client.get("/metrics")
        assert metrics.status_code == 200
        assert "ads_database_up 0.0" in metrics.text
        assert "ads_events_ingested_total" in metrics.text  # the process's own metrics
        deployment.proxy.restore()
        after = _requests(client, deployment.tokens)
        assert all(r.status_code < 500 for r in after.values()), after
        assert "ads_database_up 1.0" in client.get("/metrics").text


def test_an_outage_is_logged_once_with_the_count_of_refused_requests(
    deployment: Deployment, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    with TestClient(create_app(deployment.settings)) as client:
        client.get("/readyz")
        deployment.proxy.cut()
        statuses = [
            status
            for _ in range(10)
            for status in (r.status_code for r in _requests(client, deployment.tokens).values())
        ]
        assert set(statuses) == {503}
        deployment.proxy.restore()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not _records(caplog, "database available again"):
            time.sleep(0.1)
    down = _records(caplog, "database unavailable")
    assert len(down) == 1
    (up,) = _records(caplog, "database available again")
    assert up.failures == len(statuses)  # type: ignore[attr-defined]
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]


def _records(caplog: pytest.LogCaptureFixture, message: str) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.getMessage() == message]


def test_an_unopenable_sqlite_file_is_an_outage_too(tmp_path: Path) -> None:
    settings = settings_for(f"sqlite:///{tmp_path}/ads.db")
    upgrade_to_head(settings)
    engine = make_engine(settings)
    with session_factory(engine)() as session:
        token = create_token(session, role=Role.SERVICE)[1]
    engine.dispose()
    with TestClient(create_app(settings)) as client:
        (tmp_path / "ads.db").unlink()
        for suffix in ("", "-wal", "-shm"):
            (tmp_path / f"ads.db{suffix}").unlink(missing_ok=True)
        (tmp_path / "ads.db").mkdir()  # a directory: "unable to open database file"
        response = client.get("/v1/pacing", headers={"Authorization": f"Bearer {token}"})
    assert _is_unavailable(response), response.text


def test_a_query_that_meets_the_outage_midway_is_503_not_an_internal_error(
    deployment: Deployment, postgres: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = make_engine(settings_for(postgres))
    with session_factory(engine)() as session:
        advertiser = factories.advertiser(session, name="Midway")
        factories.campaign(session, advertiser.id, name="Launch")
    engine.dispose()
    from ads.api import loaders

    def gone(*_args: object, **_kwargs: object) -> None:
        raise OperationalError("SELECT 1", {}, ConnectionResetError("server closed"))

    monkeypatch.setattr(loaders, "split_pages", gone)
    query = "{ advertisers(first: 5) { nodes { campaigns(first: 1) { nodes { name } } } } }"
    with TestClient(create_app(deployment.settings)) as client:
        response = client.post(
            "/graphql",
            json={"query": query},
            headers={"Authorization": f"Bearer {deployment.tokens['ADMIN']}"},
        )
    assert _is_unavailable(response), response.text
    assert "SELECT" not in response.text
