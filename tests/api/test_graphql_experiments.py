"""Pacing experiments over GraphQL: ADMIN creates, lists and stops; arms with intervals."""

from __future__ import annotations

from typing import Any

from starlette.testclient import TestClient

from ads.api.ids import global_id, parse_global_id
from tests.api.conftest import World, gql

CREATE = """
mutation($input: CreatePacingExperimentInput!) {
  createPacingExperiment(input: $input) {
    clientMutationId
    pacingExperiment { id name status controlStrategy candidateStrategy allocation }
    userErrors { field code message }
  }
}"""
STOP = """
mutation($id: ID!) {
  stopPacingExperiment(input: {id: $id}) {
    pacingExperiment { id status stoppedAt }
    userErrors { field code }
  }
}"""
LIST = """
{ pacingExperiments { id name status arms { arm strategy campaigns campaignDays
    pacingError { mean low high n } utilization { mean } overdelivery { mean } } } }"""


def _input(**overrides: Any) -> dict[str, Any]:
    return {
        "name": "linear vs default",
        "candidateStrategy": "LINEAR_PROFILE",
        "allocation": 0.25,
        "startAt": "2026-11-20T00:00:00Z",
        "clientMutationId": "m1",
    } | overrides


def test_admin_creates_lists_and_stops_an_experiment(client: TestClient, world: World) -> None:
    admin = world.tokens["ADMIN"]
    created = gql(client, CREATE, {"input": _input()}, token=admin)["data"]
    payload = created["createPacingExperiment"]
    assert payload["userErrors"] == []
    assert payload["clientMutationId"] == "m1"
    experiment = payload["pacingExperiment"]
    assert experiment["controlStrategy"] == "DEFAULT"
    assert (experiment["status"], experiment["allocation"]) == ("RUNNING", 0.25)
    listed = gql(client, LIST, token=admin)["data"]["pacingExperiments"]
    assert [e["id"] for e in listed] == [experiment["id"]]
    arms = listed[0]["arms"]
    assert [a["arm"] for a in arms] == ["CONTROL", "CANDIDATE"]
    assert arms[1]["strategy"] == "LINEAR_PROFILE"
    assert arms[0]["pacingError"] == {"mean": 0.0, "low": None, "high": None, "n": 0}
    stopped = gql(client, STOP, {"id": experiment["id"]}, token=admin)["data"]
    assert stopped["stopPacingExperiment"]["pacingExperiment"]["status"] == "STOPPED"


def test_refused_inputs_are_user_errors(client: TestClient, world: World) -> None:
    admin = world.tokens["ADMIN"]
    for overrides, field in (
        ({"allocation": 1.5}, ["input", "allocation"]),
        ({"candidateStrategy": "DEFAULT"}, ["input", "candidateStrategy"]),
        ({"name": " "}, ["input", "name"]),
    ):
        body = gql(client, CREATE, {"input": _input(**overrides)}, token=admin)
        payload = body["data"]["createPacingExperiment"]
        assert payload["pacingExperiment"] is None
        assert payload["userErrors"][0]["field"] == field
    assert gql(client, LIST, token=admin)["data"]["pacingExperiments"] == []
    absent = global_id("PacingExperiment", 999)
    missing = gql(client, STOP, {"id": absent}, token=admin)["data"]["stopPacingExperiment"]
    assert missing["userErrors"][0]["code"] == "NOT_FOUND"
    for wrong in ("999", global_id("Campaign", 1)):
        refused = gql(client, STOP, {"id": wrong}, token=admin)["data"]["stopPacingExperiment"]
        assert refused["userErrors"][0] == {"field": ["input", "id"], "code": "INVALID_ID"}


def test_only_admin_tokens_may_touch_experiments(client: TestClient, world: World) -> None:
    for role in ("ADVERTISER", "FINANCE"):
        body = gql(client, CREATE, {"input": _input()}, token=world.tokens[role])
        assert body["data"]["createPacingExperiment"]["userErrors"][0]["code"] == "FORBIDDEN"
        listed = gql(client, LIST, token=world.tokens[role])
        assert listed["errors"][0]["extensions"]["code"] == "FORBIDDEN"


NODE = """
query($id: ID!) { node(id: $id) { __typename id ... on PacingExperiment { name status } } }"""


def test_an_experiment_is_a_node_only_admin_can_fetch(client: TestClient, world: World) -> None:
    admin = world.tokens["ADMIN"]
    created = gql(client, CREATE, {"input": _input()}, token=admin)["data"]
    experiment = created["createPacingExperiment"]["pacingExperiment"]
    assert parse_global_id(experiment["id"])[0] == "PacingExperiment"
    node = gql(client, NODE, {"id": experiment["id"]}, token=admin)["data"]["node"]
    assert node == {
        "__typename": "PacingExperiment",
        "id": experiment["id"],
        "name": "linear vs default",
        "status": "RUNNING",
    }
    by_id = """query($id: ID!) { pacingExperiment(id: $id) { id } }"""
    assert gql(client, by_id, {"id": experiment["id"]}, token=admin)["data"] == {
        "pacingExperiment": {"id": experiment["id"]}
    }
    for role in ("ADVERTISER", "FINANCE"):
        hidden = gql(client, NODE, {"id": experiment["id"]}, token=world.tokens[role])
        assert hidden["data"] == {"node": None}
        refused = gql(client, by_id, {"id": experiment["id"]}, token=world.tokens[role])
        assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    absent = gql(client, by_id, {"id": global_id("PacingExperiment", 999)}, token=admin)
    assert absent["data"] == {"pacingExperiment": None}
    for wrong in ("999", global_id("Campaign", 1)):
        bad = gql(client, by_id, {"id": wrong}, token=admin)
        assert bad["errors"][0]["extensions"]["code"] == "INVALID_ID"
