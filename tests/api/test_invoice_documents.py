"""GET /v1/invoices/{id}.pdf and .csv: the same authorization as exports, both ids."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from ads.api.ids import global_id
from ads.auth.roles import Role
from ads.billing.models import Invoice
from tests.billing.fixtures import Send, make_account, run_billing, token


def test_invoice_documents_by_number_or_global_id_under_the_export_policy(
    session: Session, send: Send, client: TestClient
) -> None:
    acct = make_account(session, currency="KWD", timezone="Asia/Kuwait")
    other = make_account(session)
    send(acct.ad_ids[0], datetime(2026, 11, 10, 9, tzinfo=UTC), 1_234_567)  # 1.2346 → 1.235
    send(other.ad_ids[0], datetime(2026, 11, 10, 15, tzinfo=UTC), 1_000_000)
    run_billing(session, datetime(2026, 11, 20, tzinfo=UTC))
    invoice = session.scalars(
        select(Invoice).where(Invoice.advertiser_id == acct.advertiser_id)
    ).one()
    number, node = str(invoice.id), global_id("Invoice", invoice.id)
    finance = token(session, Role.FINANCE)
    by_number = client.get(f"/v1/invoices/{number}.pdf", headers=finance)
    by_node = client.get(f"/v1/invoices/{node}.pdf", headers=finance)
    assert by_number.status_code == by_node.status_code == 200
    assert by_number.content == by_node.content
    assert by_number.content.startswith(b"%PDF-")
    assert by_number.headers["x-invoice-number"] == f"INV-202611-{acct.advertiser_id:06d}"
    assert 'filename="INV-202611-' in by_number.headers["content-disposition"]
    rows = list(
        csv.DictReader(io.StringIO(client.get(f"/v1/invoices/{node}.csv", headers=finance).text))
    )
    assert [(r["line"], r["amount"], r["amount_micros"]) for r in rows] == [
        ("1", "1.235", "1235000"),
        ("TOTAL", "1.235", "1235000"),
    ]
    assert rows[0]["campaign_node_id"] == global_id("Campaign", acct.campaign_ids[0])

    own = token(session, Role.ADVERTISER, acct.advertiser_id)
    outsider = token(session, Role.ADVERTISER, other.advertiser_id)
    service = token(session, Role.SERVICE)
    assert client.get(f"/v1/invoices/{node}.pdf", headers=own).status_code == 200
    assert client.get(f"/v1/invoices/{node}.pdf", headers=outsider).status_code == 404
    assert client.get(f"/v1/invoices/{node}.pdf", headers=service).status_code == 403
    assert client.get(f"/v1/invoices/{node}.pdf").status_code == 401
    wrong_type = global_id("Advertiser", acct.advertiser_id)
    assert client.get(f"/v1/invoices/{wrong_type}.pdf", headers=finance).status_code == 404
    assert client.get("/v1/invoices/999999.pdf", headers=finance).status_code == 404
    assert client.get("/v1/invoices/-1.csv", headers=finance).status_code == 404
