"""Exports end to end: GraphQL job + worker + download (with authorization), and the CLI."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import dramatiq
import pytest
from dramatiq import Worker
from dramatiq.brokers.stub import StubBroker
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from ads import cli
from ads.api.app import create_app
from ads.api.ids import global_id
from ads.auth.roles import Role
from ads.config import Settings
from tests.billing.fixtures import Account, Send, gql, make_account, run_billing, token
from workers import exports as export_actors


@pytest.fixture
def billed(session: Session, send: Send) -> tuple[Account, Account]:
    usd = make_account(session, budgets=(3_000_000, 50_000_000))
    jpy = make_account(session, currency="JPY", timezone="Asia/Tokyo")
    t = datetime(2026, 11, 10, 15, tzinfo=UTC)
    for i in range(3):
        send(usd.ad_ids[0], t + timedelta(days=i), 2_000_000)
        send(usd.ad_ids[1], t + timedelta(days=i), 1_234_567)
        send(jpy.ad_ids[0], t + timedelta(days=i), 7_000_000)
    run_billing(session, datetime(2026, 11, 20, tzinfo=UTC))
    return usd, jpy


@pytest.fixture
def app_settings(settings: Settings, tmp_path: Path) -> Settings:
    return settings.model_copy(update={"export_dir": str(tmp_path / "exports")})


@pytest.fixture
def worker(app_settings: Settings) -> Iterator[StubBroker]:
    broker = StubBroker()
    broker.emit_after("process_boot")
    export_actors.declare(broker, app_settings)
    dramatiq.set_broker(broker)
    running = Worker(broker, worker_timeout=50)
    running.start()
    yield broker
    running.stop()
    broker.close()


CREATE = """
mutation($input: CreateBillingExportInput!) {
  createBillingExport(input: $input) {
    billingExport { id status }
    userErrors { field message code }
  }
}"""
SHOW = """query($id: ID!) { billingExport(id: $id) {
  status rowCount sha256 downloadPath error totals { currency charges { amountMicros } } } }"""


def test_export_through_the_api_with_authorization(
    session: Session,
    billed: tuple[Account, Account],
    app_settings: Settings,
    worker: StubBroker,
) -> None:
    usd, jpy = billed
    finance = token(session, Role.FINANCE)
    own = token(session, Role.ADVERTISER, usd.advertiser_id)
    other = token(session, Role.ADVERTISER, jpy.advertiser_id)
    with TestClient(create_app(app_settings)) as client:
        period = {"from": "2026-11-01", "to": "2026-11-18"}
        made = gql(client, finance, CREATE, input=period)["createBillingExport"]
        assert made["userErrors"] == []
        export_id = made["billingExport"]["id"]
        worker.join(export_actors.QUEUE)
        shown = gql(client, finance, SHOW, id=export_id)["billingExport"]
        assert shown["status"] == "SUCCEEDED", shown
        assert shown["rowCount"] == 9
        assert {t["currency"] for t in shown["totals"]} == {"USD", "JPY"}
        download = client.get(shown["downloadPath"], headers=finance)
        assert download.status_code == 200
        assert hashlib.sha256(download.content).hexdigest() == shown["sha256"]
        assert download.text.splitlines()[0].startswith("advertiser_id,currency,campaign_id")
        # An advertiser sees neither the all-advertisers export nor another's.
        assert client.get(f"/v1/exports/{export_id}", headers=own).status_code == 404
        assert gql(client, own, SHOW, id=export_id)["billingExport"] is None
        refused = gql(
            client,
            own,
            CREATE,
            input={**period, "advertiserIds": [global_id("Advertiser", jpy.advertiser_id)]},
        )["createBillingExport"]
        assert refused["userErrors"][0]["code"] == "NOT_FOUND"
        mine = gql(client, own, CREATE, input={**period, "format": "JSONL"})
        mine_id = mine["createBillingExport"]["billingExport"]["id"]
        worker.join(export_actors.QUEUE)
        got = client.get(f"/v1/exports/{mine_id}", headers=own)
        assert got.status_code == 200
        rows = [json.loads(line) for line in got.text.splitlines()]
        assert {r["advertiser_id"] for r in rows} == {usd.advertiser_id}
        assert rows[0]["charges_micros"] == "2000000"
        assert client.get(f"/v1/exports/{mine_id}", headers=other).status_code == 404
        assert client.get(f"/v1/exports/{mine_id}").status_code == 401


def test_cli_export_is_byte_identical_and_reconcile_balances(
    billed: tuple[Account, Account],
    settings: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("ADS_DATABASE_URL", settings.database_url)
    args = ["export", "billing", "--from", "2026-11-01", "--to", "2026-11-18"]
    assert cli.main([*args, "--out", str(tmp_path / "a.csv")]) == 0
    assert cli.main([*args, "--out", str(tmp_path / "b.csv"), "--granularity", "DAY"]) == 0
    first, second = (tmp_path / "a.csv").read_bytes(), (tmp_path / "b.csv").read_bytes()
    assert first == second
    manifest = json.loads((tmp_path / "a.csv.manifest.json").read_text())
    assert manifest["sha256"] == hashlib.sha256(first).hexdigest()
    assert manifest["row_count"] == len(first.splitlines()) - 1 == 9
    assert manifest["totals"]["USD"]["charges_micros"] == 3 * (2_000_000 + 1_234_567)
    err = capsys.readouterr().err
    assert "exporting [" in err
    assert cli.main(["billing", "reconcile", "--from", "2026-11-01", "--to", "2026-11-30"]) == 0
    assert "0 differences" in capsys.readouterr().out
    month = tmp_path / "m.csv"
    assert cli.main([*args, "--out", str(month), "--granularity", "MONTH"]) == 0
    assert month.read_text().splitlines()[1].split(",")[3] == "2026-11-01"
    assert manifest["period_closed"] is True


def _aggregation_behind(send: Send, account: Account) -> None:
    """An event received an hour ago that no aggregation has seen: the period stays open."""
    now = datetime.now(UTC)
    send(account.ad_ids[0], now - timedelta(days=2), 1, received=now - timedelta(hours=1))


def test_cli_refuses_an_open_period_unless_asked(
    billed: tuple[Account, Account],
    send: Send,
    settings: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _aggregation_behind(send, billed[0])
    monkeypatch.setenv("ADS_DATABASE_URL", settings.database_url)
    out = tmp_path / "open.csv"
    args = ["export", "billing", "--from", "2026-11-01", "--to", "2026-11-30", "--out", str(out)]
    assert cli.main(args) == 1
    err = capsys.readouterr().err
    assert "not closed yet" in err
    assert "not aggregated yet" in err
    assert "ads billing aggregate" in err
    assert not out.exists()
    assert cli.main([*args, "--allow-open-period"]) == 0
    manifest = json.loads((tmp_path / "open.csv.manifest.json").read_text())
    assert (manifest["period_closed"], manifest["row_count"]) == (False, 9)


def test_an_open_period_is_refused_unless_asked_and_then_marked_open(
    session: Session,
    billed: tuple[Account, Account],
    send: Send,
    app_settings: Settings,
    worker: StubBroker,
) -> None:
    finance = token(session, Role.FINANCE)
    usd, _ = billed
    _aggregation_behind(send, usd)
    with TestClient(create_app(app_settings)) as client:
        period = {"from": "2026-11-01", "to": "2026-11-30"}
        refused = gql(client, finance, CREATE, input=period)["createBillingExport"]
        assert refused["billingExport"] is None
        [error] = refused["userErrors"]
        assert (error["code"], error["field"]) == ("PERIOD_OPEN", ["input", "to"])
        assert "allowOpenPeriod" in error["message"]
        # One advertiser's days are closed through the 18th, but events wait: still open.
        own = {
            **period,
            "to": "2026-11-19",
            "advertiserIds": [global_id("Advertiser", usd.advertiser_id)],
        }
        assert gql(client, finance, CREATE, input=own)["createBillingExport"]["userErrors"]
        made = gql(client, finance, CREATE, input={**period, "allowOpenPeriod": True})
        export_id = made["createBillingExport"]["billingExport"]["id"]
        worker.join(export_actors.QUEUE)
        shown = gql(client, finance, SHOW, id=export_id)["billingExport"]
        assert shown["status"] == "SUCCEEDED", shown
    number = shown["downloadPath"].rsplit("/", 1)[1]
    manifest = Path(app_settings.export_dir) / f"billing-export-{number}.csv.manifest.json"
    assert json.loads(manifest.read_text())["period_closed"] is False
