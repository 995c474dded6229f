"""The OpenAPI document: valid 3.1, every route in it, and the live app keeps to it."""

from __future__ import annotations

from typing import Any

import schemathesis
from hypothesis import HealthCheck, given, settings
from openapi_spec_validator import validate
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from starlette.testclient import TestClient

from ads.api.app import create_app
from ads.config import Settings
from tests.api.conftest import World
from tests.api.rest.resources.support import bearer, registry
from tests.live_server import serving

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
EXAMPLES = 6


def test_the_document_validates_and_lists_every_route(client: TestClient) -> None:
    response = client.get("/v1/openapi.json")
    assert response.status_code == 200
    document = response.json()
    validate(document)
    declared = {
        (line.split('method: "')[1].split('"')[0], line.split('path: "')[1].split('"')[0])
        for d in registry()
        for line in d.text.splitlines()
        if "@rest(" in line
    }
    listed = {(m.upper(), p) for p, ops in document["paths"].items() for m in ops}
    heads = {("HEAD", path) for method, path in declared if method == "GET"}
    assert listed == declared | heads
    head = document["paths"]["/v1/campaigns/{id}"]["head"]
    assert head["operationId"] == "GetCampaignHead"
    assert "content" not in head["responses"]["200"]
    assert "ETag" in head["responses"]["200"]["headers"]
    operation = document["paths"]["/v1/campaigns/{id}"]["patch"]
    assert operation["x-graphql-operation"]["name"] == "PatchCampaign"
    assert operation["x-graphql-operation"]["documentId"] == registry().named("PatchCampaign").id
    assert operation["x-graphql-operation"]["document"] == registry().named("PatchCampaign").text
    schemas = document["components"]["schemas"]
    assert schemas["Micros"]["type"] == "string"
    assert schemas["Micros"]["pattern"] == "^-?[0-9]+$"
    assert "ACTIVE" in schemas["CampaignStatus"]["enum"]
    assert (
        "budget"
        in operation["responses"]["200"]["content"]["application/json"]["schema"]["properties"]
    )
    assert {"409", "412", "422", "404", "503"} <= set(operation["responses"])


def test_the_document_follows_the_introspection_switch(settings: Settings, world: World) -> None:
    with TestClient(create_app(settings.model_copy(update={"introspection": True}))) as client:
        open_document = client.get("/v1/openapi.json")
        assert open_document.status_code == 200
    closed = settings.model_copy(update={"introspection": False})
    with TestClient(create_app(closed)) as client:
        anonymous = client.get("/v1/openapi.json")
        assert anonymous.status_code == 401, anonymous.text
        assert anonymous.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
        assert "bearer" in anonymous.headers["www-authenticate"].lower()
        revoked = client.get("/v1/openapi.json", headers=bearer(world.tokens["REVOKED"]))
        assert revoked.status_code == 401
        for role in ("ADVERTISER", "FINANCE", "ADMIN"):
            signed = client.get("/v1/openapi.json", headers=bearer(world.tokens[role]))
            assert signed.status_code == 200, (role, signed.text)
            assert signed.json() == open_document.json()
            assert signed.headers["cache-control"] == "private"


def _ids(world: World) -> dict[str, str]:
    return {
        "id": world.acme.campaign,
        "advertiserId": world.acme.advertiser,
        "campaignId": world.acme.campaign,
        "adGroupId": world.acme.ad_group,
    }


def _real(path: str, world: World) -> dict[str, str]:
    """Path parameters naming the world's own objects (so the 2xx answers are checked)."""
    ids = _ids(world)
    segment = path.split("/")[2]
    kinds = {
        "advertisers": world.acme.advertiser,
        "ad-groups": world.acme.ad_group,
        "ads": world.acme.ad,
        "campaigns": world.acme.campaign,
    }
    found = {k: v for k, v in ids.items() if "{" + k + "}" in path}
    if "{id}" in path:
        found["id"] = kinds.get(segment, world.acme.campaign)
    return found


def test_generated_requests_get_answers_that_keep_to_the_document(
    settings: Settings, world: World
) -> None:
    token = world.tokens["ADMIN"]
    with serving(create_app(settings)) as base_url:
        schema = schemathesis.openapi.from_url(f"{base_url}/v1/openapi.json")
        operations = [result.ok() for result in schema.get_all_operations()]
        # 22 routes, and HEAD beside each of the 13 GETs.
        assert len(operations) == 22 + 13
        for operation in operations:
            for path_parameters in (None, _real(operation.path, world)):
                strategy = operation.as_strategy(path_parameters=path_parameters or None)
                _run(strategy, base_url, token)


def _run(strategy: Any, base_url: str, token: str) -> None:
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def check(case: Any) -> None:
        case.call_and_validate(
            base_url=base_url, headers={"Authorization": f"Bearer {token}"}, checks=CHECKS
        )

    check()
