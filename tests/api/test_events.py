"""POST /v1/events through real HTTP: auth, idempotency, mixed batches, limits."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from ads.api.app import create_app
from ads.api.ids import global_id
from ads.auth.roles import Role
from ads.config import Settings
from ads.ingestion.models import CampaignDaySpend
from ads.tokens.service import create_token
from tests.ingestion.fixtures import Tree, event, service_token, tree

__all__ = ["service_token", "tree"]  # fixtures

RECENT = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def recent(event_id: str, ad_id: int, **fields: object) -> dict[str, object]:
    return event(event_id, ad_id, occurredAt=RECENT, **fields)


def test_an_event_sent_twice_is_counted_once(
    client: TestClient, session: Session, tree: Tree, service_token: str
) -> None:
    batch = [recent("a", tree.ad_id), recent("b", tree.ad_id)]
    first = client.post("/v1/events", json=batch, headers=auth(service_token))
    again = client.post("/v1/events", json=batch, headers=auth(service_token))
    assert first.status_code == again.status_code == 200
    assert first.json() == {
        "accepted": 2, "duplicates": 0, "rejected": 0, "flagged": 0, "errors": [],
        "duplicateEvents": [],
    }  # fmt: skip
    assert (again.json()["accepted"], again.json()["duplicates"]) == (0, 2)
    assert session.scalar(select(CampaignDaySpend.impressions)) == 2


def test_a_mixed_batch_accepts_the_good_and_explains_the_bad(
    client: TestClient, tree: Tree, service_token: str
) -> None:
    batch = [
        recent("good", tree.ad_id),
        recent("float", tree.ad_id, costMicros=1.5),
        "not an object",
        recent("good", tree.ad_id),
    ]
    body = client.post("/v1/events", json=batch, headers=auth(service_token)).json()
    assert (body["accepted"], body["duplicates"], body["rejected"]) == (1, 1, 2)
    assert [(e["index"], e["id"], e["reason"], e["field"]) for e in body["errors"]] == [
        (1, "float", "INVALID_COST", "costMicros"),
        (2, None, "NOT_AN_OBJECT", None),
    ]


def test_each_duplicate_is_listed_with_its_index_and_id(
    client: TestClient, tree: Tree, service_token: str
) -> None:
    client.post("/v1/events", json=[recent("old", tree.ad_id)], headers=auth(service_token))
    batch = [
        recent("new", tree.ad_id),
        recent("old", tree.ad_id),
        recent("bad", tree.ad_id, costMicros=-1),
        recent("new", tree.ad_id),
    ]
    body = client.post("/v1/events", json=batch, headers=auth(service_token)).json()
    assert (body["accepted"], body["duplicates"], body["rejected"]) == (1, 2, 1)
    assert body["duplicateEvents"] == [
        {"index": 1, "id": "old", "reason": "ALREADY_RECORDED", "firstIndex": None},
        {"index": 3, "id": "new", "reason": "REPEATED_IN_BATCH", "firstIndex": 0},
    ]
    assert [(e["index"], e["id"]) for e in body["errors"]] == [(2, "bad")]


def test_an_ad_is_named_by_its_number_or_its_global_id(
    client: TestClient, session: Session, tree: Tree, service_token: str
) -> None:
    batch = [
        recent("by-number", tree.ad_id),
        recent("by-digits", str(tree.ad_id)),
        recent("by-global-id", global_id("Ad", tree.ad_id)),
        recent("wrong-type", global_id("Campaign", tree.ad_id)),
        recent("unknown", global_id("Ad", 999_999)),
    ]
    body = client.post("/v1/events", json=batch, headers=auth(service_token)).json()
    assert body["accepted"] == 3
    assert [(e["id"], e["reason"]) for e in body["errors"]] == [
        ("wrong-type", "INVALID_AD_ID"),
        ("unknown", "UNKNOWN_AD"),
    ]
    assert "global id" in body["errors"][0]["message"]
    assert session.scalar(select(CampaignDaySpend.impressions)) == 3


def test_ndjson_lines_are_events_and_a_broken_line_is_one_rejection(
    client: TestClient, tree: Tree, service_token: str
) -> None:
    lines = [json.dumps(recent("n1", tree.ad_id)), "{broken", json.dumps(recent("n2", tree.ad_id))]
    response = client.post(
        "/v1/events",
        content="\n".join(lines) + "\n",
        headers={**auth(service_token), "Content-Type": "application/x-ndjson"},
    )
    body = response.json()
    assert (body["accepted"], body["rejected"]) == (2, 1)
    assert body["errors"][0]["index"] == 1
    assert body["errors"][0]["reason"] == "MALFORMED_JSON"


def test_missing_or_bad_tokens_get_401(client: TestClient) -> None:
    assert client.post("/v1/events", json=[]).status_code == 401
    bad = client.post("/v1/events", json=[], headers=auth("ads_0123456789abcdef_" + "x" * 40))
    assert bad.status_code == 401
    assert bad.headers["www-authenticate"] == "Bearer"
    assert bad.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


def test_other_roles_get_403_and_change_nothing(
    client: TestClient, session: Session, tree: Tree
) -> None:
    admin = create_token(session, role=Role.ADMIN)[1]
    response = client.post("/v1/events", json=[recent("x", tree.ad_id)], headers=auth(admin))
    assert response.status_code == 403
    assert session.scalar(select(CampaignDaySpend.impressions)) is None


def test_a_body_that_is_not_an_array_is_400(client: TestClient, service_token: str) -> None:
    response = client.post("/v1/events", json={"id": "a"}, headers=auth(service_token))
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "NOT_AN_ARRAY"
    broken = client.post(
        "/v1/events",
        content="[{",
        headers={**auth(service_token), "Content-Type": "application/json"},
    )
    assert broken.status_code == 400


def test_unknown_media_types_get_415(client: TestClient, service_token: str) -> None:
    response = client.post(
        "/v1/events", content="x", headers={**auth(service_token), "Content-Type": "text/csv"}
    )
    assert response.status_code == 415


@pytest.fixture
def small_client(settings: Settings) -> Iterator[TestClient]:
    limited = Settings(**{**settings.__dict__, "event_batch_max": 3, "max_body_bytes": 2048})
    with TestClient(create_app(limited)) as test_client:
        yield test_client


def test_too_many_events_is_413_with_json(
    small_client: TestClient, tree: Tree, service_token: str
) -> None:
    batch = [recent(f"e{i}", tree.ad_id) for i in range(4)]
    response = small_client.post("/v1/events", json=batch, headers=auth(service_token))
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"] == {"code": "TOO_MANY_EVENTS", "limit": 3}


def test_too_large_a_body_is_413(small_client: TestClient, service_token: str) -> None:
    response = small_client.post(
        "/v1/events", content="[" + " " * 4000 + "]", headers=auth(service_token)
    )
    assert response.status_code == 413
