"""/dashboard and the /graphql explorer over HTTP: what is served, and what is not."""

from __future__ import annotations

from pathlib import Path

import pytest
from starlette.testclient import TestClient

from ads.api.app import create_app
from ads.api.explorer.page import PACKAGED
from ads.config import Environment, Settings
from tests.api.documents import registered
from tests.databases import settings_for

HTML = {"Accept": "text/html"}


def test_the_dashboard_page_allows_only_this_origin(client: TestClient) -> None:
    assert client.get("/dashboard", follow_redirects=False).headers["location"] == "/dashboard/"
    page = client.get("/dashboard/")
    assert page.status_code == 200
    assert 'src="/dashboard/static/js/main.js"' in page.text
    policy = page.headers["content-security-policy"]
    assert "default-src 'self'" in policy
    assert "http" not in policy
    script = client.get("/dashboard/static/js/main.js")
    assert script.status_code == 200
    assert "javascript" in script.headers["content-type"]
    assert client.get("/dashboard/static/../routes.py").status_code == 404


def test_the_dashboard_reads_its_document_ids_from_the_registry(client: TestClient) -> None:
    registry = registered()
    ids = client.get("/dashboard/documents.json").json()
    assert ids == {d.name: d.id for d in registry if d.source.startswith("dashboard/")}
    assert {"CampaignList", "PacingCurve", "UpdateCampaign"} <= set(ids)


def test_no_static_file_names_a_third_party_host() -> None:
    static = Path(__file__).resolve().parents[2] / "ads" / "api"
    for path in [*static.glob("dashboard/static/**/*.*"), *static.glob("explorer/static/*")]:
        text = path.read_text(encoding="utf-8")
        assert "http://" not in text.replace("http://www.w3.org/2000/svg", ""), path
        assert "https://" not in text, path


def test_the_explorer_page_loads_graphiql_from_this_server(client: TestClient) -> None:
    page = client.get("/graphql", headers=HTML)
    assert page.status_code == 200
    assert "cdn" not in page.text.lower()
    for name in (*PACKAGED, "explorer.js"):
        assert f"/graphql/explorer/{name}" in page.text or name == "graphiql.min.css"
        asset = client.get(f"/graphql/explorer/{name}")
        assert asset.status_code == 200, name
        assert len(asset.content) > 100
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assert client.get("/graphql/explorer/package.json").status_code == 404
    assert client.get("/graphql/explorer/..%2Fpackage.json").status_code == 404


def test_without_the_npm_packages_the_explorer_says_how_to_install_them(
    settings: Settings, tmp_path: Path
) -> None:
    bare = settings_for(settings.database_url, explorer_assets_dir=str(tmp_path))
    with TestClient(create_app(bare)) as client:
        page = client.get("/graphql", headers=HTML)
        assert page.status_code == 200
        assert "scripts/setup" in page.text
        assert client.get("/graphql/explorer/graphiql.min.js").status_code == 404


@pytest.mark.parametrize("overrides", [{"env": Environment.PRODUCTION}, {"introspection": False}])
def test_no_explorer_in_production_or_without_introspection(
    settings: Settings, overrides: dict[str, object]
) -> None:
    closed = settings_for(settings.database_url, **overrides)
    with TestClient(create_app(closed)) as client:
        assert client.get("/graphql", headers=HTML).status_code == 400
        assert client.get("/graphql/explorer/graphiql.min.js").status_code == 404
        assert client.get("/dashboard/").status_code == 200  # the dashboard stays
