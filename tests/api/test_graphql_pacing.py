"""Campaign.pacing and Advertiser.spendToday through real HTTP: events in, tick, query."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from ads.api.ids import global_id
from ads.api.schema import build_schema
from ads.campaigns.budget_rules import BUDGET_RULES, describe, rule_for
from ads.campaigns.rules import BillingEvent, BudgetType
from ads.config import Settings
from ads.pacing.service import recompute_shard
from tests import factories
from tests.api.conftest import World, gql

PACING = """
query Pacing($id: ID!) {
  campaign(id: $id) {
    pacing {
      status throttleRate day updatedAt budgetRule
      dayBudget { amountMicros currency }
      spentToday { amountMicros currency }
      targetSoFar { amountMicros }
      remainingBudget { amountMicros }
      maxCharge { amountMicros currency }
    }
    advertiser { spendToday { amountMicros currency } }
  }
}
"""


def _slot() -> float:
    """This minute's tick slot (events are stamped with it, so all agree on the day)."""
    return float(int(datetime.now(UTC).timestamp()) // 60 * 60)


def _iso(slot: float) -> str:
    return datetime.fromtimestamp(slot, UTC).isoformat().replace("+00:00", "Z")


def _ingest(client: TestClient, token: str, ad_id: int, costs: list[int], slot: float) -> None:
    batch = [
        {
            "id": f"{ad_id}-{i}",
            "type": "IMPRESSION",
            "adId": ad_id,
            "costMicros": cost,
            "occurredAt": _iso(slot),
        }
        for i, cost in enumerate(costs)
    ]
    response = client.post("/v1/events", json=batch, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.text
    assert response.json()["accepted"] == len(costs)


def _first_ad(session: Session, campaign_id: int) -> int:
    group = factories.ad_group(session, campaign_id)
    return factories.ad(session, group.id).id


def test_pacing_reports_the_last_tick_and_spend_today_the_live_counters(
    client: TestClient, session: Session, settings: Settings, world: World
) -> None:
    slot = _slot()
    ad_id = _first_ad(session, world.acme.campaign_pk)
    _ingest(client, world.tokens["SERVICE"], ad_id, [1_000_000, 2_500_000], slot)
    recompute_shard(session, slot=slot, shard=0, shards=1, settings=settings)
    # Spend after the tick shows in spendToday at once, in pacing at the next tick.
    _ingest(
        client, world.tokens["SERVICE"], _first_ad(session, world.acme.campaign_pk), [500_000], slot
    )

    body = gql(client, PACING, {"id": world.acme.campaign}, token=world.tokens["ADVERTISER"])

    assert "errors" not in body, body
    campaign = body["data"]["campaign"]
    pacing = campaign["pacing"]
    assert pacing["status"] in {"PACING", "LIMITED_BY_BUDGET"}
    assert 0 < pacing["throttleRate"] <= 1
    assert pacing["updatedAt"] == _iso(slot)
    assert pacing["dayBudget"] == {"amountMicros": "100000000", "currency": "USD"}
    assert pacing["spentToday"] == {"amountMicros": "3500000", "currency": "USD"}
    assert pacing["remainingBudget"] == {"amountMicros": str(100_000_000 - 3_500_000)}
    assert 0 < int(pacing["targetSoFar"]["amountMicros"]) < 100_000_000
    assert pacing["budgetRule"] == describe(rule_for(BudgetType.DAILY))
    assert pacing["maxCharge"] is None  # 2,500-micro impressions fit many times
    assert campaign["advertiser"]["spendToday"] == {"amountMicros": "4000000", "currency": "USD"}


def test_pacing_shows_the_bid_cap_near_the_end_of_the_budget(
    client: TestClient, session: Session, settings: Settings, world: World
) -> None:
    slot = _slot()
    group = factories.ad_group(
        session, world.acme.campaign_pk, name="Clicks", bid_micros=5_000_000,
        billing_event=BillingEvent.CLICK,
    )  # fmt: skip
    ad_id = factories.ad(session, group.id).id
    _ingest(client, world.tokens["SERVICE"], ad_id, [97_000_000], slot)  # 4 units to the cap
    recompute_shard(session, slot=slot, shard=0, shards=1, settings=settings)

    body = gql(client, PACING, {"id": world.acme.campaign}, token=world.tokens["ADVERTISER"])

    assert "errors" not in body, body
    pacing = body["data"]["campaign"]["pacing"]
    assert pacing["throttleRate"] > 0
    assert pacing["maxCharge"]["currency"] == "USD"
    assert 1 <= int(pacing["maxCharge"]["amountMicros"]) <= 4_000_000


def test_pacing_is_not_yet_computed_and_spend_zero_before_anything_happened(
    client: TestClient, world: World
) -> None:
    """From the moment a campaign exists its pacing says where it stands: never null."""
    body = gql(client, PACING, {"id": world.globex.campaign}, token=world.tokens["ADMIN"])

    assert body["data"]["campaign"] == {
        "pacing": {
            "status": "NOT_YET_COMPUTED",
            "throttleRate": 0.0,
            "day": None,
            "updatedAt": None,
            "budgetRule": describe(rule_for(BudgetType.DAILY)),
            "dayBudget": None,
            "spentToday": None,
            "targetSoFar": None,
            "remainingBudget": None,
            "maxCharge": None,
        },
        "advertiser": {"spendToday": {"amountMicros": "0", "currency": "EUR"}},
    }
    reason = gql(
        client,
        "query($id: ID!) { campaign(id: $id) { pacing { reason } } }",
        {"id": world.globex.campaign},
        token=world.tokens["ADMIN"],
    )["data"]["campaign"]["pacing"]["reason"]
    assert "next pacing tick" in reason


def test_other_tenants_pacing_is_out_of_reach(
    client: TestClient, session: Session, settings: Settings, world: World
) -> None:
    recompute_shard(session, slot=_slot(), shard=0, shards=1, settings=settings)
    token = world.tokens["ADVERTISER"]  # scoped to Acme

    body = gql(client, PACING, {"id": world.globex.campaign}, token=token)
    spend = gql(
        client,
        "query($id: ID!) { advertiser(id: $id) { spendToday { amountMicros } } }",
        {"id": world.globex.advertiser},
        token=token,
    )

    assert body["data"]["campaign"] is None
    assert spend["data"]["advertiser"] is None


def test_a_lifetime_campaign_gets_its_days_allowance_and_its_rule(
    client: TestClient, session: Session, settings: Settings, world: World
) -> None:
    lifetime = factories.campaign(
        session,
        world.acme.advertiser_pk,
        budget_type=BudgetType.LIFETIME,
        budget_micros=3_000_000_000,
        end_at=datetime(2027, 1, 1, tzinfo=UTC),
    )
    slot = _slot()
    recompute_shard(session, slot=slot, shard=0, shards=1, settings=settings)

    body = gql(
        client, PACING, {"id": global_id("Campaign", lifetime.id)}, token=world.tokens["ADMIN"]
    )

    pacing = body["data"]["campaign"]["pacing"]
    assert 0 < int(pacing["dayBudget"]["amountMicros"]) < 3_000_000_000
    assert pacing["budgetRule"] == describe(rule_for(BudgetType.LIFETIME))


LIST = """
query List($id: ID!, $first: Int!) {
  advertiser(id: $id) {
    spendToday { amountMicros }
    campaigns(first: $first) {
      nodes { name pacing { status throttleRate spentToday { amountMicros } } }
    }
  }
}
"""


def _statements(client: TestClient, variables: dict[str, Any], token: str) -> tuple[int, Any]:
    engine = client.app.state.engine.sync_engine  # type: ignore[attr-defined]
    seen: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        body = gql(client, LIST, variables, token=token)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert "errors" not in body, body
    return len(seen), body


def test_pacing_of_a_page_of_campaigns_is_one_query(
    client: TestClient, session: Session, settings: Settings, admin_token: str
) -> None:
    advertiser = factories.advertiser(session)
    for i in range(12):
        factories.campaign(session, advertiser.id, name=f"Campaign {i}")
    recompute_shard(session, slot=_slot(), shard=0, shards=1, settings=settings)
    variables = {"id": global_id("Advertiser", advertiser.id)}
    _statements(client, {**variables, "first": 1}, admin_token)  # token last-used write

    two, _ = _statements(client, {**variables, "first": 2}, admin_token)
    twelve, body = _statements(client, {**variables, "first": 12}, admin_token)

    nodes = body["data"]["advertiser"]["campaigns"]["nodes"]
    assert len(nodes) == 12
    assert all(n["pacing"]["spentToday"] == {"amountMicros": "0"} for n in nodes)
    assert two == twelve


def test_the_schema_states_our_budget_rule() -> None:
    """The SDL's prose must follow the rule data (ads/campaigns/budget_rules.py)."""
    schema = build_schema()
    pacing_type = schema.type_map["CampaignPacing"]
    text = " ".join(
        [
            pacing_type.description or "",
            schema.type_map["Campaign"].fields["pacing"].description or "",  # type: ignore[attr-defined]
            schema.type_map["Advertiser"].fields["spendToday"].description or "",  # type: ignore[attr-defined]
        ]
    )
    for rule in BUDGET_RULES.values():
        assert rule.charged_overdelivery_fraction == 0, (
            "update the SDL: some overdelivery is charged"
        )
        assert f"at most {rule.delivered_overdelivery_fraction * 100:g}%" in text
    assert "none of it is charged" in text
    assert "credited" in text
