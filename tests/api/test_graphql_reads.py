"""Reading through /graphql: roots, nodes, connections, filters, paging, scalars."""

from __future__ import annotations

from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from ads.api.ids import global_id
from ads.campaigns.rules import BudgetType, CampaignStatus
from tests import factories
from tests.api.conftest import World, gql

CAMPAIGN_PAGE = """
query Page($id: ID!, $first: Int, $after: String, $last: Int, $before: String,
           $status: CampaignStatus, $name: String, $budgetType: BudgetType) {
  advertiser(id: $id) {
    campaigns(first: $first, after: $after, last: $last, before: $before,
              status: $status, nameContains: $name, budgetType: $budgetType) {
      totalCount
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      edges { cursor node { name } }
    }
  }
}
"""


def _names(body: dict) -> list[str]:
    return [e["node"]["name"] for e in body["data"]["advertiser"]["campaigns"]["edges"]]


def test_viewer_says_who_calls(client: TestClient, world: World) -> None:
    query = "{ viewer { role seesAllAdvertisers advertisers(first: 10) { nodes { name } } } }"
    admin = gql(client, query, token=world.tokens["ADMIN"])["data"]["viewer"]
    assert admin["role"] == "ADMIN"
    assert admin["seesAllAdvertisers"] is True
    assert [a["name"] for a in admin["advertisers"]["nodes"]] == ["Acme", "Globex"]
    scoped = gql(client, query, token=world.tokens["ADVERTISER"])["data"]["viewer"]
    assert scoped == {
        "role": "ADVERTISER",
        "seesAllAdvertisers": False,
        "advertisers": {"nodes": [{"name": "Acme"}]},
    }


def test_campaign_fields_money_and_times(client: TestClient, world: World) -> None:
    query = """query($id: ID!) { campaign(id: $id) {
        id name status objective budgetType pacingMode version startAt endAt createdAt
        budget { amountMicros amount currency }
        advertiser { name currency timezone status spendLimit { amount } }
        adGroups(first: 5) { nodes { name bid { amountMicros amount currency } budgetCap { amount }
          billingEvent targeting campaign { name }
          ads(first: 5) { nodes { name creativeUrl destinationUrl status adGroup { name } } }
        } } } }"""
    campaign = gql(client, query, {"id": world.globex.campaign}, token=world.tokens["ADMIN"])[
        "data"
    ]["campaign"]
    assert campaign["id"] == world.globex.campaign
    assert campaign["budget"] == {
        "amountMicros": "100000000",
        "amount": "100.00",
        "currency": "EUR",
    }
    assert campaign["startAt"] == "2026-11-01T00:00:00Z"
    assert campaign["endAt"] is None
    assert campaign["createdAt"].endswith("Z")
    assert campaign["advertiser"]["timezone"] == "America/New_York"
    group = campaign["adGroups"]["nodes"][0]
    assert group["bid"] == {"amountMicros": "2500000", "amount": "2.50", "currency": "EUR"}
    assert group["budgetCap"] is None
    assert group["targeting"] == {}
    assert group["campaign"]["name"] == "Globex launch"
    assert group["ads"]["nodes"][0]["adGroup"]["name"] == "Broad"


def test_node_and_nodes_resolve_every_type(client: TestClient, world: World) -> None:
    ids = [world.acme.advertiser, world.acme.campaign, world.acme.ad_group, world.acme.ad]
    query = """query($ids: [ID!]!, $id: ID!) {
        node(id: $id) { id __typename }
        nodes(ids: $ids) { id __typename } }"""
    data = gql(client, query, {"ids": ids, "id": world.acme.ad}, token=world.tokens["ADMIN"])[
        "data"
    ]
    assert data["node"] == {"id": world.acme.ad, "__typename": "Ad"}
    assert [n["__typename"] for n in data["nodes"]] == ["Advertiser", "Campaign", "AdGroup", "Ad"]
    assert [n["id"] for n in data["nodes"]] == ids


def test_unknown_ids_are_null_and_malformed_ids_are_errors(
    client: TestClient, world: World
) -> None:
    missing = global_id("Campaign", 999_999)
    body = gql(
        client,
        "query($id: ID!) { campaign(id: $id) { name } }",
        {"id": missing},
        token=world.tokens["ADMIN"],
    )
    assert body["data"] == {"campaign": None}
    assert "errors" not in body
    bad = gql(client, '{ campaign(id: "nope") { name } }', token=world.tokens["ADMIN"])
    assert bad["data"] == {"campaign": None}
    assert bad["errors"][0]["extensions"]["code"] == "INVALID_ID"
    wrong_type = gql(
        client,
        "query($id: ID!) { campaign(id: $id) { name } }",
        {"id": world.acme.advertiser},
        token=world.tokens["ADMIN"],
    )
    assert wrong_type["errors"][0]["extensions"]["code"] == "INVALID_ID"


