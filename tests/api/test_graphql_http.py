"""GraphQL over HTTP and protection: methods, media types, malformed requests, limits."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from ads.api.app import create_app
from ads.config import Environment, Settings
from tests.api.conftest import World, post
from tests.databases import settings_for

GRAPHQL_RESPONSE = "application/graphql-response+json"


def _auth(world: World) -> dict[str, str]:
    return {"Authorization": f"Bearer {world.tokens['ADMIN']}"}


def test_get_runs_queries_and_refuses_mutations(client: TestClient, world: World) -> None:
    ok = client.get(
        "/graphql",
        params={"query": "query Me { viewer { role } }", "operationName": "Me"},
        headers=_auth(world),
    )
    assert ok.status_code == 200
    assert ok.json()["data"] == {"viewer": {"role": "ADMIN"}}
    with_variables = client.get(
        "/graphql",
        params={
            "query": "query($id: ID!) { advertiser(id: $id) { name } }",
            "variables": json.dumps({"id": world.acme.advertiser}),
        },
        headers=_auth(world),
    )
    assert with_variables.json()["data"] == {"advertiser": {"name": "Acme"}}
    mutation = client.get(
        "/graphql",
        params={"query": 'mutation { updateAd(input: {id: "x"}) { userErrors { code } } }'},
        headers=_auth(world),
    )
    assert mutation.status_code == 405
    assert mutation.headers["allow"] == "POST"
    assert mutation.json()["errors"][0]["extensions"]["code"] == "METHOD_NOT_ALLOWED"


def test_other_methods_are_405_and_options_lists_them(client: TestClient) -> None:
    assert client.put("/graphql", content=b"{}").status_code == 405
    assert client.options("/graphql").headers["allow"] == "GET, POST, OPTIONS"


@pytest.mark.parametrize(
    ("content", "content_type", "status", "fragment"),
    [
        (b"{not json", "application/json", 400, "not valid JSON"),
        (b"[1, 2]", "application/json", 400, "JSON object"),
        (b"{}", "application/json", 400, "`query`"),
        (b'{"query": 5}', "application/json", 400, "`query`"),
        (
            b'{"query": "{ viewer { role } }", "variables": [1]}',
            "application/json",
            400,
            "`variables`",
        ),
        (
            b'{"query": "{ viewer { role } }", "operationName": 3}',
            "application/json",
            400,
            "`operationName`",
        ),
        (
            b'{"query": "{ viewer { role } }", "operationName": 0}',
            "application/json",
            400,
            "`operationName`",
        ),
        (
            b'{"query": "{ viewer { role } }", "operationName": false}',
            "application/json",
            400,
            "`operationName`",
        ),
        (
            b'{"query": "{ viewer { role } }", "operationName": []}',
            "application/json",
            400,
            "`operationName`",
        ),
        (b"query=%7Bviewer%7D", "application/x-www-form-urlencoded", 415, "application/json"),
    ],
)
def test_malformed_requests_get_4xx_json(
    client: TestClient,
    world: World,
    content: bytes,
    content_type: str,
    status: int,
    fragment: str,
) -> None:
    response = client.post(
        "/graphql", content=content, headers={**_auth(world), "Content-Type": content_type}
    )
    assert response.status_code == status
    assert fragment in response.json()["errors"][0]["message"]


def test_bad_get_variables_are_400(client: TestClient, world: World) -> None:
    response = client.get(
        "/graphql",
        params={"query": "{ viewer { role } }", "variables": "{oops"},
        headers=_auth(world),
    )
    assert response.status_code == 400


def test_media_type_negotiation_and_status_codes(client: TestClient, world: World) -> None:
    invalid = "{ viewer { nope } }"
    as_json = post(client, invalid, token=world.tokens["ADMIN"])
    assert as_json.status_code == 200  # the spec's rule for application/json
    assert as_json.headers["content-type"].startswith("application/json")
    assert "data" not in as_json.json()
    as_graphql = post(
        client,
        invalid,
        token=world.tokens["ADMIN"],
        headers={"Accept": f"{GRAPHQL_RESPONSE}, application/json;q=0.9"},
    )
    assert as_graphql.status_code == 400
    assert as_graphql.headers["content-type"].startswith(GRAPHQL_RESPONSE)
    syntax = post(
        client, "{ viewer {", token=world.tokens["ADMIN"], headers={"Accept": GRAPHQL_RESPONSE}
    )
    assert syntax.status_code == 400
    assert "Syntax Error" in syntax.json()["errors"][0]["message"]
    bad_variables = post(
        client,
        "query($n: Int!) { advertisers(first: $n) { totalCount } }",
        {"n": "ten"},
        token=world.tokens["ADMIN"],
        headers={"Accept": GRAPHQL_RESPONSE},
    )
    assert bad_variables.status_code == 400
    assert "data" not in bad_variables.json()
    field_error = post(
        client,
        '{ campaign(id: "bad") { name } }',
        token=world.tokens["ADMIN"],
        headers={"Accept": GRAPHQL_RESPONSE},
    )
    assert field_error.status_code == 200
    assert field_error.json()["data"] == {"campaign": None}
    refused = post(
        client, "{ viewer { role } }", token=world.tokens["ADMIN"], headers={"Accept": "text/csv"}
    )
    assert refused.status_code == 406


def test_cost_is_reported_and_limited(client: TestClient, world: World) -> None:
    query = """query($n: Int!) { advertisers(first: $n) { nodes {
        campaigns(first: $n) { nodes { adGroups(first: $n) { nodes { name } } } } } } }"""
    small = post(client, query, {"n": 2}, token=world.tokens["ADMIN"]).json()
    cost = small["extensions"]["cost"]
    assert cost["maximumAvailable"] == 5_000
    assert cost["requestedQueryCost"] == 2 + 2 + 4 + 4 + 8 + 8
    big = post(client, query, {"n": 100}, token=world.tokens["ADMIN"])
    body = big.json()
    assert "data" not in body
    assert "maximum cost of 5000" in body["errors"][0]["message"]
    assert body["extensions"]["cost"]["requestedQueryCost"] > 5_000


def test_depth_and_alias_limits(client: TestClient, world: World) -> None:
    deep = (
        "{ viewer { advertisers(first: 1) { nodes { campaigns(first: 1) { nodes { advertiser {"
        " campaigns(first: 1) { nodes { advertiser { campaigns(first: 1) { nodes { "
        "advertiser { name } } } } } } } } } } } } }"
    )
    body = post(client, deep, token=world.tokens["ADMIN"]).json()
    assert body["errors"][0]["extensions"]["code"] == "MAX_DEPTH_EXCEEDED"
    aliases = "{ " + " ".join(f"a{i}: viewer {{ role }}" for i in range(60)) + " }"
    body = post(client, aliases, token=world.tokens["ADMIN"]).json()
    assert body["errors"][0]["extensions"]["code"] == "MAX_ALIASES_EXCEEDED"


def test_oversized_graphql_bodies_get_413(client: TestClient, world: World) -> None:
    query = "{ viewer { role } }" + " " * 1_100_000
    response = post(client, query, token=world.tokens["ADMIN"])
    assert response.status_code == 413


def test_explorer_and_introspection_in_development(client: TestClient, world: World) -> None:
    page = client.get("/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert "graphiql" in page.text.lower()
    body = post(client, "{ __schema { queryType { name } } }", token=world.tokens["ADMIN"]).json()
    assert body["data"]["__schema"]["queryType"]["name"] == "Query"
    described = post(
        client,
        '{ __type(name: "Campaign") { description fields { description } } }',
        token=world.tokens["ADMIN"],
    ).json()["data"]["__type"]
    assert described["description"]
    assert all(field["description"] for field in described["fields"])


@pytest.fixture
def production(settings: Settings) -> Iterator[TestClient]:
    prod = settings_for(settings.database_url, env=Environment.PRODUCTION, introspection=False)
    with TestClient(create_app(prod)) as client:
        yield client


def test_production_hides_introspection_explorer_and_internals(
    production: TestClient, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert production.get("/graphql", headers={"Accept": "text/html"}).status_code == 400
    body = post(production, "{ __schema { types { name } } }", token=world.tokens["ADMIN"]).json()
    assert "introspection" in body["errors"][0]["message"].lower()

    from ads.api import loaders

    def explode(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("SELECT secret FROM api_tokens -- boom")

    monkeypatch.setattr(loaders, "split_pages", explode)
    query = "query($id: ID!) { advertiser(id: $id) { campaigns(first: 1) { nodes { name } } } }"
    leaked = post(
        production, query, {"id": world.acme.advertiser}, token=world.tokens["ADMIN"]
    ).json()
    error = leaked["errors"][0]
    assert error["message"] == "Internal server error"
    assert error["extensions"] == {"code": "INTERNAL_SERVER_ERROR"}
    assert "SELECT" not in json.dumps(leaked)
