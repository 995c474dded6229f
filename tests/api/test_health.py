from pathlib import Path

from sqlalchemy import text
from starlette.testclient import TestClient

from ads.api.app import create_app
from ads.db import make_engine
from tests.databases import settings_for


def test_healthz_and_readyz_on_a_migrated_database(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["status"] == "ready"
    assert len(ready.headers["x-request-id"]) >= 8


def test_readyz_is_503_with_a_reason_when_not_migrated(tmp_path: Path) -> None:
    settings = settings_for(f"sqlite:///{tmp_path / 'blank.db'}")
    with TestClient(create_app(settings)) as client:
        response = client.get("/readyz")
    assert response.status_code == 503
    assert "ads migrate" in response.json()["reason"]


def test_readyz_is_503_when_the_schema_is_behind(tmp_path: Path) -> None:
    settings = settings_for(f"sqlite:///{tmp_path / 'old.db'}")
    engine = make_engine(settings)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE alembic_version (version_num VARCHAR(32))"))
        conn.execute(text("INSERT INTO alembic_version VALUES ('0000')"))
    engine.dispose()
    with TestClient(create_app(settings)) as client:
        response = client.get("/readyz")
    assert response.status_code == 503
    assert "0000" in response.json()["reason"]


def test_a_sane_request_id_is_echoed(client: TestClient) -> None:
    response = client.get("/healthz", headers={"X-Request-Id": "abc-123-def"})
    assert response.headers["x-request-id"] == "abc-123-def"
    weird = client.get("/healthz", headers={"X-Request-Id": "<script>"})
    assert weird.headers["x-request-id"] != "<script>"


def test_oversized_bodies_get_413(client: TestClient) -> None:
    response = client.post("/healthz", content=b"x" * 2_000_000)
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"
