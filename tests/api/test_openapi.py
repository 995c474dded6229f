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
from tests.api.rest.resources.support import registry
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
    assert listed == declared
    operation = document["paths"]["/v1/campaigns/{id}"]["patch"]
    assert operation["x-graphql-operation"]["name"] == "PatchCampaign"
    assert operation["x-graphql-operation"]["documentId"] == registry().named("PatchCampaign").id
    schemas = document["components"]["schemas"]
    assert schemas["Micros"]["type"] == "string"
    assert schemas["Micros"]["pattern"] == "^-?[0-9]+$"
    assert "ACTIVE" in schemas["CampaignStatus"]["enum"]
    assert (
        "budget"
        in operation["responses"]["200"]["content"]["application/json"]["schema"]["properties"]
    )
    assert {"409", "412", "422", "404", "503"} <= set(operation["responses"])


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
        assert len(operations) == 22
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
