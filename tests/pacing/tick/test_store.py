"""The tick's bulk write: chunking changes nothing, a failed chunk writes nothing, and a
later tick's decisions are never overwritten by an earlier one's."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ads.config import Settings
from ads.db import make_engine, session_factory
from ads.pacing import service
from ads.pacing.models import AdGroupPacing, CampaignPacing, PacingShardRun
from ads.pacing.service import recompute_shard
from ads.pacing.tick import decide, store
from tests import factories
from tests.ingestion.fixtures import build_tree

SLOT = datetime(2026, 11, 20, 17, 0, tzinfo=UTC).timestamp()


def _stored(session: Session) -> dict[str, list[tuple[Any, ...]]]:
    session.expire_all()
    return {
        "campaigns": sorted(tuple(r) for r in session.execute(select(*CampaignPacing.__table__.c))),
        "ad_groups": sorted(tuple(r) for r in session.execute(select(*AdGroupPacing.__table__.c))),
    }


def _build(session: Session, count: int) -> None:
    for i in range(count):
        tree = build_tree(session)
        if i % 2 == 0:
            factories.ad_group(session, tree.campaign_id, budget_cap_micros=5_000_000)


def test_chunks_write_the_same_rows_as_one_chunk(
    session: Session, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    _build(session, 7)
    monkeypatch.setattr(store, "CHUNK", 2)
    recompute_shard(session, slot=SLOT, shard=0, shards=1, settings=settings)
    chunked = _stored(session)
    for model in (CampaignPacing, AdGroupPacing, PacingShardRun):
        session.execute(delete(model))
    session.commit()

    monkeypatch.setattr(store, "CHUNK", 5_000)
    recompute_shard(session, slot=SLOT, shard=0, shards=1, settings=settings)

    assert len(chunked["campaigns"]) == 7
    assert len(chunked["ad_groups"]) == 4
    assert _stored(session) == chunked


def test_a_chunk_failing_to_write_leaves_nothing_written(
    session: Session, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    _build(session, 5)
    monkeypatch.setattr(store, "CHUNK", 2)  # chunks of 2, 2 and 1 campaigns
    real_decide = decide.ShardDecider.decide

    def breaks_the_last_chunk(self: Any, inputs: Any, refresh: Any) -> Any:
        out = real_decide(self, inputs, refresh)
        if len(inputs.campaigns) == 1:
            out.campaigns[0]["throttle"] = 2.0  # violates the throttle_rate constraint
        return out

    monkeypatch.setattr(decide.ShardDecider, "decide", breaks_the_last_chunk)
    with pytest.raises(Exception, match="throttle_rate"):
        recompute_shard(session, slot=SLOT, shard=0, shards=1, settings=settings)
    session.rollback()

    assert _stored(session) == {"campaigns": [], "ad_groups": []}
    assert session.scalars(select(PacingShardRun)).all() == []


def test_a_later_tick_committing_meanwhile_keeps_its_decisions(
    session: Session, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A late run of an earlier slot (a retried shard message) that loaded its campaigns
    before the next slot's tick committed them must not write its older decisions over
    the newer ones."""
    _build(session, 5)
    monkeypatch.setattr(store, "CHUNK", 2)
    later = SLOT + 60
    engine = make_engine(settings)
    other = session_factory(engine)()
    newer: dict[str, list[tuple[Any, ...]]] = {}
    real_write = service.write_decisions

    def later_tick_commits_first(tick_session: Session, decisions: Any) -> Any:
        if tick_session is session and not newer:
            monkeypatch.setattr(service, "write_decisions", real_write)
            recompute_shard(other, slot=later, shard=0, shards=1, settings=settings)
            newer.update(_stored(other))
        return real_write(tick_session, decisions)

    monkeypatch.setattr(service, "write_decisions", later_tick_commits_first)
    try:
        recompute_shard(session, slot=SLOT, shard=0, shards=1, settings=settings)
    finally:
        other.close()
        engine.dispose()

    assert len(newer["campaigns"]) == 5
    assert _stored(session) == newer
    runs = session.scalars(select(PacingShardRun)).all()
    assert [run.tick_at.timestamp() for run in runs] == [later]


def test_a_run_that_later_ticks_keep_superseding_gives_way_to_them(
    session: Session, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each start over skips what the later ticks decided; a run they overtake every
    time stops after a few starts instead of looping, and writes nothing."""
    _build(session, 3)
    starts = 0

    def always_superseded(tick_session: Session, decisions: Any) -> Any:
        nonlocal starts
        starts += 1
        raise store.SupersededTick("decided by a later tick meanwhile")

    monkeypatch.setattr(service, "write_decisions", always_superseded)
    result = recompute_shard(session, slot=SLOT, shard=0, shards=1, settings=settings)

    assert starts == service.SUPERSEDED_STARTS
    assert (result.campaigns, result.ad_groups) == (0, 0)
    assert _stored(session) == {"campaigns": [], "ad_groups": []}
    assert session.scalars(select(PacingShardRun)).all() == []
