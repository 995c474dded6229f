"""Mutations through /graphql: success, userErrors that change nothing, versions, history."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from ads.audit.models import AuditEntry
from ads.campaigns.models import Campaign
from tests.api.conftest import World, gql

CREATE_CAMPAIGN = """mutation($input: CreateCampaignInput!) { createCampaign(input: $input) {
  campaign { id name status budgetType budget { amountMicros amount currency } endAt version }
  userErrors { field message code } clientMutationId } }"""
UPDATE_CAMPAIGN = """mutation($input: UpdateCampaignInput!) { updateCampaign(input: $input) {
  campaign { id status budget { amountMicros } version endAt }
  userErrors { field message code } } }"""
HISTORY = """query($id: ID!) { campaign(id: $id) { changeHistory(first: 10) { totalCount
  nodes { actor action subjectType subjectId occurredAt changes { field from to } } } } }"""


def _campaign_input(world: World, **overrides: Any) -> dict[str, Any]:
    return {
        "advertiserId": world.acme.advertiser,
        "name": "Holiday",
        "objective": "TRAFFIC",
        "startAt": "2026-12-01T00:00:00-05:00",
        "budgetType": "DAILY",
        "budgetMicros": "25000000",
        **overrides,
    }


def _snapshot(session: Session) -> tuple[int, int, list[tuple[Any, ...]]]:
    session.expire_all()
    campaigns = session.execute(
        select(
            Campaign.id, Campaign.name, Campaign.status, Campaign.budget_micros, Campaign.version
        ).order_by(Campaign.id)
    ).all()
    audits = session.scalar(select(func.count()).select_from(AuditEntry)) or 0
    return len(campaigns), audits, [tuple(row) for row in campaigns]


def test_create_campaign_returns_it_with_exact_money(client: TestClient, world: World) -> None:
    variables = {
        "input": _campaign_input(world, budgetMicros=9_007_199_254_740_993, clientMutationId="abc")
    }
    body = gql(client, CREATE_CAMPAIGN, variables, token=world.tokens["ADMIN"])
    payload = body["data"]["createCampaign"]
    assert payload["userErrors"] == []
    assert payload["clientMutationId"] == "abc"
    created = payload["campaign"]
    assert created["budget"] == {
        "amountMicros": "9007199254740993",  # above 2**53: exact only as a string
        "amount": "9007199254.740993",
        "currency": "USD",
    }
    assert created["status"] == "DRAFT"
    assert created["version"] == 1


@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        ({"budgetMicros": "-5"}, ["input", "budgetMicros"], "NEGATIVE_MONEY"),
        ({"budgetMicros": 0}, ["input", "budgetMicros"], "ZERO_BUDGET"),
        ({"budgetType": "LIFETIME"}, ["input", "endAt"], "LIFETIME_NEEDS_END"),
        ({"endAt": "2026-11-30T00:00:00Z"}, ["input", "endAt"], "END_BEFORE_START"),
        ({"name": "x" * 201}, ["input", "name"], "TOO_LONG"),
        ({"name": "   "}, ["input", "name"], "BLANK"),
        ({"status": "ARCHIVED"}, ["input", "status"], "INVALID_TRANSITION"),
        ({"advertiserId": "garbage"}, ["input", "advertiserId"], "INVALID_ID"),
    ],
)
def test_refused_creates_are_user_errors_and_change_nothing(
    client: TestClient, session: Session, world: World, overrides: dict, field: list, code: str
) -> None:
    before = _snapshot(session)
    body = gql(
        client,
        CREATE_CAMPAIGN,
        {"input": _campaign_input(world, **overrides)},
        token=world.tokens["ADMIN"],
    )
    payload = body["data"]["createCampaign"]
    assert payload["campaign"] is None
    assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [(field, code)]
    assert payload["userErrors"][0]["message"]
    assert _snapshot(session) == before


@pytest.mark.parametrize(
    ("value", "fragment"),
    [("12.5", "micros"), (12.5, "micros"), ("1e9", "micros"), (2**70, "64 bits")],
)
def test_malformed_money_is_refused_before_anything_runs(
    client: TestClient, session: Session, world: World, value: Any, fragment: str
) -> None:
    before = _snapshot(session)
    response = client.post(
        "/graphql",
        json={
            "query": CREATE_CAMPAIGN,
            "variables": {"input": _campaign_input(world, budgetMicros=value)},
        },
        headers={"Authorization": f"Bearer {world.tokens['ADMIN']}"},
    )
    body = response.json()
    assert "data" not in body
    assert fragment in body["errors"][0]["message"]
    assert _snapshot(session) == before


def test_naive_datetimes_are_refused(client: TestClient, world: World) -> None:
    body = gql(
        client,
        CREATE_CAMPAIGN,
        {"input": _campaign_input(world, startAt="2026-12-01T00:00:00")},
        token=world.tokens["ADMIN"],
    )
    assert "timezone" in body["errors"][0]["message"]


def test_update_budget_and_status_with_versions_and_history(
    client: TestClient, session: Session, world: World
) -> None:
    token, campaign = world.tokens["ADVERTISER"], world.acme.campaign
    first = gql(
        client,
        UPDATE_CAMPAIGN,
        {
            "input": {
                "id": campaign,
                "expectedVersion": 1,
                "budgetMicros": "150000000",
                "status": "PAUSED",
            }
        },
        token=token,
    )["data"]["updateCampaign"]
    assert first["userErrors"] == []
    assert first["campaign"]["budget"]["amountMicros"] == "150000000"
    assert first["campaign"]["status"] == "PAUSED"
    assert first["campaign"]["version"] == 2

    before = _snapshot(session)
    stale = gql(
        client,
        UPDATE_CAMPAIGN,
        {"input": {"id": campaign, "expectedVersion": 1, "budgetMicros": "1000000"}},
        token=token,
    )["data"]["updateCampaign"]
    assert stale["campaign"] is None
    assert stale["userErrors"] == [
        {
            "field": ["input", "expectedVersion"],
            "code": "STALE_VERSION",
            "message": stale["userErrors"][0]["message"],
        }
    ]
    illegal = gql(
        client, UPDATE_CAMPAIGN, {"input": {"id": campaign, "status": "DRAFT"}}, token=token
    )["data"]["updateCampaign"]
    assert illegal["userErrors"][0]["code"] == "INVALID_TRANSITION"
    null_name = gql(
        client, UPDATE_CAMPAIGN, {"input": {"id": campaign, "name": None}}, token=token
    )["data"]["updateCampaign"]
    assert null_name["userErrors"][0] == {
        "field": ["input", "name"],
        "code": "NULL",
        "message": "name cannot be null",
    }
    assert _snapshot(session) == before

    history = gql(client, HISTORY, {"id": campaign}, token=token)["data"]["campaign"]
    events = history["changeHistory"]["nodes"]
    assert history["changeHistory"]["totalCount"] == 2
    assert [e["action"] for e in events] == ["CREATE", "UPDATE"]
    update = events[1]
    assert update["subjectType"] == "CAMPAIGN"
    assert update["subjectId"] == campaign
    assert update["actor"].startswith("token:")
    assert update["occurredAt"].endswith("Z")
    assert sorted(update["changes"], key=lambda c: c["field"]) == [
        {"field": "budgetMicros", "from": "100000000", "to": "150000000"},
        {"field": "status", "from": "ACTIVE", "to": "PAUSED"},
    ]


def test_end_at_can_be_cleared_with_null(client: TestClient, world: World) -> None:
    token = world.tokens["ADMIN"]
    set_end = gql(
        client,
        UPDATE_CAMPAIGN,
        {"input": {"id": world.acme.campaign, "endAt": "2027-01-01T00:00:00+01:00"}},
        token=token,
    )
    assert set_end["data"]["updateCampaign"]["campaign"]["endAt"] == "2026-12-31T23:00:00Z"
    cleared = gql(
        client, UPDATE_CAMPAIGN, {"input": {"id": world.acme.campaign, "endAt": None}}, token=token
    )
    assert cleared["data"]["updateCampaign"]["campaign"]["endAt"] is None


def test_advertiser_ad_group_and_ad_mutations(client: TestClient, world: World) -> None:
    token = world.tokens["ADMIN"]
    created = gql(
        client,
        """mutation { createAdvertiser(input: {name: "Initech",
        currency: "JPY", timezone: "Asia/Tokyo", spendLimitMicros: 5000000000}) {
        advertiser { id name currency spendLimit { amount currency } } userErrors { code } } }""",
        token=token,
    )["data"]["createAdvertiser"]
    assert created["userErrors"] == []
    assert created["advertiser"]["spendLimit"] == {"amount": "5000", "currency": "JPY"}
    advertiser_id = created["advertiser"]["id"]
    renamed = gql(
        client,
        """mutation($id: ID!) { updateAdvertiser(input: {id: $id,
        name: "Initech Ltd", spendLimitMicros: null, expectedVersion: 1}) {
        advertiser { name spendLimit { amount } version } userErrors { code } } }""",
        {"id": advertiser_id},
        token=token,
    )["data"]["updateAdvertiser"]
    assert renamed["advertiser"] == {"name": "Initech Ltd", "spendLimit": None, "version": 2}
    bad_currency = gql(
        client,
        """mutation($id: ID!) { updateAdvertiser(input: {id: $id,
        currency: "XXX"}) { userErrors { code } } }""",
        {"id": advertiser_id},
        token=token,
    )
    assert "currency" in bad_currency["errors"][0]["message"]

    group = gql(
        client,
        """mutation($c: ID!) { createAdGroup(input: {campaignId: $c,
        name: "Retargeting", bidMicros: "3000000", billingEvent: CLICK,
        targeting: {geo: ["US"]}}) { adGroup { id bid { amount } billingEvent targeting }
        userErrors { code } } }""",
        {"c": world.acme.campaign},
        token=token,
    )["data"]["createAdGroup"]
    assert group["adGroup"]["bid"] == {"amount": "3.00"}
    assert group["adGroup"]["targeting"] == {"geo": ["US"]}
    capped = gql(
        client,
        """mutation($id: ID!) { updateAdGroup(input: {id: $id,
        budgetCapMicros: "-1"}) { adGroup { id } userErrors { field code } } }""",
        {"id": group["adGroup"]["id"]},
        token=token,
    )["data"]["updateAdGroup"]
    assert capped["userErrors"] == [
        {"field": ["input", "budgetCapMicros"], "code": "NEGATIVE_MONEY"}
    ]

    ad = gql(
        client,
        """mutation($g: ID!) { createAd(input: {adGroupId: $g, name: "Hero",
        creativeUrl: "https://cdn.example.com/h.png", destinationUrl: "ftp://nope"}) {
        ad { id } userErrors { field code } } }""",
        {"g": group["adGroup"]["id"]},
        token=token,
    )["data"]["createAd"]
    assert ad["userErrors"] == [{"field": ["input", "destinationUrl"], "code": "INVALID_URL"}]
    paused = gql(
        client,
        """mutation($id: ID!) { updateAd(input: {id: $id, status: PAUSED}) {
        ad { status version } userErrors { code } } }""",
        {"id": world.acme.ad},
        token=token,
    )["data"]["updateAd"]
    assert paused["ad"] == {"status": "PAUSED", "version": 2}


def test_advertiser_history_covers_everything_under_it(client: TestClient, world: World) -> None:
    query = """query($id: ID!) { advertiser(id: $id) { changeHistory(last: 10) {
        totalCount nodes { subjectType } } } }"""
    body = gql(client, query, {"id": world.acme.advertiser}, token=world.tokens["ADMIN"])
    history = body["data"]["advertiser"]["changeHistory"]
    assert history["totalCount"] == 4
    assert [n["subjectType"] for n in history["nodes"]] == [
        "ADVERTISER",
        "CAMPAIGN",
        "AD_GROUP",
        "AD",
    ]
