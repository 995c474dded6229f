"""Invoices, stats and exports: the REST answers are the GraphQL operations' data."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from ads.api.ids import global_id
from ads.auth.roles import Role
from tests.api.rest.resources.support import as_list, graphql
from tests.billing.fixtures import Send, make_account, run_billing, token


def _token(session: Session, role: Role, *advertisers: int) -> str:
    return token(session, role, *advertisers)["Authorization"].removeprefix("Bearer ")


def test_invoices_and_stats_read_as_their_operations_for_each_tenant(
    session: Session, send: Send, client: TestClient
) -> None:
    acct = make_account(session, currency="KWD", timezone="Asia/Kuwait")
    other = make_account(session)
    send(acct.ad_ids[0], datetime(2026, 11, 10, 9, tzinfo=UTC), 1_234_567)
    send(other.ad_ids[0], datetime(2026, 11, 10, 15, tzinfo=UTC), 1_000_000)
    run_billing(session, datetime(2026, 11, 20, tzinfo=UTC))
    advertiser = global_id("Advertiser", acct.advertiser_id)
    campaign = global_id("Campaign", acct.campaign_ids[0])
    own = _token(session, Role.ADVERTISER, acct.advertiser_id)
    outsider = _token(session, Role.ADVERTISER, other.advertiser_id)
    finance = _token(session, Role.FINANCE)
    for caller in (own, finance):
        headers = {"Authorization": f"Bearer {caller}"}
        listed = client.get(f"/v1/advertisers/{acct.advertiser_id}/invoices", headers=headers)
        assert listed.status_code == 200, listed.text
        data = graphql(client, "ListInvoices", {"advertiserId": advertiser}, caller)
        assert listed.json() == as_list(data["advertiser"]["invoices"])
        (invoice,) = listed.json()["items"]
        assert invoice["total"]["amountMicros"] == "1235000"
        one = client.get(f"/v1/invoices/{invoice['databaseId']}", headers=headers)
        assert one.json() == graphql(client, "GetInvoice", {"id": invoice["id"]}, caller)["node"]
        assert client.get(invoice["pdfPath"], headers=headers).status_code == 200
        query = {"from": "2026-11-09", "to": "2026-11-11"}
        stats = client.get(f"/v1/campaigns/{campaign}/stats", params=query, headers=headers)
        expected = graphql(client, "GetCampaignStats", {"id": campaign, **query}, caller)
        assert stats.json() == expected["campaign"]["stats"]
        assert [p["impressions"] for p in stats.json()] == [0, 1, 0]
    refused = {"Authorization": f"Bearer {outsider}"}
    hidden = client.get(f"/v1/invoices/{invoice['id']}", headers=refused)
    missing = client.get(f"/v1/invoices/{global_id('Invoice', 999999)}", headers=refused)
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()
    listed = client.get(f"/v1/advertisers/{advertiser}/invoices", headers=refused)
    assert listed.status_code == 404


def test_an_export_is_requested_and_read_back_as_graphql_answers(
    session: Session, client: TestClient
) -> None:
    acct = make_account(session)
    other = make_account(session)
    finance = _token(session, Role.FINANCE)
    own = _token(session, Role.ADVERTISER, acct.advertiser_id)
    headers = {"Authorization": f"Bearer {own}"}
    body = {
        "from": "2026-11-01",
        "to": "2026-11-30",
        "advertiserIds": [acct.advertiser_id],
        "allowOpenPeriod": True,
        "format": "JSONL",
    }
    created = client.post("/v1/billing-exports", json=body, headers=headers)
    assert created.status_code == 201, created.text
    job = created.json()
    assert (job["status"], job["format"]) == ("PENDING", "JSONL")
    assert created.headers["location"] == f"/v1/billing-exports/{job['id']}"
    read = client.get(created.headers["location"], headers=headers)
    assert (
        read.json() == graphql(client, "GetBillingExport", {"id": job["id"]}, own)["billingExport"]
    )
    not_theirs = client.post(
        "/v1/billing-exports",
        json={**body, "advertiserIds": [other.advertiser_id]},
        headers=headers,
    )
    assert not_theirs.status_code == 404, not_theirs.text
    too_long = client.post(
        "/v1/billing-exports",
        json={"from": "2026-11-01", "to": "2036-11-30"},
        headers={"Authorization": f"Bearer {finance}"},
    )
    assert too_long.status_code == 422, too_long.text
    assert too_long.json()["fields"] == {
        "to": [{"code": "INVALID", "message": "an export covers at most 3660 days"}]
    }
