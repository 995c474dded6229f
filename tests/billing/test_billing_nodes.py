"""Ledger and invoices as Relay connections; ledger entries, invoices and exports as nodes."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from ads.api.ids import global_id
from ads.auth.roles import Role
from ads.billing.invoices import refresh_invoices
from ads.billing.models import Invoice, LedgerEntry
from tests import factories
from tests.billing.fixtures import ALLOWANCE, Account, Send, make_account, run_billing, token

LEDGER = """query($id: ID!, $first: Int, $after: String, $last: Int, $before: String,
  $from: Date, $to: Date) { advertiser(id: $id) { ledger(first: $first, after: $after,
  last: $last, before: $before, from: $from, to: $to) { totalCount
  edges { cursor node { id day amount { amountMicros } } }
  pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } } }"""
INVOICES = """query($id: ID!, $all: Boolean) { advertiser(id: $id) {
  invoices(last: 10, allVersions: $all) { totalCount nodes { id version status
    lines { amount { amountMicros } } } } } }"""
NODE = """query($id: ID!) { node(id: $id) { id __typename
  ... on LedgerEntry { kind amount { amountMicros } }
  ... on Invoice { version lines { exact { amountMicros } } }
  ... on BillingExport { status from to } } }"""


def post(client: TestClient, headers: dict[str, str], query: str, **variables: Any) -> Any:
    body = {"query": query, "variables": variables}
    return client.post("/graphql", json=body, headers=headers).json()


@pytest.fixture
def five_days(session: Session, send: Send) -> Account:
    """An advertiser with one charge on each of five days, and a second month version."""
    acct = make_account(session, timezone="UTC")
    for i in range(5):
        send(acct.ad_ids[0], datetime(2026, 11, 10 + i, 12, tzinfo=UTC), 1_000_000 * (i + 1))
    run_billing(session, datetime(2026, 11, 20, tzinfo=UTC))
    refresh_invoices(session, now=datetime(2026, 12, 2, tzinfo=UTC), allowance_seconds=ALLOWANCE)
    return acct


def test_the_ledger_pages_forward_and_backward(
    session: Session, client: TestClient, five_days: Account
) -> None:
    headers = token(session, Role.ADVERTISER, five_days.advertiser_id)
    adv = global_id("Advertiser", five_days.advertiser_id)
    first = post(client, headers, LEDGER, id=adv, first=2)["data"]["advertiser"]["ledger"]
    assert first["totalCount"] == 5
    assert [e["node"]["day"] for e in first["edges"]] == ["2026-11-10", "2026-11-11"]
    assert first["pageInfo"]["hasNextPage"] is True
    assert first["pageInfo"]["hasPreviousPage"] is False
    after = first["pageInfo"]["endCursor"]
    second = post(client, headers, LEDGER, id=adv, first=2, after=after)
    page = second["data"]["advertiser"]["ledger"]
    assert [e["node"]["day"] for e in page["edges"]] == ["2026-11-12", "2026-11-13"]
    last = post(client, headers, LEDGER, id=adv, last=2)["data"]["advertiser"]["ledger"]
    assert [e["node"]["amount"]["amountMicros"] for e in last["edges"]] == ["4000000", "5000000"]
    assert (last["pageInfo"]["hasPreviousPage"], last["pageInfo"]["hasNextPage"]) == (True, False)
    before = last["pageInfo"]["startCursor"]
    back = post(client, headers, LEDGER, id=adv, last=10, before=before)
    assert len(back["data"]["advertiser"]["ledger"]["edges"]) == 3
    days = {"from": "2026-11-11", "to": "2026-11-12"}
    window = post(client, headers, LEDGER, id=adv, first=10, **days)
    assert window["data"]["advertiser"]["ledger"]["totalCount"] == 2
    too_big = post(client, headers, LEDGER, id=adv, first=101)
    assert too_big["errors"][0]["extensions"]["code"] == "PAGE_SIZE_LIMIT"


def test_invoices_list_the_latest_version_unless_all_are_asked(
    session: Session, client: TestClient, five_days: Account
) -> None:
    headers = token(session, Role.FINANCE)
    adv = global_id("Advertiser", five_days.advertiser_id)
    latest = post(client, headers, INVOICES, id=adv)["data"]["advertiser"]["invoices"]
    assert latest["totalCount"] == 1
    [invoice] = latest["nodes"]
    assert (invoice["version"], invoice["status"]) == (2, "ISSUED")
    assert invoice["lines"] == [{"amount": {"amountMicros": "15000000"}}]
    every = post(client, headers, INVOICES, id=adv, all=True)["data"]["advertiser"]["invoices"]
    assert [i["version"] for i in every["nodes"]] == [1, 2]


def test_billing_nodes_are_found_by_their_owner_and_not_by_another_tenant(
    session: Session, client: TestClient, five_days: Account
) -> None:
    entry = session.scalars(select(LedgerEntry).order_by(LedgerEntry.id)).first()
    invoice = session.scalars(select(Invoice).order_by(Invoice.id)).first()
    assert entry is not None
    assert invoice is not None
    closed = {"date_to": date(2026, 11, 15), "allow_open_period": False}
    export = factories.export(
        session, advertiser_ids=[five_days.advertiser_id], allowance_seconds=ALLOWANCE, **closed
    )
    everyone = factories.export(session, allowance_seconds=ALLOWANCE, **closed)
    ids = {
        "LedgerEntry": global_id("LedgerEntry", entry.id),
        "Invoice": global_id("Invoice", invoice.id),
        "BillingExport": global_id("BillingExport", export.id),
    }
    owner = token(session, Role.ADVERTISER, five_days.advertiser_id)
    outsider = token(session, Role.ADVERTISER, make_account(session).advertiser_id)
    for type_name, value in ids.items():
        found = post(client, owner, NODE, id=value)["data"]["node"]
        assert (found["__typename"], found["id"]) == (type_name, value)
        assert post(client, outsider, NODE, id=value)["data"] == {"node": None}
    shown = post(client, owner, NODE, id=ids["Invoice"])["data"]["node"]
    assert shown["lines"] == [{"exact": {"amountMicros": "15000000"}}]
    # An all-advertisers export is FINANCE's and ADMIN's only.
    all_id = global_id("BillingExport", everyone.id)
    assert post(client, owner, NODE, id=all_id)["data"] == {"node": None}
    finance = token(session, Role.FINANCE)
    assert post(client, finance, NODE, id=all_id)["data"]["node"]["id"] == all_id


NESTED = """{ advertisers(first: 10) { nodes {
  ledger(first: 2, from: "2026-11-11") { totalCount nodes { day } }
  invoices(first: 5) { nodes { version lines { exact { amountMicros } } } } } } }"""


def test_ledger_and_invoices_of_many_advertisers_load_in_batches(
    session: Session, client: TestClient, five_days: Account, send: Send
) -> None:
    other = make_account(session, timezone="UTC")
    received = datetime(2026, 11, 20, 1, tzinfo=UTC)  # after the first run's watermark
    send(other.ad_ids[0], datetime(2026, 11, 14, 12, tzinfo=UTC), 9_000_000, received=received)
    run_billing(session, datetime(2026, 11, 21, tzinfo=UTC))
    body = post(client, token(session, Role.FINANCE), NESTED)
    assert "errors" not in body, body
    first, second = body["data"]["advertisers"]["nodes"]
    assert first["ledger"]["totalCount"] == 4
    assert [n["day"] for n in first["ledger"]["nodes"]] == ["2026-11-11", "2026-11-12"]
    assert second["ledger"] == {"totalCount": 1, "nodes": [{"day": "2026-11-14"}]}
    assert [i["version"] for i in first["invoices"]["nodes"]] == [2]
    assert second["invoices"]["nodes"][0]["lines"] == [{"exact": {"amountMicros": "9000000"}}]
