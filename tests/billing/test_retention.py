"""Retention: once raw events are gone, billing, invoices, exports and reconciliation hold.

A period is billed and exported while its raw events exist; then the events age past
the retention window and their days are dropped. The period's invoice and export are
unchanged to the byte, a day never closed before is still billed from the aggregates,
and reconciliation checks the aggregates against the seals stored when the hours were
final (and says so), catching any later change to them.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from ads import cli
from ads.auth.principal import CLI_PRINCIPAL
from ads.auth.roles import Role
from ads.billing.aggregation import aggregate
from ads.billing.day_close import close_due_days
from ads.billing.invoices import refresh_invoices
from ads.billing.models import HourlyDelivery, HourSeal, Invoice, LedgerEntry
from ads.billing.reconciliation import DifferenceKind, Source, reconcile
from ads.billing.retention import raw_events_from, retain
from ads.billing.seals import seal_final_hours
from ads.config import Settings
from ads.ingestion.models import DeliveryEvent
from ads.ingestion.service import record_events
from tests.billing.fixtures import (
    ALLOWANCE,
    Account,
    Send,
    gql,
    make_account,
    run_billing,
    token,
)
from tests.factories import export

DAYS = [date(2026, 11, 2), date(2026, 11, 3), date(2026, 11, 4)]
BILLED = datetime(2026, 11, 6, tzinfo=UTC)
#: Long after: every day above is past a 35-day retention and its hours are final.
LATER = datetime(2026, 12, 20, tzinfo=UTC)


def _deliver(session: Session, send: Send, acct: Account) -> None:
    for n, day in enumerate(DAYS):
        # Noon and late evening in New York (the evening is the next UTC day).
        for hour in (17, 27):
            at = datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(hours=hour)
            send(acct.ad_ids[0], at, 1_000_000 + n, kind="CLICK")
            send(acct.ad_ids[1], at + timedelta(minutes=5), 333_333)
    # A late event, received a day after it happened.
    late = datetime(2026, 11, 3, 18, tzinfo=UTC)
    send(acct.ad_ids[1], late, 7, received=late + timedelta(days=1))


def _export_bytes(session: Session, settings: Settings, tmp: Path, name: str) -> bytes:
    from ads.db import make_engine, session_factory
    from ads.exports.service import export_path, run_export

    job = export(session, date_from=DAYS[0], date_to=DAYS[-1], allow_open_period=False)
    engine = make_engine(settings)
    run_export(
        session_factory(engine),
        job.id,
        export_dir=str(tmp / name),
        allowance_seconds=ALLOWANCE,
        settle_seconds=0,
    )
    engine.dispose()
    session.expire_all()
    return export_path(str(tmp / name), session.get_one(type(job), job.id)).read_bytes()


def _raw_events(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(DeliveryEvent)) or 0)


@pytest.fixture
def acct(session: Session, send: Send) -> Account:
    account = make_account(session, budgets=(1_500_000, 50_000_000))
    _deliver(session, send, account)
    return account


def test_a_retained_period_is_invoiced_exported_and_reconciled_as_before(
    session: Session, settings: Settings, acct: Account, tmp_path: Path
) -> None:
    run_billing(session, BILLED)
    run_billing(session, LATER)  # the month is issued; the raw events are still there
    before = _export_bytes(session, settings, tmp_path, "before")
    invoices = session.scalar(select(func.count()).select_from(Invoice))
    ledger = session.scalar(select(func.count()).select_from(LedgerEntry))
    first = reconcile(session, CLI_PRINCIPAL, date_from=DAYS[0], date_to=DAYS[-1])
    assert first.balanced
    assert {row.checked_against for row in first.rows} == {(Source.RAW_EVENTS,)}

    run = retain(session, now=LATER, retention_days=35)
    assert run.seals.mismatch is None
    assert run.dropped[0] <= DAYS[0]
    assert date(2026, 11, 5) in run.dropped
    assert _raw_events(session) == 0
    assert raw_events_from(session) >= datetime(2026, 11, 6, tzinfo=UTC)

    run_billing(session, LATER + timedelta(hours=1))  # close and invoice again: no change
    assert session.scalar(select(func.count()).select_from(LedgerEntry)) == ledger
    assert session.scalar(select(func.count()).select_from(Invoice)) == invoices
    assert _export_bytes(session, settings, tmp_path, "after") == before
    report = reconcile(session, CLI_PRINCIPAL, date_from=DAYS[0], date_to=DAYS[-1])
    assert report.balanced, report.differences
    assert [row.raw_micros for row in report.rows] == [0] * len(first.rows)
    assert [r.aggregated_micros for r in report.rows] == [r.aggregated_micros for r in first.rows]
    assert {row.checked_against for row in report.rows} == {(Source.SEALED_AGGREGATES,)}
    assert report.seals_checked == session.scalar(select(func.count()).select_from(HourSeal))
    assert report.seals_checked > 0


def test_days_never_closed_before_their_events_were_dropped_are_billed_from_aggregates(
    session: Session, acct: Account
) -> None:
    # Aggregation ran; day close did not (an outage) until after retention.
    aggregate(session, now=LATER, settle_seconds=0)
    assert retain(session, now=LATER, retention_days=35).dropped
    assert _raw_events(session) == 0
    close_due_days(session, allowance_seconds=ALLOWANCE)
    refresh_invoices(session, now=LATER, allowance_seconds=ALLOWANCE)
    billed = session.scalar(select(func.sum(LedgerEntry.amount_micros)))
    delivered = sum(1_000_000 + n for n in range(3)) * 2 + 333_333 * 6 + 7
    assert billed == delivered
    invoice = session.scalars(select(Invoice)).one()
    assert invoice.exact_micros == 1_500_000 * 3 + 333_333 * 6 + 7  # the daily cap held
    report = reconcile(session, CLI_PRINCIPAL, date_from=DAYS[0], date_to=DAYS[-1])
    assert report.balanced, report.differences


def test_a_change_to_sealed_aggregates_is_caught_once_raw_events_are_gone(
    session: Session, acct: Account
) -> None:
    run_billing(session, BILLED)
    aggregate(session, now=LATER, settle_seconds=0)
    retain(session, now=LATER, retention_days=35)
    session.execute(
        update(HourlyDelivery)
        .where(HourlyDelivery.hour == datetime(2026, 11, 3, 17, tzinfo=UTC))
        .values(spend_micros=HourlyDelivery.spend_micros + 1)
    )
    session.commit()
    report = reconcile(session, CLI_PRINCIPAL, date_from=DAYS[0], date_to=DAYS[-1])
    kinds = {(d.row.day, d.kind) for d in report.differences}
    assert (date(2026, 11, 3), DifferenceKind.AGGREGATES_DIFFER_FROM_SEALS) in kinds
    assert (date(2026, 11, 3), DifferenceKind.LEDGER_DIFFERS_FROM_AGGREGATES) in kinds
    assert {d.row.day for d in report.differences} == {date(2026, 11, 3)}


def test_a_local_day_straddling_the_retention_instant_is_checked_against_both(
    session: Session, acct: Account
) -> None:
    run_billing(session, BILLED)
    aggregate(session, now=LATER, settle_seconds=0)
    # Nov 4 UTC expires on Dec 10; Nov 5 UTC (New York's evening of Nov 4) not yet.
    retain(session, now=datetime(2026, 12, 10, 12, tzinfo=UTC), retention_days=35)
    assert raw_events_from(session) == datetime(2026, 11, 5, tzinfo=UTC)
    report = reconcile(session, CLI_PRINCIPAL, date_from=DAYS[0], date_to=DAYS[-1])
    assert report.balanced, report.differences
    sources = {row.day: row.checked_against for row in report.rows}
    assert sources[date(2026, 11, 3)] == (Source.SEALED_AGGREGATES,)
    assert sources[date(2026, 11, 4)] == (Source.SEALED_AGGREGATES, Source.RAW_EVENTS)


def test_raw_events_that_disagree_with_their_aggregates_are_never_dropped(
    session: Session, acct: Account
) -> None:
    run_billing(session, BILLED)
    # An event recorded as received long ago, which aggregation therefore never read:
    # a lost write. Its hour cannot be sealed, so neither it nor anything after goes.
    lost = datetime(2026, 11, 4, 17, 30, tzinfo=UTC)
    assert record_events(
        session,
        [
            {
                "id": "lost",
                "type": "IMPRESSION",
                "adId": acct.ad_ids[0],
                "costMicros": "5",
                "occurredAt": lost.isoformat(),
            }
        ],
        now=lost + timedelta(minutes=1),
    ).accepted
    aggregate(session, now=LATER, settle_seconds=0)
    run = retain(session, now=LATER, retention_days=35)
    assert run.seals.mismatch == datetime(2026, 11, 4, 17, tzinfo=UTC)
    assert all(day < date(2026, 11, 4) for day in run.dropped)
    assert _raw_events(session) > 0
    assert seal_final_hours(session).mismatch == run.seals.mismatch  # and stays stopped


def test_a_resent_event_of_a_dropped_day_is_refused_not_counted(
    session: Session, acct: Account
) -> None:
    run_billing(session, BILLED)
    aggregate(session, now=LATER, settle_seconds=0)
    retain(session, now=LATER, retention_days=35)
    spend = session.scalar(select(func.sum(HourlyDelivery.spend_micros)))
    again = {
        "id": "e-1",
        "type": "CLICK",
        "adId": acct.ad_ids[0],
        "costMicros": "1000000",
        "occurredAt": datetime(2026, 11, 2, 17, tzinfo=UTC).isoformat(),
    }
    report = record_events(session, [again], now=LATER)
    assert [r.reason for r in report.rejected] == ["TOO_OLD"]
    aggregate(session, now=LATER + timedelta(minutes=1), settle_seconds=0)
    assert session.scalar(select(func.sum(HourlyDelivery.spend_micros))) == spend


def test_the_cli_retains_and_reconcile_says_what_it_checked_against(
    session: Session,
    settings: Settings,
    acct: Account,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    run_billing(session, BILLED)
    aggregate(session, now=LATER, settle_seconds=0)
    monkeypatch.setenv("ADS_DATABASE_URL", settings.database_url)
    assert cli.main(["events", "retain", "--as-of", "2026-12-20T00:00:00Z"]) == 0
    out = capsys.readouterr().out
    assert "2026-11-02" in out.split("raw event days dropped:")[1]
    assert cli.main(["billing", "reconcile", "--from", "2026-11-02", "--to", "2026-11-04"]) == 0
    out = capsys.readouterr().out
    assert "0 differences" in out
    assert "checked against sealed aggregates: " in out
    assert "checked against raw events" not in out
    with pytest.raises(SystemExit) as refused:
        cli.main(["events", "retain", "--as-of", "2026-12-20"])
    assert refused.value.code == 2
    assert "give the time zone" in capsys.readouterr().err


COVERAGE = """{ reconciliation(from: "2026-11-02", to: "2026-11-04") {
  balanced rowsChecked sealsChecked rawEventsFrom
  coverage { source rows firstDay lastDay } } }"""


def test_the_api_says_which_days_were_checked_against_what(
    session: Session, acct: Account, client: TestClient
) -> None:
    run_billing(session, BILLED)
    finance = token(session, Role.FINANCE)
    before = gql(client, finance, COVERAGE)["reconciliation"]
    assert before["rawEventsFrom"] is None
    assert before["coverage"] == [
        {"source": "RAW_EVENTS", "rows": before["rowsChecked"], "firstDay": "2026-11-02",
         "lastDay": "2026-11-04"}
    ]  # fmt: skip
    aggregate(session, now=LATER, settle_seconds=0)
    retain(session, now=datetime(2026, 12, 10, 12, tzinfo=UTC), retention_days=35)
    after = gql(client, finance, COVERAGE)["reconciliation"]
    assert after["balanced"] is True
    assert after["rawEventsFrom"] == "2026-11-05T00:00:00Z"
    assert after["sealsChecked"] > 0
    assert after["coverage"] == [
        {"source": "RAW_EVENTS", "rows": 2, "firstDay": "2026-11-04", "lastDay": "2026-11-04"},
        {"source": "SEALED_AGGREGATES", "rows": after["rowsChecked"], "firstDay": "2026-11-02",
         "lastDay": "2026-11-04"},
    ]  # fmt: skip
