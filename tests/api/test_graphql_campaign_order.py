"""Advertiser.campaigns(orderBy:): sorted by the database, paged both ways with cursors."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from ads.api.ids import global_id
from ads.auth.principal import CLI_PRINCIPAL
from ads.campaigns.models import Campaign
from ads.campaigns.service import update_campaign
from tests import factories
from tests.api.conftest import gql

PAGE = """
query Page($id: ID!, $first: Int, $after: String, $last: Int, $before: String,
           $orderBy: CampaignOrder) {
  advertiser(id: $id) {
    campaigns(first: $first, after: $after, last: $last, before: $before, orderBy: $orderBy) {
      totalCount
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      edges { cursor node { name budget { amountMicros } } }
    }
  }
}
"""
#: Created in this order; ties in budget on purpose.
CAMPAIGNS = [("delta", 30), ("alpha", 10), ("echo", 20), ("bravo", 30), ("charlie", 10)]


@pytest.fixture
def campaign_ids(session: Session) -> dict[str, int]:
    owner = factories.advertiser(session, name="Sorted")
    return {
        name: factories.campaign(session, owner.id, name=name, budget_micros=budget * 10**6).id
        for name, budget in CAMPAIGNS
    }


@pytest.fixture
def advertiser(session: Session, campaign_ids: dict[str, int]) -> str:
    return global_id("Advertiser", session.get_one(Campaign, campaign_ids["alpha"]).advertiser_id)


def _page(client: TestClient, token: str, **variables: Any) -> dict[str, Any]:
    body = gql(client, PAGE, variables, token=token)
    assert "errors" not in body, body
    return body["data"]["advertiser"]["campaigns"]  # type: ignore[no-any-return]


def _walk(client: TestClient, token: str, advertiser: str, order: dict[str, str]) -> list[str]:
    """Every campaign, two at a time forward, then the same backward."""
    forward: list[str] = []
    after = None
    while True:
        page = _page(client, token, id=advertiser, first=2, after=after, orderBy=order)
        forward += [e["node"]["name"] for e in page["edges"]]
        assert page["pageInfo"]["hasPreviousPage"] is (after is not None)
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    backward: list[str] = []
    before = None
    while True:
        page = _page(client, token, id=advertiser, last=2, before=before, orderBy=order)
        backward = [e["node"]["name"] for e in page["edges"]] + backward
        if not page["pageInfo"]["hasPreviousPage"]:
            break
        before = page["pageInfo"]["startCursor"]
    assert backward == forward
    return forward


@pytest.mark.parametrize(
    ("order", "expected"),
    [
        (None, ["delta", "alpha", "echo", "bravo", "charlie"]),
        (
            {"field": "CREATED_AT", "direction": "DESC"},
            ["charlie", "bravo", "echo", "alpha", "delta"],
        ),
        ({"field": "NAME"}, ["alpha", "bravo", "charlie", "delta", "echo"]),
        ({"field": "NAME", "direction": "DESC"}, ["echo", "delta", "charlie", "bravo", "alpha"]),
        ({"field": "BUDGET"}, ["alpha", "charlie", "echo", "delta", "bravo"]),
        ({"field": "BUDGET", "direction": "DESC"}, ["bravo", "delta", "echo", "charlie", "alpha"]),
    ],
    ids=["default", "newest", "name", "name-desc", "budget", "budget-desc"],
)
def test_campaigns_page_through_in_the_order_asked(
    client: TestClient,
    admin_token: str,
    advertiser: str,
    order: dict[str, str] | None,
    expected: list[str],
) -> None:
    assert _walk(client, admin_token, advertiser, order) == expected  # type: ignore[arg-type]


def test_updated_at_order_follows_the_latest_change(
    client: TestClient,
    admin_token: str,
    advertiser: str,
    session: Session,
    campaign_ids: dict[str, int],
) -> None:
    update_campaign(session, CLI_PRINCIPAL, campaign_ids["alpha"], {"name": "alpha2"})
    names = _walk(client, admin_token, advertiser, {"field": "UPDATED_AT", "direction": "DESC"})
    assert names[0] == "alpha2"


def test_a_cursor_from_another_order_still_pages_from_its_row(
    client: TestClient, admin_token: str, advertiser: str
) -> None:
    by_name = _page(client, admin_token, id=advertiser, first=2, orderBy={"field": "NAME"})
    bravo = by_name["edges"][1]["cursor"]
    by_budget = _page(
        client, admin_token, id=advertiser, first=5, after=bravo, orderBy={"field": "BUDGET"}
    )
    assert [e["node"]["name"] for e in by_budget["edges"]] == []  # bravo is the last by budget
    default = _page(client, admin_token, id=advertiser, first=5, after=bravo)
    assert [e["node"]["name"] for e in default["edges"]] == ["charlie"]
