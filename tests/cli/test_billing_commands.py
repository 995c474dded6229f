"""`ads billing resend-exports` and `aggregate` say what they did, and a second run does nothing."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from ads import cli
from ads.config import Settings
from ads.exports.models import BillingExport
from ads.exports.rules import ExportStatus
from ads.time import utcnow
from tests import factories


def test_resend_exports_runs_the_stuck_jobs_here_once(
    session: Session,
    settings: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("ADS_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("ADS_EXPORT_DIR", str(tmp_path))
    stuck = factories.export(session)
    stuck.created_at = utcnow() - timedelta(minutes=5)  # no worker took it
    fresh = factories.export(session)  # a worker may still take this one
    session.commit()
    assert cli.main(["billing", "resend-exports"]) == 0
    out = capsys.readouterr().out
    assert f"export {stuck.id}: SUCCEEDED" in out
    assert out.splitlines()[-1] == "1 stuck exports run here"
    session.expire_all()
    assert session.get_one(BillingExport, stuck.id).status is ExportStatus.SUCCEEDED
    assert session.get_one(BillingExport, fresh.id).status is ExportStatus.PENDING
    assert (tmp_path / f"billing-export-{stuck.id}.csv").is_file()
    assert cli.main(["billing", "resend-exports"]) == 0
    assert capsys.readouterr().out.strip() == "0 stuck exports run here"


def test_aggregate_twice_as_of_the_same_instant_does_nothing_the_second_time(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ADS_DATABASE_URL", settings.database_url)
    as_of = "2026-11-20T00:00:00Z"
    assert cli.main(["billing", "aggregate", "--as-of", as_of]) == 0
    assert "0 UTC hours recomputed" in capsys.readouterr().out
    assert cli.main(["billing", "aggregate", "--as-of", as_of]) == 0
    assert capsys.readouterr().out.startswith("nothing to aggregate as of 2026-11-20T00:00:00Z")
