"""The change history holds every kind of audited object, and every kind reads back."""

from __future__ import annotations

from typing import Any

from graphql import GraphQLEnumType
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from ads.api.ids import expect_id
from ads.api.schema import build_schema
from ads.audit.service import SUBJECT_TYPES
from ads.auth.roles import Role
from ads.tokens.service import create_token
from tests.api.conftest import gql

HISTORY = """query($id: ID!) { advertiser(id: $id) { changeHistory(first: 50) {
  totalCount nodes { action subjectType subjectId } } } }"""
NODE = "query($id: ID!) { node(id: $id) { __typename } }"


def _mutate(client: TestClient, token: str, name: str, fields: str, input_: dict[str, Any]) -> Any:
    kind = name[0].upper() + name[1:]
    query = f"""mutation($input: {kind}Input!) {{ {name}(input: $input) {{
        {fields} userErrors {{ field code message }} }} }}"""
    payload = gql(client, query, {"input": input_}, token=token)["data"][name]
    assert payload["userErrors"] == [], payload
    return payload


def test_one_change_of_each_kind_reads_back_for_every_role(
    client: TestClient, session: Session
) -> None:
    admin = create_token(session, role=Role.ADMIN)[1]
    finance = create_token(session, role=Role.FINANCE)[1]
    advertiser = _mutate(
        client,
        admin,
        "createAdvertiser",
        "advertiser { id }",
        {"name": "Hooli", "currency": "USD", "timezone": "America/New_York"},
    )["advertiser"]["id"]
    campaign = _mutate(
        client,
        admin,
        "createCampaign",
        "campaign { id }",
        {
            "advertiserId": advertiser,
            "name": "Launch",
            "objective": "TRAFFIC",
            "startAt": "2026-12-01T00:00:00Z",
            "budgetType": "DAILY",
            "budgetMicros": "25000000",
        },
    )["campaign"]["id"]
    group = _mutate(
        client,
        admin,
        "createAdGroup",
        "adGroup { id }",
        {"campaignId": campaign, "name": "All", "bidMicros": "2000000", "billingEvent": "CLICK"},
    )["adGroup"]["id"]
    _mutate(
        client,
        admin,
        "createAd",
        "ad { id }",
        {
            "adGroupId": group,
            "name": "Hero",
            "creativeUrl": "https://cdn.example.com/h.png",
            "destinationUrl": "https://example.com/",
        },
    )
    _mutate(client, admin, "updateCampaign", "campaign { id }", {"id": campaign, "name": "Go"})
    _mutate(
        client,
        finance,
        "createBillingAdjustment",
        "ledgerEntry { id }",
        {
            "advertiserId": advertiser,
            "day": "2026-12-02",
            "amountMicros": "-1000000",
            "reason": "goodwill credit",
        },
    )
    advertiser_pk = expect_id(advertiser, "Advertiser")
    tenant = create_token(session, role=Role.ADVERTISER, advertiser_ids=[advertiser_pk])[1]

    expected = ["ADVERTISER", "CAMPAIGN", "AD_GROUP", "AD", "CAMPAIGN", "LEDGER_ENTRY"]
    for token in (admin, finance, tenant):
        body = gql(client, HISTORY, {"id": advertiser}, token=token)
        assert "errors" not in body, body
        nodes = body["data"]["advertiser"]["changeHistory"]["nodes"]
        assert [n["subjectType"] for n in nodes] == expected
        assert [n["action"] for n in nodes] == ["CREATE"] * 4 + ["UPDATE", "CREATE"]
    typenames = {
        n["subjectType"]: gql(client, NODE, {"id": n["subjectId"]}, token=admin)["data"]["node"]
        for n in nodes
    }
    assert typenames == {
        "ADVERTISER": {"__typename": "Advertiser"},
        "CAMPAIGN": {"__typename": "Campaign"},
        "AD_GROUP": {"__typename": "AdGroup"},
        "AD": {"__typename": "Ad"},
        "LEDGER_ENTRY": {"__typename": "LedgerEntry"},
    }


def test_every_audited_kind_has_a_subject_type_in_the_schema() -> None:
    enum = build_schema().type_map["ChangeSubjectType"]
    assert isinstance(enum, GraphQLEnumType)
    assert {value.value for value in enum.values.values()} == SUBJECT_TYPES
