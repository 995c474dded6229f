"""The tick's bulk write: chunking changes nothing, a failed chunk writes nothing."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ads.config import Settings
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
