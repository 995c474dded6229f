"""A re-export whose rows changed (a late event re-closed a day) supersedes the first one,
and both say so; an identical re-run replaces nothing."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from ads import cli
from ads.api.app import create_app
from ads.api.ids import global_id
from ads.auth.roles import Role
from ads.config import Settings
from ads.exports.models import BillingExport
from tests.billing.fixtures import Send, gql, make_account, run_billing, token

SHOW = """query($id: ID!) { billingExport(id: $id) {
  databaseId sha256 supersedes { databaseId } supersededBy { databaseId } } }"""


def test_a_changed_re_export_supersedes_the_first_and_says_so(
    session: Session,
    send: Send,
    settings: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    export_dir = tmp_path / "exports"
    monkeypatch.setenv("ADS_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("ADS_EXPORT_DIR", str(export_dir))
    acct = make_account(session)
    day = datetime(2026, 11, 15, 15, tzinfo=UTC)
    send(acct.ad_ids[0], day, 1_000_000)
    run_billing(session, datetime(2026, 11, 17, tzinfo=UTC))
    args = ["export", "billing", "--from", "2026-11-01", "--to", "2026-11-18"]
    assert cli.main([*args, "--out", str(tmp_path / "first.csv")]) == 0
    assert cli.main([*args, "--out", str(tmp_path / "same.csv")]) == 0  # identical: no link
    # A late event, past the allowance, re-closes the day: the ledger changed.
    send(acct.ad_ids[0], day, 5, received=datetime(2026, 11, 19, tzinfo=UTC))
    run_billing(session, datetime(2026, 11, 20, tzinfo=UTC))
    assert cli.main([*args, "--out", str(tmp_path / "second.csv")]) == 0

    first, same, second = session.scalars(select(BillingExport).order_by(BillingExport.id))
    assert (same.supersedes_id, same.superseded_by_id) == (None, second.id)
    assert first.superseded_by_id is None  # the identical re-run was the current one
    assert second.supersedes_id == same.id
    manifests = {
        job.id: json.loads((export_dir / f"billing-export-{job.id}.csv.manifest.json").read_text())
        for job in (first, same, second)
    }
    assert manifests[same.id]["superseded_by"] == second.id
    assert manifests[second.id]["supersedes"] == same.id
    assert manifests[second.id]["period_closed"] is True
    assert [c["name"] for c in manifests[second.id]["columns"]][:4] == [
        "advertiser_id", "currency", "campaign_id", "period"
    ]  # fmt: skip

    finance = token(session, Role.FINANCE)
    with TestClient(create_app(settings.model_copy(update={"export_dir": str(export_dir)}))) as c:
        shown = gql(c, finance, SHOW, id=global_id("BillingExport", same.id))["billingExport"]
        assert shown["supersededBy"] == {"databaseId": str(second.id)}
        assert shown["supersedes"] is None
        old = c.get(f"/v1/exports/{same.id}", headers=finance)
        assert old.status_code == 200
        assert old.headers["x-superseded-by"] == str(second.id)
        current = c.get(f"/v1/exports/{global_id('BillingExport', second.id)}", headers=finance)
        assert "x-superseded-by" not in current.headers
