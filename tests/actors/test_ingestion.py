"""The partition actor makes the coming days' partitions; a repeated slot makes nothing."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import Session

from ads.ingestion import partitions
from ads.ingestion.partition_rules import days_to_prepare
from tests.actors.conftest import Runtime
from workers import ingestion


def test_a_scheduled_slot_prepares_the_partitions_of_the_days_ahead(
    session: Session, runtime: Runtime
) -> None:
    slot = datetime(2032, 3, 1, 6, tzinfo=UTC)
    for _ in range(2):  # the same slot delivered twice
        runtime.actors[ingestion.PREPARE_PARTITIONS].send(slot.timestamp())
        runtime.drain(ingestion.QUEUE)
    stored = set(partitions.stored_days(session))
    if session.get_bind().dialect.name == "postgresql":
        assert set(days_to_prepare(slot)) <= stored
    else:
        assert stored == set()  # SQLite: one plain table, nothing to prepare