def test_connections_page_forward_and_backward_in_id_order(
    client: TestClient, session: Session, world: World
) -> None:
    for i in range(4):
        factories.campaign(session, world.acme.advertiser_pk, name=f"Extra {i}")
    token = world.tokens["ADMIN"]
    first = gql(client, CAMPAIGN_PAGE, {"id": world.acme.advertiser, "first": 2}, token=token)
    connection = first["data"]["advertiser"]["campaigns"]
    assert connection["totalCount"] == 5
    assert _names(first) == ["Acme launch", "Extra 0"]
    assert connection["pageInfo"]["hasNextPage"] is True
    assert connection["pageInfo"]["hasPreviousPage"] is False
    after = connection["pageInfo"]["endCursor"]
    second = gql(
        client,
        CAMPAIGN_PAGE,
        {"id": world.acme.advertiser, "first": 3, "after": after},
        token=token,
    )
    assert _names(second) == ["Extra 1", "Extra 2", "Extra 3"]
    info = second["data"]["advertiser"]["campaigns"]["pageInfo"]
    assert info == {**info, "hasNextPage": False, "hasPreviousPage": True}
    last = gql(client, CAMPAIGN_PAGE, {"id": world.acme.advertiser, "last": 2}, token=token)
    assert _names(last) == ["Extra 2", "Extra 3"]
    assert last["data"]["advertiser"]["campaigns"]["pageInfo"]["hasPreviousPage"] is True
    before = last["data"]["advertiser"]["campaigns"]["pageInfo"]["startCursor"]
    earlier = gql(
        client,
        CAMPAIGN_PAGE,
        {"id": world.acme.advertiser, "last": 10, "before": before},
        token=token,
    )
    assert _names(earlier) == ["Acme launch", "Extra 0", "Extra 1"]
    assert earlier["data"]["advertiser"]["campaigns"]["pageInfo"]["hasPreviousPage"] is False


def test_campaign_filters(client: TestClient, session: Session, world: World) -> None:
    pk = world.acme.advertiser_pk
    factories.campaign(session, pk, name="Summer 100%_sale", status=CampaignStatus.PAUSED)
    factories.campaign(session, pk, name="Lifetime push", budget_type=BudgetType.LIFETIME)
    token, variables = world.tokens["ADMIN"], {"id": world.acme.advertiser, "first": 10}
    paused = gql(client, CAMPAIGN_PAGE, {**variables, "status": "PAUSED"}, token=token)
    assert _names(paused) == ["Summer 100%_sale"]
    literal = gql(client, CAMPAIGN_PAGE, {**variables, "name": "0%_S"}, token=token)
    assert _names(literal) == ["Summer 100%_sale"]
    assert _names(gql(client, CAMPAIGN_PAGE, {**variables, "name": "%"}, token=token)) == [
        "Summer 100%_sale"
    ]
    lifetime = gql(client, CAMPAIGN_PAGE, {**variables, "budgetType": "LIFETIME"}, token=token)
    assert _names(lifetime) == ["Lifetime push"]
    assert lifetime["data"]["advertiser"]["campaigns"]["totalCount"] == 1


def test_advertisers_root_filters_and_counts(client: TestClient, world: World) -> None:
    query = """query($name: String) { advertisers(first: 10, nameContains: $name) {
        totalCount nodes { name } } }"""
    body = gql(client, query, {"name": "glob"}, token=world.tokens["FINANCE"])
    assert body["data"]["advertisers"] == {"totalCount": 1, "nodes": [{"name": "Globex"}]}


def test_page_size_is_capped_with_a_clear_error(client: TestClient, world: World) -> None:
    body = gql(
        client,
        CAMPAIGN_PAGE,
        {"id": world.acme.advertiser, "first": 101},
        token=world.tokens["ADMIN"],
    )
    error = body["errors"][0]
    assert error["extensions"]["code"] == "PAGE_SIZE_LIMIT"
    assert "at most 100" in error["message"]
    both = gql(
        client,
        CAMPAIGN_PAGE,
        {"id": world.acme.advertiser, "first": 1, "last": 1},
        token=world.tokens["ADMIN"],
    )
    assert "both" in both["errors"][0]["message"]
    missing = gql(client, CAMPAIGN_PAGE, {"id": world.acme.advertiser}, token=world.tokens["ADMIN"])
    assert missing["errors"][0]["extensions"]["code"] == "PAGE_SIZE_REQUIRED"
    bad_cursor = gql(
        client,
        CAMPAIGN_PAGE,
        {"id": world.acme.advertiser, "first": 1, "after": "zzz"},
        token=world.tokens["ADMIN"],
    )
    assert bad_cursor["errors"][0]["extensions"]["code"] == "INVALID_CURSOR"


def test_total_count_alone_needs_no_page_size(client: TestClient, world: World) -> None:
    query = "query($id: ID!) { adGroup: node(id: $id) { ... on AdGroup { ads { totalCount } } } }"
    body = gql(client, query, {"id": world.acme.ad_group}, token=world.tokens["ADMIN"])
    assert body["data"]["adGroup"]["ads"]["totalCount"] == 1


def test_every_node_type_exposes_its_numeric_database_id(
    client: TestClient, session: Session, world: World
) -> None:
    """Each implementation of `Node` in the schema has `databaseId`, equal to the row's id."""
    from ads.api.schema import build_schema
    from ads.node_ids import parse_global_id

    schema = build_schema()
    node_types = [t for t in schema.type_map.values() if getattr(t, "interfaces", None)]
    implementations = {t.name for t in node_types if "Node" in {i.name for i in t.interfaces}}
    assert implementations >= {"Advertiser", "Campaign", "AdGroup", "Ad", "Invoice"}
    for name in implementations:
        assert "databaseId" in schema.type_map[name].fields, name  # type: ignore[attr-defined]
    ids = [world.acme.advertiser, world.acme.campaign, world.acme.ad_group, world.acme.ad]
    data = gql(
        client,
        "query($ids: [ID!]!) { nodes(ids: $ids) { id databaseId } }",
        {"ids": ids},
        token=world.tokens["ADMIN"],
    )["data"]
    assert [n["databaseId"] for n in data["nodes"]] == [str(parse_global_id(i)[1]) for i in ids]
    assert data["nodes"][0]["databaseId"] == str(world.acme.advertiser_pk)
