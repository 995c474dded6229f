"""The dashboard query issues a constant number of SQL statements, whatever the page size."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from ads.api.ids import global_id
from tests import factories
from tests.api.conftest import gql

pytestmark = pytest.mark.one_execution

DASHBOARD = """
query Dashboard($advertiser: ID!, $first: Int!, $after: String) {
  advertiser(id: $advertiser) {
    name
    campaigns(first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges {
        node {
          id name status budgetType
          budget { amountMicros amount currency }
          adGroups(first: 10) {
            totalCount
            nodes { id name status bid { amount } ads { totalCount } }
          }
        }
      }
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
        body = gql(client, DASHBOARD, variables, token=token)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(seen), body


def test_dashboard_statement_count_is_the_same_for_5_and_50_campaigns(
    client: TestClient, session: Session, admin_token: str
) -> None:
    advertiser = factories.advertiser(session)
    for i in range(50):
        campaign = factories.campaign(session, advertiser.id, name=f"Campaign {i}")
        for j in range(2):
            group = factories.ad_group(session, campaign.id, name=f"Group {j}")
            for _ in range(i % 3):
                factories.ad(session, group.id)
    variables = {"advertiser": global_id("Advertiser", advertiser.id)}
    _statements(client, {**variables, "first": 1}, admin_token)  # token last-used write

    five, small = _statements(client, {**variables, "first": 5}, admin_token)
    fifty, large = _statements(client, {**variables, "first": 50}, admin_token)

    edges = large["data"]["advertiser"]["campaigns"]["edges"]
    assert len(small["data"]["advertiser"]["campaigns"]["edges"]) == 5
    assert len(edges) == 50
    assert [e["node"]["adGroups"]["nodes"][0]["ads"]["totalCount"] for e in edges[:4]] == [
        0,
        1,
        2,
        0,
    ]
    assert edges[0]["node"]["budget"]["currency"] == "USD"
    assert five == fifty
    # token + its advertisers, advertiser, campaigns page + count, ad group page + count, ads count
    assert fifty <= 8
