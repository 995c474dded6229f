"""Authentication and the role × operation matrix, through real HTTP."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.testclient import TestClient

from tests.api.conftest import World, post

OK = "ok"
NULL = "null"  # a read that comes back null without an error: "not found"


def _mutation(name: str, input_type: str, fields: str) -> str:
    return (
        f"mutation($input: {input_type}!) {{ {name}(input: $input) {{ {fields} "
        "userErrors { field code } } }"
    )


def _operations(world: World) -> dict[str, tuple[str, Any]]:
    """Name → (document, variables function of the target tree)."""
    return {
        "read advertiser": (
            "query($id: ID!) { r: advertiser(id: $id) { name } }",
            lambda t: {"id": t.advertiser},
        ),
        "read campaign": (
            "query($id: ID!) { r: campaign(id: $id) { name } }",
            lambda t: {"id": t.campaign},
        ),
        "read ad by node": ("query($id: ID!) { r: node(id: $id) { id } }", lambda t: {"id": t.ad}),
        "read history": (
            "query($id: ID!) { r: campaign(id: $id) { changeHistory(first: 1) { totalCount } } }",
            lambda t: {"id": t.campaign},
        ),
        "createAdvertiser": (
            _mutation("createAdvertiser", "CreateAdvertiserInput", "advertiser { id }"),
            lambda t: {"input": {"name": "New", "currency": "USD", "timezone": "UTC"}},
        ),
        "updateAdvertiser name": (
            _mutation("updateAdvertiser", "UpdateAdvertiserInput", "advertiser { id }"),
            lambda t: {"input": {"id": t.advertiser, "name": "Renamed"}},
        ),
        "updateAdvertiser status": (
            _mutation("updateAdvertiser", "UpdateAdvertiserInput", "advertiser { id }"),
            lambda t: {"input": {"id": t.advertiser, "status": "SUSPENDED"}},
        ),
        "createCampaign": (
            _mutation("createCampaign", "CreateCampaignInput", "campaign { id }"),
            lambda t: {
                "input": {
                    "advertiserId": t.advertiser,
                    "name": "N",
                    "objective": "AWARENESS",
                    "startAt": "2026-12-01T00:00:00Z",
                    "budgetType": "DAILY",
                    "budgetMicros": "1000000",
                }
            },
        ),
        "updateCampaign budget": (
            _mutation("updateCampaign", "UpdateCampaignInput", "campaign { id }"),
            lambda t: {"input": {"id": t.campaign, "budgetMicros": "2000000"}},
        ),
        "createAdGroup": (
            _mutation("createAdGroup", "CreateAdGroupInput", "adGroup { id }"),
            lambda t: {
                "input": {
                    "campaignId": t.campaign,
                    "name": "G",
                    "bidMicros": "1",
                    "billingEvent": "CLICK",
                }
            },
        ),
        "updateAdGroup": (
            _mutation("updateAdGroup", "UpdateAdGroupInput", "adGroup { id }"),
            lambda t: {"input": {"id": t.ad_group, "bidMicros": "2"}},
        ),
        "createAd": (
            _mutation("createAd", "CreateAdInput", "ad { id }"),
            lambda t: {
                "input": {
                    "adGroupId": t.ad_group,
                    "name": "A",
                    "creativeUrl": "https://cdn.example.com/x.png",
                    "destinationUrl": "https://example.com/",
                }
            },
        ),
        "updateAd": (
            _mutation("updateAd", "UpdateAdInput", "ad { id }"),
            lambda t: {"input": {"id": t.ad, "name": "Renamed"}},
        ),
    }


READS = ("read advertiser", "read campaign", "read ad by node", "read history")
WRITES = (
    "updateAdvertiser name",
    "createCampaign",
    "updateCampaign budget",
    "createAdGroup",
    "updateAdGroup",
    "createAd",
    "updateAd",
)

#: role → operation → (outcome on its own tenant (Acme), outcome on the other (Globex)).
EXPECTED: dict[str, dict[str, tuple[str, str]]] = {
    "ADMIN": {
        **{op: (OK, OK) for op in READS + WRITES},
        "createAdvertiser": (OK, OK),
        "updateAdvertiser status": (OK, OK),
    },
    "ADVERTISER": {
        **{op: (OK, NULL) for op in READS},
        **{op: (OK, "NOT_FOUND") for op in WRITES},
        "createAdvertiser": ("FORBIDDEN", "FORBIDDEN"),
        "updateAdvertiser status": ("FORBIDDEN", "NOT_FOUND"),
    },
    "FINANCE": {
        **{op: (OK, OK) for op in READS},
        **{op: ("FORBIDDEN", "FORBIDDEN") for op in WRITES},
        "createAdvertiser": ("FORBIDDEN", "FORBIDDEN"),
        "updateAdvertiser status": ("FORBIDDEN", "FORBIDDEN"),
    },
}


def _outcome(body: dict[str, Any]) -> str:
    assert "errors" not in body, body
    (result,) = body["data"].values()
    if result is None:
        return NULL
    if "userErrors" not in result:
        return OK
    errors = result["userErrors"]
    if not errors:
        assert any(v is not None for k, v in result.items() if k != "userErrors")
        return OK
    assert len(errors) == 1, errors
    return str(errors[0]["code"])


@pytest.mark.parametrize("role", ["ADMIN", "ADVERTISER", "FINANCE"])
def test_role_operation_matrix(client: TestClient, world: World, role: str) -> None:
    operations = _operations(world)
    assert set(EXPECTED[role]) == set(operations)
    got: dict[str, tuple[str, str]] = {}
    for name, (document, variables) in operations.items():
        outcomes = []
        for tree in (world.acme, world.globex):
            response = post(client, document, variables(tree), token=world.tokens[role])
            assert response.status_code == 200, (name, response.text)
            outcomes.append(_outcome(response.json()))
        got[name] = (outcomes[0], outcomes[1])
    assert got == EXPECTED[role]


def test_advertiser_tokens_list_only_their_advertisers(client: TestClient, world: World) -> None:
    query = "{ advertisers(first: 10) { totalCount nodes { name } } }"
    body = post(client, query, token=world.tokens["ADVERTISER"]).json()
    assert body["data"]["advertisers"] == {"totalCount": 1, "nodes": [{"name": "Acme"}]}
    nodes = post(
        client,
        "query($ids: [ID!]!) { nodes(ids: $ids) { id } }",
        {"ids": [world.acme.campaign, world.globex.campaign]},
        token=world.tokens["ADVERTISER"],
    ).json()
    assert nodes["data"]["nodes"] == [{"id": world.acme.campaign}, None]


@pytest.mark.parametrize(
    ("token", "status", "code"),
    [
        (None, 401, "UNAUTHENTICATED"),
        ("ads_0123456789abcdef_" + "x" * 43, 401, "UNAUTHENTICATED"),
        ("not-a-token", 401, "UNAUTHENTICATED"),
        ("REVOKED", 401, "UNAUTHENTICATED"),
        ("SERVICE", 403, "FORBIDDEN"),
    ],
)
def test_bad_credentials_are_refused_before_any_graphql(
    client: TestClient, world: World, token: str | None, status: int, code: str
) -> None:
    presented = world.tokens.get(token, token) if token else None
    response = post(client, "{ viewer { role } }", token=presented)
    assert response.status_code == status
    assert response.json()["errors"][0]["extensions"]["code"] == code
    if status == 401:
        assert response.headers["www-authenticate"].startswith("Bearer")
    mutation = post(
        client,
        'mutation { createAdvertiser(input: {name: "X", currency: "USD", '
        'timezone: "UTC"}) { userErrors { code } } }',
        token=presented,
    )
    assert mutation.status_code == status


def test_basic_auth_scheme_is_not_a_bearer_token(client: TestClient, world: World) -> None:
    response = client.post(
        "/graphql",
        json={"query": "{ viewer { role } }"},
        headers={"Authorization": f"Basic {world.tokens['ADMIN']}"},
    )
    assert response.status_code == 401
