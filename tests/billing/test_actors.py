"""Billing actors on a StubBroker with a real Worker: scheduled ticks aggregate and close."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from dramatiq import Worker
from dramatiq.brokers.stub import StubBroker
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ads.billing.models import DayClose, HourlyDelivery, LedgerEntry
from ads.config import Settings
from tests.billing.fixtures import Send, make_account
from workers import billing


@pytest.fixture
def broker(settings: Settings) -> Iterator[tuple[StubBroker, dict]]:
    stub = StubBroker()
    stub.emit_after("process_boot")
    actors = billing.declare(stub, settings)
    worker = Worker(stub, worker_timeout=50)
    worker.start()
    yield stub, actors
    worker.stop()
    stub.close()


def test_periodic_ticks_aggregate_then_close_and_a_duplicate_tick_changes_nothing(
    session: Session, send: Send, settings: Settings, broker: tuple[StubBroker, dict]
) -> None:
    stub, actors = broker
    acct = make_account(session)
    recent = datetime.now(UTC) - timedelta(days=3)
    send(acct.ad_ids[0], recent, 1_000_000, received=recent + timedelta(minutes=1))
    jobs = {job.name: job for job in billing.periodic(actors, settings)}
    assert set(jobs) == {billing.AGGREGATE, billing.CLOSE_DAYS, billing.RETAIN}
    slot = datetime.now(UTC).timestamp()
    for _ in range(2):  # the same slot delivered twice
        jobs[billing.AGGREGATE].send(slot)
        stub.join(billing.QUEUE)
        jobs[billing.CLOSE_DAYS].send(slot)
        stub.join(billing.QUEUE)
    session.expire_all()
    assert session.scalar(select(func.sum(HourlyDelivery.spend_micros))) == 1_000_000
    assert session.scalar(select(func.count()).select_from(DayClose)) == 1
    assert session.scalar(select(func.sum(LedgerEntry.amount_micros))) == 1_000_000


def test_the_actors_bill_as_of_their_slot_not_the_clock(
    session: Session, send: Send, settings: Settings, broker: tuple[StubBroker, dict]
) -> None:
    stub, actors = broker
    acct = make_account(session)
    delivered = datetime.now(UTC) - timedelta(days=3)
    send(acct.ad_ids[0], delivered, 1_000_000, received=delivered + timedelta(minutes=1))
    # A slot from before the event was received: as of then, there was nothing to bill.
    early = (delivered - timedelta(hours=1)).timestamp()
    actors[billing.AGGREGATE].send(early)
    stub.join(billing.QUEUE)
    actors[billing.CLOSE_DAYS].send(early)
    stub.join(billing.QUEUE)
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(HourlyDelivery)) == 0
    assert session.scalar(select(func.count()).select_from(LedgerEntry)) == 0
    # The slot two hours after delivery: aggregated, but the day is not due yet then.
    later = (delivered + timedelta(hours=2)).timestamp()
    actors[billing.AGGREGATE].send(later)
    stub.join(billing.QUEUE)
    actors[billing.CLOSE_DAYS].send(later)
    stub.join(billing.QUEUE)
    session.expire_all()
    assert session.scalar(select(func.sum(HourlyDelivery.spend_micros))) == 1_000_000
    assert session.scalar(select(func.count()).select_from(LedgerEntry)) == 0
