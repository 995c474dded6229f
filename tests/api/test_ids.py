"""Ids that do not fit the 64-bit id columns are "not found" everywhere, never a 500."""

from __future__ import annotations

import base64

import pytest
from graphql import GraphQLError
from starlette.testclient import TestClient

from ads.api.ids import InvalidId, cursor, global_id, parse_cursor, parse_global_id
from tests.api.conftest import World, gql

BEYOND = 2**63  # one past the largest BIGINT
HUGE = "99999999999999999999999"


def _raw_id(text: str) -> str:
    """A global ID as a client could forge it (the server never issues these)."""
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def test_the_largest_id_round_trips_and_one_more_is_invalid() -> None:
    assert parse_global_id(global_id("Campaign", BEYOND - 1)) == ("Campaign", BEYOND - 1)
    with pytest.raises(InvalidId):
        parse_global_id(_raw_id(f"Campaign:{BEYOND}"))
    with pytest.raises(InvalidId):
        parse_global_id(_raw_id(f"Campaign:{HUGE}"))
    assert parse_cursor(cursor(BEYOND - 1), argument="after") == BEYOND - 1
    with pytest.raises(GraphQLError, match="not a cursor"):
        parse_cursor(_raw_id(f"c:{BEYOND}"), argument="after")


def test_rest_export_ids_beyond_64_bits_are_not_found(client: TestClient, world: World) -> None:
    auth = {"Authorization": f"Bearer {world.tokens['FINANCE']}"}
    for export_id in (HUGE, str(BEYOND), _raw_id(f"BillingExport:{BEYOND}")):
        response = client.get(f"/v1/exports/{export_id}", headers=auth)
        assert response.status_code == 404, (export_id, response.text)
        assert response.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"


def test_graphql_ids_beyond_64_bits_are_not_found(client: TestClient, world: World) -> None:
    token = world.tokens["ADMIN"]
    huge = _raw_id(f"Campaign:{HUGE}")
    read = gql(
        client,
        "query($id: ID!) { campaign(id: $id) { name } node(id: $id) { id } }",
        {"id": huge},
        token=token,
    )
    assert read["data"] == {"campaign": None, "node": None}
    assert all(e["extensions"]["code"] != "INTERNAL_SERVER_ERROR" for e in read.get("errors", []))
    update = gql(
        client,
        """mutation($id: ID!) { updateCampaign(input: {id: $id, name: "x"}) {
        campaign { id } userErrors { field code } } }""",
        {"id": huge},
        token=token,
    )
    assert update["data"]["updateCampaign"]["userErrors"] == [
        {"field": ["input", "id"], "code": "INVALID_ID"}
    ]
    paged = gql(
        client,
        "query($after: String) { advertisers(first: 1, after: $after) { totalCount } }",
        {"after": _raw_id(f"c:{HUGE}")},
        token=token,
    )
    assert [e["extensions"]["code"] for e in paged["errors"]] == ["INVALID_CURSOR"]
