"""Invoices (DRAFT → ISSUED → reissued), adjustments, stats and reconciliation over GraphQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from ads.api.ids import global_id
from ads.audit.models import AuditEntry
from ads.auth.roles import Role
from ads.billing.domain.invoice_rules import InvoiceStatus
from ads.billing.invoices import refresh_invoices
from ads.billing.models import Invoice
from tests.billing.fixtures import ALLOWANCE, Send, gql, make_account, run_billing, token

ADJUST = """mutation($input: CreateBillingAdjustmentInput!) {
  createBillingAdjustment(input: $input) {
  ledgerEntry { kind amount { amountMicros currency } reason createdBy }
  userErrors { field code message } } }"""
READ = """query($id: ID!) { advertiser(id: $id) { ... on Advertiser {
  stats(from: "2026-11-09", to: "2026-11-12") { period impressions delivered { amountMicros }
    billable { amountMicros } overdelivery { amountMicros } closed }
  invoices(first: 10) { nodes { version status total { amount } roundingResidue { amountMicros }
    lines { description amount { amount } exact { amountMicros } } } }
  ledger(first: 10, from: "2026-11-01", to: "2026-11-30") {
    totalCount nodes { kind amount { amountMicros } } } } } }"""
RECONCILE = """{ reconciliation(from: "2026-11-01", to: "2026-11-30") {
  balanced rowsChecked differences { day differences }
  pending { day pendingMicros pending } } }"""


def test_invoice_is_draft_then_issued_then_reissued_by_an_adjustment(
    session: Session, send: Send, client: TestClient
) -> None:
    acct = make_account(
        session, currency="JPY", timezone="Asia/Tokyo", budgets=(1_000_000_000, 1_000_000_000)
    )
    t = datetime(2026, 11, 10, 3, tzinfo=UTC)
    send(acct.ad_ids[0], t, 1_500_000)  # ¥1.5 → ¥2 on the invoice
    send(acct.ad_ids[1], t, 1_499_999)  # → ¥1
    run_billing(session, datetime(2026, 11, 20, tzinfo=UTC))
    [draft] = session.scalars(select(Invoice)).all()
    assert draft.status is InvoiceStatus.DRAFT
    assert (draft.total_micros, draft.residue_micros) == (3_000_000, -1)
    refresh_invoices(session, now=datetime(2026, 12, 1, tzinfo=UTC), allowance_seconds=ALLOWANCE)
    issued = session.scalars(select(Invoice).order_by(Invoice.version.desc())).first()
    assert issued is not None
    assert (issued.version, issued.status) == (2, InvoiceStatus.ISSUED)

    finance = token(session, Role.FINANCE)
    advertiser_token = token(session, Role.ADVERTISER, acct.advertiser_id)
    adv_id = global_id("Advertiser", acct.advertiser_id)
    adjustment = {
        "advertiserId": adv_id,
        "day": "2026-11-10",
        "amountMicros": "-1000000",
        "reason": "goodwill credit",
    }
    refused = gql(client, advertiser_token, ADJUST, input=adjustment)["createBillingAdjustment"]
    assert refused["userErrors"][0]["code"] == "FORBIDDEN"
    fraction = gql(client, finance, ADJUST, input={**adjustment, "amountMicros": "-1500"})
    assert fraction["createBillingAdjustment"]["userErrors"][0]["code"] == "INVALID_MONEY"
    made = gql(client, finance, ADJUST, input=adjustment)["createBillingAdjustment"]
    assert made["userErrors"] == []
    assert made["ledgerEntry"]["amount"] == {"amountMicros": "-1000000", "currency": "JPY"}
    audit = session.scalars(select(AuditEntry).where(AuditEntry.entity_type == "LedgerEntry"))
    assert [(a.after or {}).get("reason") for a in audit] == ["goodwill credit"]

    data: Any = gql(client, advertiser_token, READ, id=adv_id)["advertiser"]
    [latest] = data["invoices"]["nodes"]
    assert (latest["version"], latest["status"], latest["total"]["amount"]) == (3, "ISSUED", "2")
    assert [line["amount"]["amount"] for line in latest["lines"]] == ["2", "1", "-1"]
    assert latest["lines"][-1]["description"] == "Account adjustments"
    day = next(p for p in data["stats"] if p["period"] == "2026-11-10")
    assert day["delivered"]["amountMicros"] == "2999999"
    assert day["billable"]["amountMicros"] == "2999999"
    assert day["closed"] is True
    assert len(data["ledger"]["nodes"]) == data["ledger"]["totalCount"] == 3
    other = make_account(session, timezone="UTC")
    outsider = token(session, Role.ADVERTISER, other.advertiser_id)
    assert gql(client, outsider, READ, id=adv_id)["advertiser"] is None
    report = gql(client, finance, RECONCILE)["reconciliation"]
    assert report == {"balanced": True, "rowsChecked": 2, "differences": [], "pending": []}


DELIVERED_AT = datetime(2026, 11, 10, 15, tzinfo=UTC)


def _reconcile_after_a_late_event(
    session: Session, send: Send, client: TestClient, *, received: datetime
) -> dict[str, Any]:
    """A billed day, then one more 5-micro event of that day received at `received`."""
    acct = make_account(session)
    send(acct.ad_ids[0], DELIVERED_AT, 1_000_000)
    run_billing(session, datetime(2026, 11, 12, tzinfo=UTC))
    send(acct.ad_ids[0], DELIVERED_AT + timedelta(minutes=1), 5, received=received)
    report: dict[str, Any] = gql(client, token(session, Role.FINANCE), RECONCILE)["reconciliation"]
    return report


def test_reconciliation_lists_an_event_the_aggregates_missed(
    session: Session, send: Send, client: TestClient
) -> None:
    # Recorded as received before the watermark, yet aggregation never saw it: what a
    # lost write would look like, and what reconciliation exists to catch.
    report = _reconcile_after_a_late_event(
        session, send, client, received=DELIVERED_AT + timedelta(minutes=2)
    )
    assert report["balanced"] is False
    assert report["differences"] == [
        {"day": "2026-11-10", "differences": ["AGGREGATES_DIFFER_FROM_EVENTS"]}
    ]
    assert report["pending"] == []


def test_events_awaiting_aggregation_are_pending_not_differences(
    session: Session, send: Send, client: TestClient
) -> None:
    # Received after the aggregation watermark: the next billing run will take it.
    report = _reconcile_after_a_late_event(
        session, send, client, received=datetime(2026, 11, 12, 1, tzinfo=UTC)
    )
    assert report["balanced"] is True
    assert report["pending"] == [{"day": "2026-11-10", "pendingMicros": "5", "pending": True}]
    run_billing(session, datetime(2026, 11, 13, tzinfo=UTC))
    after = gql(client, token(session, Role.FINANCE), RECONCILE)["reconciliation"]
    assert after["balanced"] is True
    assert after["pending"] == []
