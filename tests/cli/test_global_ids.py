"""Every CLI flag that takes a numeric id takes the object's GraphQL global id too."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from ads import cli
from ads.api.ids import global_id
from ads.billing.models import Invoice
from ads.config import Settings
from tests.billing.fixtures import Account, Send, make_account, run_billing

AS_OF = "2026-11-20T00:00:00Z"


@pytest.fixture
def billed(
    session: Session, send: Send, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> Account:
    monkeypatch.setenv("ADS_DATABASE_URL", settings.database_url)
    account = make_account(session)
    send(account.ad_ids[0], datetime(2026, 11, 10, 15, tzinfo=UTC), 2_000_000)
    run_billing(session, datetime(2026, 11, 20, tzinfo=UTC))
    return account


#: Each command with `{adv}` where an advertiser id goes (`{inv}`: an invoice id).
COMMANDS = [
    ["billing", "reconcile", "--from", "2026-11-01", "--to", "2026-11-30", "--advertiser", "{adv}"],
    ["billing", "close-days", "--as-of", AS_OF, "--advertiser", "{adv}"],
    ["billing", "refresh-invoices", "--as-of", AS_OF, "--advertiser", "{adv}"],
    ["invoice", "show", "--advertiser", "{adv}"],
    ["invoice", "show", "{inv}"],
    ["invoice", "csv", "{inv}", "--out", "{tmp}/invoice.csv"],
    ["invoice", "pdf", "--advertiser", "{adv}", "--month", "2026-11", "--out", "{tmp}/i.pdf"],
    ["export", "billing", "--from", "2026-11-01", "--to", "2026-11-12", "--advertiser", "{adv}",
     "--out", "{tmp}/export.csv"],
    ["token", "create", "--role", "ADVERTISER", "--advertiser", "{adv}"],
]  # fmt: skip


def _run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    status = cli.main(args)
    out, err = capsys.readouterr()
    return status, out, err


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c[:2]) + " " + c[-1])
def test_a_global_id_works_wherever_a_numeric_id_does(
    command: list[str],
    billed: Account,
    session: Session,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    invoice_id = session.query(Invoice.id).scalar()
    ids = {
        "numeric": (str(billed.advertiser_id), str(invoice_id)),
        "global": (
            global_id("Advertiser", billed.advertiser_id),
            global_id("Invoice", invoice_id),
        ),
    }
    outputs = {}
    for kind, (adv, inv) in ids.items():
        args = [a.format(adv=adv, inv=inv, tmp=tmp_path / kind) for a in command]
        status, out, err = _run(args, capsys)
        assert status == 0, (kind, args, out, err)
        outputs[kind] = out.replace(str(tmp_path / kind), "OUT")
    if command[0] == "token":  # a new token each time: same scope, another secret
        assert all(f"advertisers: {billed.advertiser_id})" in o for o in outputs.values())
    elif command[0] == "export":
        assert outputs["numeric"].split(" ")[0] == outputs["global"].split(" ")[0] == "1"
    else:
        assert outputs["numeric"] == outputs["global"]


def test_a_wrong_id_is_one_line_and_changes_nothing(
    billed: Account, capsys: pytest.CaptureFixture[str]
) -> None:
    campaign = global_id("Campaign", billed.campaign_ids[0])
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["billing", "close-days", "--advertiser", campaign])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()[-1]
    assert err.endswith(
        "not an id of an Advertiser (its number, at most 2**63 - 1, or its GraphQL global id): "
        f"{campaign!r}"
    )


def test_an_invoice_of_another_type_of_id_is_not_found(
    billed: Account, capsys: pytest.CaptureFixture[str]
) -> None:
    campaign = global_id("Campaign", billed.campaign_ids[0])
    assert cli.main(["invoice", "show", campaign]) == 1
    assert "is not an invoice id" in capsys.readouterr().err


def test_billing_never_runs_ahead_of_the_clock(
    billed: Account, capsys: pytest.CaptureFixture[str]
) -> None:
    future = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    assert cli.main(["billing", "aggregate", "--as-of", future]) == 1
    assert "is in the future" in capsys.readouterr().err
