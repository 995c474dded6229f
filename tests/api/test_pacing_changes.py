"""GET /v1/pacing?since=<cursor> through real HTTP: only the decisions changed since."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from ads.campaigns.models import Campaign
from ads.campaigns.rules import CampaignStatus
from ads.config import Settings
from ads.pacing.service import recompute_shard
from tests.api.test_pacing_endpoint import SLOT, auth
from tests.ingestion.fixtures import build_tree, service_token
from tests.pacing.test_service import spend

__all__ = ["service_token"]  # fixtures

MICROS = 1_000_000


def micros(slot: float) -> str:
    return str(int(slot * MICROS))


def pause(session: Session, campaign_id: int) -> None:
    campaign = session.get(Campaign, campaign_id)
    assert campaign is not None
    campaign.status = CampaignStatus.PAUSED
    session.commit()


def by_id(campaigns: list[dict[str, Any]]) -> dict[int, dict[str, Any]]:
    return {c["id"]: c for c in campaigns}


def test_changes_since_a_cursor_bring_the_last_answer_up_to_date(
    client: TestClient, session: Session, settings: Settings, service_token: str
) -> None:
    trees = [build_tree(session) for _ in range(4)]
    recompute_shard(session, slot=SLOT, shard=0, shards=1, settings=settings)
    first = client.get("/v1/pacing", headers=auth(service_token))
    assert first.headers["pacing-cursor"] == micros(SLOT)
    pause(session, trees[0].campaign_id)
    spend(session, trees[1].ad_id, 90_000_000)
    recompute_shard(session, slot=SLOT + 60, shard=0, shards=1, settings=settings)

    changes = client.get(f"/v1/pacing?since={micros(SLOT)}", headers=auth(service_token))
    assert changes.status_code == 200
    body = changes.json()
    assert body["cursor"] == changes.headers["pacing-cursor"] == micros(SLOT + 60)
    held = by_id(first.json()["campaigns"]) | by_id(body["campaigns"])
    full = client.get("/v1/pacing", headers=auth(service_token)).json()["campaigns"]
    assert held == by_id(full)
    changed = {c["id"] for c in body["campaigns"]}
    assert {trees[0].campaign_id, trees[1].campaign_id} <= changed
    before = by_id(first.json()["campaigns"])
    assert all(c["version"] > before[c["id"]]["version"] for c in body["campaigns"])

    quiet = client.get(f"/v1/pacing?since={body['cursor']}", headers=auth(service_token))
    assert quiet.json() == {"campaigns": [], "cursor": micros(SLOT + 60)}


def test_a_shard_committing_after_a_poll_comes_with_the_next_one(
    client: TestClient, session: Session, settings: Settings, service_token: str
) -> None:
    trees = [build_tree(session) for _ in range(4)]
    for shard in (0, 1):
        recompute_shard(session, slot=SLOT, shard=shard, shards=2, settings=settings)
    start = client.get("/v1/pacing", headers=auth(service_token))
    for tree in trees:
        pause(session, tree.campaign_id)
    # The next slot: one shard has committed, the other not yet, when the ad server polls.
    recompute_shard(session, slot=SLOT + 60, shard=0, shards=2, settings=settings)
    cursor = start.headers["pacing-cursor"]
    early = client.get(f"/v1/pacing?since={cursor}", headers=auth(service_token)).json()
    assert {c["id"] for c in early["campaigns"]} == {
        t.campaign_id for t in trees if t.campaign_id % 2 == 0
    }
    assert early["cursor"] == micros(SLOT)  # shard 1 has not committed the next slot
    recompute_shard(session, slot=SLOT + 60, shard=1, shards=2, settings=settings)
    late = client.get(f"/v1/pacing?since={early['cursor']}", headers=auth(service_token)).json()
    held = by_id(start.json()["campaigns"]) | by_id(early["campaigns"])
    held |= by_id(late["campaigns"])
    assert {c["status"] for c in held.values()} == {"PAUSED"}
    assert late["cursor"] == micros(SLOT + 60)


def test_before_every_shard_has_run_the_cursor_is_the_start(
    client: TestClient, session: Session, settings: Settings, service_token: str
) -> None:
    build_tree(session)
    build_tree(session)
    assert client.get("/v1/pacing", headers=auth(service_token)).headers["pacing-cursor"] == "0"
    recompute_shard(session, slot=SLOT, shard=0, shards=2, settings=settings)
    partial = client.get("/v1/pacing?since=0", headers=auth(service_token)).json()
    assert partial["cursor"] == "0"
    assert len(partial["campaigns"]) == 2  # one decided, one waiting for its shard
    recompute_shard(session, slot=SLOT, shard=1, shards=2, settings=settings)
    assert client.get("/v1/pacing?since=0", headers=auth(service_token)).json()["cursor"] == micros(
        SLOT
    )


def test_a_campaign_waiting_for_its_first_decision_is_in_every_answer(
    client: TestClient, session: Session, settings: Settings, service_token: str
) -> None:
    build_tree(session)
    recompute_shard(session, slot=SLOT, shard=0, shards=1, settings=settings)
    waiting = build_tree(session)
    for _ in range(2):
        body = client.get(f"/v1/pacing?since={micros(SLOT)}", headers=auth(service_token)).json()
        [entry] = body["campaigns"]
        assert (entry["id"], entry["status"], entry["throttle"]) == (
            waiting.campaign_id,
            "NOT_YET_COMPUTED",
            0.0,
        )


def test_a_lower_shard_count_moves_the_cursor_on(
    client: TestClient, session: Session, settings: Settings, service_token: str
) -> None:
    build_tree(session)
    for shard in range(3):
        recompute_shard(session, slot=SLOT, shard=shard, shards=3, settings=settings)
    recompute_shard(session, slot=SLOT + 60, shard=0, shards=1, settings=settings)
    response = client.get("/v1/pacing", headers=auth(service_token))
    assert response.headers["pacing-cursor"] == micros(SLOT + 60)


@pytest.mark.parametrize("since", ["", "abc", "-1", "1.5", "１２", "9" * 20])
def test_a_malformed_cursor_is_refused(client: TestClient, service_token: str, since: str) -> None:
    response = client.get("/v1/pacing", params={"since": since}, headers=auth(service_token))
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "INVALID_CURSOR"
    assert "cursor" in error["message"]


def test_only_service_tokens_may_poll_for_changes(client: TestClient) -> None:
    assert client.get("/v1/pacing?since=0").status_code == 401
