"""A route is one operation file: the docs' example works as written, broken ones stop."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from ads.api import graphql_app
from ads.api.app import create_app
from ads.api.executor import leaf_table
from ads.api.graphql_app import make_query_cache
from ads.api.plan import operation_plans
from ads.api.rest.resources.declaration import collection, declared_routes, node_type_of
from ads.api.schema import build_schema
from ads.api.trusted_documents import DOCUMENTS_DIR, DocumentError, TrustedDocuments
from ads.config import Settings
from tests import factories
from tests.api.conftest import World
from tests.api.documents import registered

DOCS = Path(__file__).resolve().parents[4] / "docs" / "rest.md"


def _example() -> str:
    section = DOCS.read_text().split("## Adding a route", 1)[1]
    return re.search(r"```graphql\n(.*?)```", section, re.S).group(1)  # type: ignore[union-attr]


def test_the_docs_example_is_a_route_once_its_file_exists(
    settings: Settings,
    world: World,
    session: object,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    documents = tmp_path / "documents"
    shutil.copytree(DOCUMENTS_DIR, documents)
    (documents / "rest" / "ListPausedAdGroups.graphql").write_text(_example())
    load = TrustedDocuments.load.__func__  # type: ignore[attr-defined]
    monkeypatch.setattr(
        graphql_app.TrustedDocuments,
        "load",
        classmethod(lambda cls, cache: load(cls, cache, documents)),
    )
    factories.ad_group(session, world.acme.campaign_pk, name="Paused one", status="PAUSED")  # type: ignore[arg-type]
    with TestClient(create_app(settings)) as client:
        headers = {"Authorization": f"Bearer {world.tokens['ADVERTISER']}"}
        path = f"/v1/campaigns/{world.acme.campaign_pk}/paused-ad-groups"
        answer = client.get(path, headers=headers)
        assert answer.status_code == 200, answer.text
        assert [g["name"] for g in answer.json()["items"]] == ["Paused one"]
        other = client.get(
            f"/v1/campaigns/{world.globex.campaign_pk}/paused-ad-groups", headers=headers
        )
        assert other.status_code == 404
        document = client.get("/v1/openapi.json").json()
        assert (
            document["paths"]["/v1/campaigns/{campaignId}/paused-ad-groups"]["get"]["operationId"]
            == "ListPausedAdGroups"
        )


def _routes(tmp_path: Path, text: str) -> None:
    folder = tmp_path / "rest"
    folder.mkdir(exist_ok=True)
    name = re.search(r"(query|mutation) (\w+)", text).group(2)  # type: ignore[union-attr]
    (folder / f"{name}.graphql").write_text(text)
    cache = make_query_cache(Settings())
    schema = cache.schema
    declared_routes(TrustedDocuments.load(cache, tmp_path), schema)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        (
            'mutation M($input: UpdateAdInput!) @rest(method: "GET", path: "/v1/ads/{id}") '
            "{ updateAd(input: $input) { ad { id } userErrors { field message code } } }",
            "not GET",
        ),
        (
            'query Q($id: ID!) @rest(method: "GET", path: "/v1/ads/{adId}") '
            "{ campaign(id: $id) { id } }",
            "neither a variable",
        ),
        (
            'query Q($id: ID!) @rest(method: "GET", path: "v1/x") { campaign(id: $id) { id } }',
            "under /v1/",
        ),
        (
            'query Q($id: ID!, $first: Int) @rest(method: "GET", '
            'path: "/v1/campaigns/{id}/groups", '
            'resource: "campaign.adGroups") { campaign(id: $id) { adGroups(first: $first) '
            "{ nodes { id } pageInfo { hasNextPage endCursor } } } }",
            "$after",
        ),
        (
            'query Q($id: ID!) @rest(method: "GET", path: "/v1/campaigns/{id}", '
            'resource: "campaign.nope") '
            "{ campaign(id: $id) { id } }",
            "does not select",
        ),
        (
            'mutation M($input: UpdateAdInput!) @rest(method: "PATCH", path: "/v1/ads/{id}") '
            "{ updateAd(input: $input) { ad { id } } }",
            "userErrors",
        ),
        (
            'query Q($ids: [ID!]!) @rest(method: "GET", path: "/v1/things") '
            "{ nodes(ids: $ids) { id } }",
            "a list",
        ),
        (
            "query Q($id: ID!, $orderBy: CampaignOrder, $direction: String, $after: String) "
            '@rest(method: "GET", path: "/v1/advertisers/{id}/campaigns", '
            'resource: "advertiser.campaigns") { advertiser(id: $id) { campaigns(after: $after, '
            "orderBy: $orderBy, nameContains: $direction) { nodes { id } "
            "pageInfo { hasNextPage endCursor } } } }",
            "two parameters are named `direction`",
        ),
    ],
)
def test_a_broken_declaration_stops_the_app_naming_its_file(
    tmp_path: Path, text: str, words: str
) -> None:
    with pytest.raises(DocumentError, match=re.escape(words)) as raised:
        _routes(tmp_path, text)
    assert str(raised.value).startswith("rest/")


def test_two_files_may_not_declare_one_route(tmp_path: Path) -> None:
    (tmp_path / "rest").mkdir()
    for name in ("A", "B"):
        (tmp_path / "rest" / f"{name}.graphql").write_text(
            f'query {name}($id: ID!) @rest(method: "GET", path: "/v1/campaigns/{{id}}") '
            "{ campaign(id: $id) { id } }"
        )
    cache = make_query_cache(Settings())
    schema = cache.schema
    with pytest.raises(DocumentError, match="declared twice"):
        declared_routes(TrustedDocuments.load(cache, tmp_path), schema)


def test_collections_and_id_names_follow_the_node_types() -> None:
    assert collection("AdGroup") == "ad-groups"
    assert collection("BillingExport") == "billing-exports"
    assert node_type_of("id", "ad-groups") == "AdGroup"
    assert node_type_of("campaignId") == "Campaign"
    assert node_type_of("advertiserIds") == "Advertiser"
    assert node_type_of("name") is None
    assert node_type_of("id", "things") is None


def test_every_route_query_runs_on_its_plan_those_read_through_node_too() -> None:
    documents = [d for d in registered() if d.source.startswith("rest/") and not d.mutation]
    schema = build_schema()
    plans = operation_plans(schema, [d.prepared.document for d in documents], leaf_table(schema))
    planned = {d.name for d in documents if id(d.prepared.operation(None)) in plans}
    assert planned == {d.name for d in documents}
    assert len(planned) == 13
    assert {d.name for d in documents if "node(id:" in d.text} == {
        "GetAd",
        "GetAdGroup",
        "GetInvoice",
        "ListAds",
    }
