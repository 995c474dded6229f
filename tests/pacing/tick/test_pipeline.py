"""A shard's tick in chunks: constant memory whatever its size, order kept, errors stop it."""

from __future__ import annotations

import threading
import tracemalloc
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from ads.accounts.models import Advertiser
from ads.campaigns.models import AdGroup, Campaign
from ads.config import Settings
from ads.ingestion.models import CampaignDaySpend
from ads.pacing.models import CampaignPacing
from ads.pacing.service import recompute_shard
from ads.pacing.tick import store
from ads.pacing.tick.pipeline import Pipeline

NOW = datetime(2026, 11, 20, 17, 0, tzinfo=UTC)


def _campaigns(session: Session, first: int, count: int) -> None:
    """`count` live DAILY campaigns from id `first`, one ad group each, spend today."""
    conn = session.connection()
    if first == 1:
        conn.execute(
            insert(Advertiser),
            [{"id": 1, "name": "A", "currency": "USD", "timezone": "America/New_York",
              "created_at": NOW, "updated_at": NOW}],
        )  # fmt: skip
    ids = range(first, first + count)
    conn.execute(
        insert(Campaign),
        [
            {"id": i, "advertiser_id": 1, "name": f"C{i}", "objective": "TRAFFIC",
             "status": "ACTIVE", "start_at": NOW - timedelta(days=3), "end_at": None,
             "budget_type": "DAILY", "budget_micros": 100_000_000, "pacing_mode": "STANDARD",
             "created_at": NOW, "updated_at": NOW}
            for i in ids
        ],
    )  # fmt: skip
    conn.execute(
        insert(AdGroup),
        [
            {"id": i, "campaign_id": i, "name": "G", "status": "ACTIVE", "bid_micros": 1_000_000,
             "billing_event": "IMPRESSION", "targeting": {},
             "budget_cap_micros": 20_000_000 if i % 10 == 0 else None,
             "created_at": NOW, "updated_at": NOW}
            for i in ids
        ],
    )  # fmt: skip
    conn.execute(
        insert(CampaignDaySpend),
        [
            {"campaign_id": i, "day": NOW.date(), "advertiser_id": 1,
             "spend_micros": 1_000_000 * (i % 50), "impressions": 10, "clicks": 0}
            for i in ids
        ],
    )  # fmt: skip
    session.commit()


def _peak_of_a_tick(session: Session, settings: Settings, slot: datetime) -> int:
    tracemalloc.start()
    try:
        result = recompute_shard(
            session, slot=slot.timestamp(), shard=0, shards=1, settings=settings
        )
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.campaigns == session.scalar(select(func.count()).select_from(Campaign))
    return peak


def test_a_shards_memory_does_not_grow_with_its_size(
    session: Session, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store, "CHUNK", 100)
    _campaigns(session, 1, 400)
    small = _peak_of_a_tick(session, settings, NOW)
    _campaigns(session, 401, 1_600)
    large = _peak_of_a_tick(session, settings, NOW + timedelta(minutes=1))
    # Five times the campaigns, about the same peak: a few chunks in hand, never the shard.
    assert large < 1.5 * small, (small, large)
    assert session.scalar(select(func.count()).select_from(CampaignPacing)) == 2_000


@dataclass(frozen=True)
class _Chunk:
    ids: tuple[int, ...]

    @property
    def last_id(self) -> int:
        return self.ids[-1]


def _numbers(upto: int, size: int) -> object:
    def load(after: int | None) -> _Chunk | None:
        start = 1 if after is None else after + 1
        ids = tuple(range(start, min(start + size, upto + 1)))
        return _Chunk(ids) if ids else None

    return load


@pytest.mark.parametrize("threaded", [False, True])
def test_chunks_are_loaded_decided_and_written_in_order(threaded: bool) -> None:
    written: list[tuple[int, ...]] = []
    in_hand: list[int] = []
    loaded_not_written = [0]

    def load(after: int | None) -> _Chunk | None:
        chunk = _numbers(10, 3)(after)  # type: ignore[operator]
        if chunk is not None:
            loaded_not_written[0] += 1
            in_hand.append(loaded_not_written[0])
        return chunk

    def write(chunk: _Chunk, doubled: tuple[int, ...]) -> None:
        assert threaded == (threading.current_thread() is not threading.main_thread())
        loaded_not_written[0] -= 1
        written.append(doubled)

    count = Pipeline(load, lambda c: tuple(2 * i for i in c.ids), write, threaded=threaded).run()
    assert count == 4
    assert written == [(2, 4, 6), (8, 10, 12), (14, 16, 18), (20,)]
    assert max(in_hand) <= 3  # the chunk being decided, the next one, the one being written


@pytest.mark.parametrize("threaded", [False, True])
def test_a_failed_write_stops_the_pipeline_and_is_raised(threaded: bool) -> None:
    written: list[int] = []
    loads: list[int | None] = []

    def load(after: int | None) -> _Chunk | None:
        loads.append(after)
        return _numbers(100, 10)(after)  # type: ignore[operator]

    def write(chunk: _Chunk, _decided: object) -> None:
        if chunk.ids[0] == 21:
            raise RuntimeError("the third chunk cannot be written")
        written.append(chunk.ids[0])

    with pytest.raises(RuntimeError, match="third chunk"):
        Pipeline(load, lambda c: c, write, threaded=threaded).run()
    assert written == [1, 11]
    assert len(loads) <= 5  # nothing is read long after the failure


@pytest.mark.parametrize("threaded", [False, True])
def test_a_failed_decision_is_raised_once_the_database_step_is_done(threaded: bool) -> None:
    busy = threading.Event()

    def load(after: int | None) -> _Chunk | None:
        busy.set()
        return _numbers(100, 10)(after)  # type: ignore[operator]

    def decide(chunk: _Chunk) -> None:
        if chunk.ids[0] == 11:
            raise ValueError("cannot decide")

    with pytest.raises(ValueError, match="cannot decide"):
        Pipeline(load, decide, lambda c, d: None, threaded=threaded).run()
    # Every database step has returned: the caller may roll back on the connection.
    assert not [t for t in threading.enumerate() if t.name.startswith("pacing-db")]
