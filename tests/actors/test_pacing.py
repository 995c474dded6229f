"""Pacing actors on a real Dramatiq worker: fan-out, duplicate delivery, a crashing shard."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from ads.pacing import service
from ads.pacing.models import CampaignPacing, PacingShardRun
from tests.actors.conftest import Runtime
from tests.ingestion.fixtures import build_tree

SLOT = datetime(2026, 11, 20, 17, 0, tzinfo=UTC).timestamp()


def rows(session: Session) -> dict[int, tuple[Any, ...]]:
    session.expire_all()
    return {
        p.campaign_id: (p.tick_at, p.version, p.throttle, p.status, p.controller_state)
        for p in session.scalars(select(CampaignPacing))
    }


def test_a_tick_fans_out_to_every_shard(runtime: Runtime, session: Session) -> None:
    trees = [build_tree(session) for _ in range(10)]
    runtime.actors["pacing.tick"].send(SLOT)
    runtime.drain()
    assert set(rows(session)) == {t.campaign_id for t in trees}
    shards = session.scalars(select(PacingShardRun.shard)).all()
    assert sorted(shards) == list(range(8))


def test_a_message_delivered_twice_gives_the_same_state(runtime: Runtime, session: Session) -> None:
    for _ in range(4):
        build_tree(session)
    shard = runtime.actors["pacing.recompute_shard"]
    shard.send(SLOT, 0, 1)
    runtime.drain()
    first = rows(session)
    shard.send(SLOT, 0, 1)
    runtime.actors["pacing.tick"].send(SLOT)
    runtime.drain()
    assert rows(session) == first


def test_a_crashing_shard_changes_nothing_and_the_others_complete(
    runtime: Runtime, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    trees = [build_tree(session) for _ in range(6)]
    real_write = service.write_decisions

    def write_then_crash(db: Session, chunks: Any) -> Any:
        decisions = real_write(db, chunks)  # the rows are written, then the shard fails
        if any(row["campaign_id"] % 2 == 1 for row in decisions.campaigns):
            raise RuntimeError("shard 1 is broken")
        return decisions

    monkeypatch.setattr(service, "write_decisions", write_then_crash)
    shard = runtime.actors["pacing.recompute_shard"]
    shard.send(SLOT, 1, 2)
    shard.send(SLOT, 0, 2)
    runtime.drain()
    assert set(rows(session)) == {t.campaign_id for t in trees if t.campaign_id % 2 == 0}
    assert session.scalars(select(PacingShardRun.shard)).all() == [0]
