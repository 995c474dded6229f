"""Text that a database cannot store (NUL, unpaired surrogates) is a userError on both."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from ads.audit.models import AuditEntry
from tests.api.conftest import World

BAD_TEXTS = ["Acme\x00 Corp", "Acme \ud800 Corp"]


def _cases(world: World) -> list[tuple[str, str, dict[str, Any], list[str]]]:
    """(mutation, its payload's object field, input, the field path of the bad text)."""
    return [
        (
            "createAdvertiser",
            "advertiser",
            {"name": "{bad}", "currency": "USD", "timezone": "UTC"},
            ["input", "name"],
        ),
        (
            "updateAdvertiser",
            "advertiser",
            {"id": world.acme.advertiser, "name": "{bad}"},
            ["input", "name"],
        ),
        (
            "updateCampaign",
            "campaign",
            {"id": world.acme.campaign, "name": "{bad}"},
            ["input", "name"],
        ),
        (
            "createAdGroup",
            "adGroup",
            {
                "campaignId": world.acme.campaign,
                "name": "All",
                "bidMicros": "1000000",
                "billingEvent": "CLICK",
                "targeting": {"geo": ["{bad}"]},
            },
            ["input", "targeting"],
        ),
        (
            "updateAdGroup",
            "adGroup",
            {"id": world.acme.ad_group, "name": "{bad}"},
            ["input", "name"],
        ),
        (
            "createAd",
            "ad",
            {
                "adGroupId": world.acme.ad_group,
                "name": "Hero",
                "creativeUrl": "https://cdn.example.com/{bad}.png",
                "destinationUrl": "https://example.com/",
            },
            ["input", "creativeUrl"],
        ),
        (
            "updateAd",
            "ad",
            {"id": world.acme.ad, "destinationUrl": "https://example.com/{bad}"},
            ["input", "destinationUrl"],
        ),
        (
            "createBillingAdjustment",
            "ledgerEntry",
            {
                "advertiserId": world.acme.advertiser,
                "day": "2026-11-10",
                "amountMicros": "-1000000",
                "reason": "{bad}",
            },
            ["input", "reason"],
        ),
        (
            "createPacingExperiment",
            "pacingExperiment",
            {
                "name": "{bad}",
                "candidateStrategy": "LINEAR_PROFILE",
                "allocation": 0.5,
                "startAt": "2026-12-01T00:00:00Z",
            },
            ["input", "name"],
        ),
    ]


def _gql(client: TestClient, query: str, variables: dict[str, Any], token: str) -> Any:
    """POST with `\\uXXXX` escapes, the way a JSON client sends an unpaired surrogate."""
    response = client.post(
        "/graphql",
        content=json.dumps({"query": query, "variables": variables}),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    assert response.status_code == 200, response.text
    return response.json()


def _fill(value: Any, bad: str) -> Any:
    if isinstance(value, str):
        return value.replace("{bad}", bad)
    if isinstance(value, dict):
        return {k: _fill(v, bad) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, bad) for v in value]
    return value


@pytest.mark.parametrize("bad", BAD_TEXTS, ids=["NUL", "surrogate"])
def test_unstorable_text_is_a_user_error_and_changes_nothing(
    client: TestClient, world: World, session: Session, bad: str
) -> None:
    token = world.tokens["FINANCE"]
    admin = world.tokens["ADMIN"]
    for name, field, input_, path in _cases(world):
        audits = session.scalar(select(func.count()).select_from(AuditEntry))
        kind = name[0].upper() + name[1:]
        query = f"""mutation($input: {kind}Input!) {{ {name}(input: $input) {{
            {field} {{ id }} userErrors {{ field code }} }} }}"""
        caller = token if name == "createBillingAdjustment" else admin
        body = _gql(client, query, {"input": _fill(input_, bad)}, caller)
        assert "errors" not in body, (name, body)
        payload = body["data"][name]
        assert payload[field] is None, name
        assert payload["userErrors"] == [{"field": path, "code": "INVALID_CHARACTER"}], name
        session.expire_all()
        assert session.scalar(select(func.count()).select_from(AuditEntry)) == audits, name


@pytest.mark.parametrize("bad", BAD_TEXTS, ids=["NUL", "surrogate"])
def test_a_name_filter_with_unstorable_text_matches_nothing(
    client: TestClient, world: World, bad: str
) -> None:
    query = """query($q: String, $id: ID!) { advertisers(first: 5, nameContains: $q) {
      totalCount } advertiser: node(id: $id) { ... on Advertiser {
        campaigns(first: 5, nameContains: $q) { totalCount } } } }"""
    body = _gql(client, query, {"q": bad, "id": world.acme.advertiser}, world.tokens["ADMIN"])
    assert "errors" not in body, body
    assert body["data"] == {
        "advertisers": {"totalCount": 0},
        "advertiser": {"campaigns": {"totalCount": 0}},
    }
