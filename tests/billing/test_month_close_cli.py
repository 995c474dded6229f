"""A month closed end to end with only the CLI and `--as-of` (no scheduler, no workers):
the invoice PDF, the GraphQL invoice and the export's rounded amounts give one total."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from ads import cli
from ads.api.ids import global_id
from ads.auth.roles import Role
from ads.config import Settings
from tests.billing.fixtures import Send, gql, make_account, token

INVOICES = """query($id: ID!) { advertiser(id: $id) { ... on Advertiser {
  invoices(first: 10, allVersions: true) { nodes {
    id databaseId number version status total { amount amountMicros currency } pdfPath csvPath
    lines { description amount { amount } } } } } } }"""


def _ads(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    status = cli.main(list(args))
    out, err = capsys.readouterr()
    assert status == 0, (args, out, err)
    return out


def _pdf_text(path: Path, tmp_path: Path) -> str:
    """The PDF rendered to PNG (it opens) and its text, both with poppler."""
    assert shutil.which("pdftoppm"), "poppler-utils is missing"
    assert shutil.which("pdftotext"), "poppler-utils is missing"
    subprocess.run(["pdftoppm", "-png", "-r", "40", str(path), str(tmp_path / "page")], check=True)
    page = tmp_path / "page-1.png"
    assert page.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert page.stat().st_size > 1000
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


def test_a_month_closes_with_only_the_cli_and_every_document_shows_one_total(
    session: Session,
    send: Send,
    settings: Settings,
    client: TestClient,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("ADS_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("ADS_EXPORT_DIR", str(tmp_path / "exports"))
    jpy = make_account(session, currency="JPY", timezone="Asia/Tokyo", budgets=(10**10, 10**10))
    usd = make_account(session, timezone="America/Los_Angeles")
    october = datetime(2026, 10, 20, 3, tzinfo=UTC)
    send(jpy.ad_ids[0], october, 2_000_000)
    send(jpy.ad_ids[0], october + timedelta(days=11), 1_899_999)  # 3,899,999 µ¥: ¥4
    send(jpy.ad_ids[1], october + timedelta(days=3), 1_500_000)  # ¥1.5: ¥2
    send(usd.ad_ids[0], october + timedelta(days=11, hours=10), 1_234_567)  # Oct 31 in LA
    adv = global_id("Advertiser", jpy.advertiser_id)

    # As of Oct 31 noon UTC the month is open: its last days are not due, the invoice a draft.
    before = "2026-10-31T12:00:00Z"
    assert "UTC hours recomputed" in _ads(capsys, "billing", "aggregate", "--as-of", before)
    closed = _ads(capsys, "billing", "close-days", "--as-of", before, "--advertiser", adv)
    assert f"advertiser {jpy.advertiser_id}: closed 2026-10-20, 2026-10-23\n" in closed
    drafted = _ads(capsys, "billing", "refresh-invoices", "--as-of", before, "--advertiser", adv)
    assert f"INV-202610-{jpy.advertiser_id:06d} revision 1 DRAFT" in drafted

    # An operator closes the month after it, without the scheduler.
    after = "2026-11-02T00:00:00Z"
    _ads(capsys, "billing", "aggregate", "--as-of", after)
    closed = _ads(capsys, "billing", "close-days", "--as-of", after)
    assert f"advertiser {jpy.advertiser_id}: closed 2026-10-31\n" in closed
    assert f"advertiser {usd.advertiser_id}: closed 2026-10-31" in closed
    issued = _ads(capsys, "billing", "refresh-invoices", "--as-of", after, "--month", "2026-10")
    assert f"INV-202610-{jpy.advertiser_id:06d} revision 2 ISSUED" in issued
    assert "total 6 JPY" in issued
    assert "total 1.23 USD" in issued
    again = _ads(capsys, "billing", "refresh-invoices", "--as-of", after, "--month", "2026-10")
    assert again.startswith("0 new invoice versions")  # idempotent
    assert _ads(capsys, "billing", "close-days", "--as-of", after).startswith("0 days closed")

    finance = token(session, Role.FINANCE)
    versions = gql(client, finance, INVOICES, id=adv)["advertiser"]["invoices"]["nodes"]
    assert [(v["number"], v["version"], v["status"]) for v in versions] == [
        (f"INV-202610-{jpy.advertiser_id:06d}", 1, "DRAFT"),
        (f"INV-202610-{jpy.advertiser_id:06d}", 2, "ISSUED"),
    ]
    invoice = versions[-1]
    assert invoice["total"] == {"amount": "6", "amountMicros": "6000000", "currency": "JPY"}
    assert [line["amount"]["amount"] for line in invoice["lines"]] == ["4", "2"]

    # The export of the month: readable rows whose invoiced amounts add up to the total.
    out = tmp_path / "october.csv"
    _ads(capsys, "export", "billing", "--month", "2026-10", "--granularity", "MONTH",
         "--out", str(out))  # fmt: skip
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    mine = [r for r in rows if r["advertiser_id"] == str(jpy.advertiser_id)]
    assert {r["advertiser_node_id"] for r in mine} == {adv}
    assert sum(int(r["invoiced_amount"]) for r in mine) == 6
    assert sorted(r["invoiced_amount_micros"] for r in mine) == ["2000000", "4000000"]
    assert sorted(r["charges_micros"] for r in mine) == ["1500000", "3899999"]

    # The PDF, from the CLI and from the API, is the same document with the same total.
    pdf = tmp_path / "invoice.pdf"
    shown = _ads(capsys, "invoice", "pdf", "--advertiser", adv, "--month", "2026-10",
                 "--out", str(pdf))  # fmt: skip
    assert "revision 2 (ISSUED), total 6 JPY" in shown
    text = _pdf_text(pdf, tmp_path)
    assert f"Invoice INV-202610-{jpy.advertiser_id:06d}" in text
    assert "Revision 2" in text
    assert "Black Friday" in text  # the campaigns' lines
    total_line = next(line for line in text.splitlines() if line.strip().startswith("Total"))
    assert total_line.split()[-1] == invoice["total"]["amount"] == "6"
    download = client.get(invoice["pdfPath"], headers=finance)
    assert download.status_code == 200
    assert download.headers["content-type"] == "application/pdf"
    assert download.content == pdf.read_bytes()
    lines = client.get(invoice["csvPath"], headers=finance)
    assert lines.text.splitlines()[-1].split(",")[-3:] == ["6", "6000000", "5399999"]
    printed = _ads(capsys, "invoice", "show", f"INV-202610-{jpy.advertiser_id:06d}")
    assert printed.splitlines()[-3].split()[-1] == "6"
