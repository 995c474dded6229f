"""GET /v1/pacing through real HTTP: SERVICE only, compact decisions, ETag and 304."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from ads.auth.roles import Role
from ads.campaigns.rules import BillingEvent, CampaignStatus
from ads.config import Settings
from ads.pacing.service import recompute_shard
from ads.tokens.service import create_token
from tests import factories
from tests.ingestion.fixtures import Tree, build_tree, service_token, tree
from tests.pacing.test_service import spend

__all__ = ["service_token", "tree"]  # fixtures

SLOT = datetime(2026, 11, 20, 17, 0, tzinfo=UTC).timestamp()


def auth(token: str, **headers: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", **headers}


def test_every_decision_is_listed_and_304_while_unchanged(
    client: TestClient, session: Session, settings: Settings, tree: Tree, service_token: str
) -> None:
    paused = build_tree(session, status=CampaignStatus.PAUSED)
    recompute_shard(session, slot=SLOT, shard=0, shards=1, settings=settings)
    response = client.get("/v1/pacing", headers=auth(service_token))
    assert response.status_code == 200
    campaigns = response.json()["campaigns"]
    assert [c["id"] for c in campaigns] == sorted([tree.campaign_id, paused.campaign_id])
    stopped = next(c for c in campaigns if c["id"] == paused.campaign_id)
    assert stopped == {
        "id": paused.campaign_id,
        "throttle": 0.0,
        "status": "PAUSED",
        "version": 1,
        "computedAt": "2026-11-20T17:00:00Z",
        "adGroups": {str(paused.ad_group_id): 0.0},
        "maxChargeMicros": None,
        # The hard cap of a 100-unit budget (1% allowance), nothing spent; its local day
        # (America/New_York) ends at 05:00 UTC.
        "headroomMicros": "101000000",
        "headroomUntil": "2026-11-21T05:00:00Z",
    }
    etag = response.headers["etag"]
    assert etag.startswith('"')
    again = client.get("/v1/pacing", headers=auth(service_token, **{"If-None-Match": etag}))
    assert again.status_code == 304
    assert again.headers["etag"] == etag


def test_a_campaign_that_can_deliver_is_listed_before_its_first_tick(
    client: TestClient, session: Session, settings: Settings, tree: Tree, service_token: str
) -> None:
    build_tree(session, status=CampaignStatus.DRAFT)  # cannot deliver: not listed
    before = client.get("/v1/pacing", headers=auth(service_token))
    [waiting] = before.json()["campaigns"]
    assert waiting == {
        "id": tree.campaign_id,
        "throttle": 0.0,
        "status": "NOT_YET_COMPUTED",
        "version": 0,
        "computedAt": None,
        "adGroups": {},
        "maxChargeMicros": "0",
        "headroomMicros": "0",
        "headroomUntil": None,
        "reason": waiting["reason"],
    }
    assert "next pacing tick" in waiting["reason"]
    recompute_shard(session, slot=SLOT, shard=0, shards=1, settings=settings)
    after = client.get(
        "/v1/pacing", headers=auth(service_token, **{"If-None-Match": before.headers["etag"]})
    )
    assert after.status_code == 200  # the first decision changes the ETag
    [decided] = after.json()["campaigns"]
    assert (decided["id"], decided["version"]) == (tree.campaign_id, 1)
    assert decided["status"] != "NOT_YET_COMPUTED"


def test_a_changed_decision_changes_the_etag(
    client: TestClient, session: Session, settings: Settings, service_token: str
) -> None:
    live = build_tree(session)
    recompute_shard(session, slot=SLOT, shard=0, shards=1, settings=settings)
    etag = client.get("/v1/pacing", headers=auth(service_token)).headers["etag"]
    from ads.campaigns.models import Campaign

    campaign = session.get(Campaign, live.campaign_id)
    assert campaign is not None
    campaign.status = CampaignStatus.PAUSED
    session.commit()
    recompute_shard(session, slot=SLOT + 60, shard=0, shards=1, settings=settings)
    response = client.get("/v1/pacing", headers=auth(service_token, **{"If-None-Match": etag}))
    assert response.status_code == 200
    assert response.headers["etag"] != etag
    assert response.json()["campaigns"][0]["status"] == "PAUSED"


def test_only_service_tokens_may_poll(client: TestClient, session: Session) -> None:
    assert client.get("/v1/pacing").status_code == 401
    finance = create_token(session, role=Role.FINANCE)[1]
    assert client.get("/v1/pacing", headers=auth(finance)).status_code == 403


def test_the_bid_cap_is_published_as_digits_and_moves_the_etag(
    client: TestClient, session: Session, settings: Settings, service_token: str
) -> None:
    live = build_tree(session)
    factories.ad_group(
        session, live.campaign_id, name="Clicks", bid_micros=5_000_000,
        billing_event=BillingEvent.CLICK,
    )  # fmt: skip
    recompute_shard(session, slot=SLOT, shard=0, shards=1, settings=settings)
    first = client.get("/v1/pacing", headers=auth(service_token))
    assert first.json()["campaigns"][0]["maxChargeMicros"] is None
    spend(session, live.ad_id, 97_000_000)  # cap 101: 4 units left, less than one click
    recompute_shard(session, slot=SLOT + 60, shard=0, shards=1, settings=settings)
    tag = first.headers["etag"]
    response = client.get("/v1/pacing", headers=auth(service_token, **{"If-None-Match": tag}))
    assert response.status_code == 200
    assert response.headers["etag"] != tag
    published = response.json()["campaigns"][0]
    assert published["throttle"] > 0
    assert published["maxChargeMicros"].isdigit()
    assert 1 <= int(published["maxChargeMicros"]) <= 4_000_000


def test_the_headroom_is_the_hard_cap_less_spend_as_of_the_version(
    client: TestClient, session: Session, settings: Settings, service_token: str
) -> None:
    live = build_tree(session)
    recompute_shard(session, slot=SLOT, shard=0, shards=1, settings=settings)
    first = client.get("/v1/pacing", headers=auth(service_token))
    assert first.json()["campaigns"][0]["headroomMicros"] == "101000000"
    spend(session, live.ad_id, 60_000_000)
    recompute_shard(session, slot=SLOT + 60, shard=0, shards=1, settings=settings)
    tag = first.headers["etag"]
    response = client.get("/v1/pacing", headers=auth(service_token, **{"If-None-Match": tag}))
    assert response.status_code == 200
    published = response.json()["campaigns"][0]
    assert published["headroomMicros"] == "41000000"
    # As of the tick that made this version: the ad server counts its spend since.
    assert published["computedAt"] == "2026-11-20T17:01:00Z"
    assert published["version"] == 2


def test_rates_far_below_a_ten_thousandth_reach_the_ad_server_as_decided(
    client: TestClient, session: Session, settings: Settings, service_token: str
) -> None:
    # A new campaign starts at the controller's floor (10⁻⁶) and, while no spend shows
    # its traffic, doubles its rate each tick: every one of these rates is below 10⁻⁴,
    # which four decimals published as 0, a stop.
    live = build_tree(session)
    served = []
    for minute in range(6):
        recompute_shard(session, slot=SLOT + 60 * minute, shard=0, shards=1, settings=settings)
        [published] = client.get("/v1/pacing", headers=auth(service_token)).json()["campaigns"]
        assert published["status"] == "LIMITED_BY_BUDGET"
        assert published["adGroups"] == {str(live.ad_group_id): published["throttle"]}
        served.append(published["throttle"])
    assert served == [1e-06, 2e-06, 4e-06, 8e-06, 1.6e-05, 3.2e-05]
