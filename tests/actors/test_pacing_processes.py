"""The shards of one pacing tick run at once in separate `ads worker` processes (Redis)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, insert, select, text
from sqlalchemy.orm import Session

from ads.config import Settings
from ads.db import make_engine
from ads.pacing.models import CampaignPacing, PacingShardRun
from ads.pacing.service import slot_time
from ads.schema_version import upgrade_to_head
from tests.databases import fresh_postgres_database, redis_server_url, settings_for
from tests.ingestion.fixtures import build_tree
from workers.actors import declare_actors
from workers.broker import build_broker
from workers.pacing import TICK

SLOT = datetime(2026, 11, 20, 17, 0, tzinfo=UTC).timestamp()
SHARDS = 4


@pytest.fixture
def postgres() -> Iterator[Settings]:
    with fresh_postgres_database() as url:
        settings = settings_for(url, broker_url=redis_server_url(db=3), pacing_shards=SHARDS)
        upgrade_to_head(settings)
        yield settings


def _until(
    condition: Callable[[], bool], what: str, process: subprocess.Popen[bytes], log: Path
) -> None:
    deadline = time.monotonic() + 90  # a loaded machine starts Python slowly
    while not condition():
        assert process.poll() is None, log.read_text()
        assert time.monotonic() < deadline, f"{what} within 90 s: {log.read_text()}"
        time.sleep(0.1)


def _count(engine: Engine, query: Any) -> int:
    with engine.connect() as conn:
        return int(conn.execute(query).scalar_one())


@pytest.mark.postgres
@pytest.mark.redis
def test_the_shards_of_one_tick_run_at_once_in_separate_worker_processes(
    postgres: Settings, tmp_path: Path
) -> None:
    engine = make_engine(postgres)
    with Session(engine) as session:
        campaigns = {build_tree(session).campaign_id for _ in range(8)}
        earlier = slot_time(SLOT - 60)
        session.execute(
            insert(PacingShardRun),
            [
                {"shard": shard, "shards": SHARDS, "tick_at": earlier, "finished_at": earlier,
                 "duration_seconds": 0.0, "lag_seconds": 0.0, "campaigns": 0}
                for shard in range(SHARDS)
            ],
        )  # fmt: skip
        session.commit()
    # Each shard records its run last, in its own transaction: while this connection holds
    # those records, a shard that has decided its campaigns waits there, so a worker
    # process of one thread is busy with one shard until they are released.
    holder = engine.connect()
    holder.execute(select(PacingShardRun.shard).with_for_update())
    env = {k: v for k, v in os.environ.items() if not k.startswith("ADS_")} | {
        "ADS_DATABASE_URL": postgres.database_url,
        "ADS_BROKER_URL": postgres.broker_url,
        "ADS_PACING_SHARDS": str(SHARDS),
        "ADS_LOG_LEVEL": "INFO",
    }
    log = tmp_path / "worker.log"
    broker = build_broker(postgres)
    broker.flush_all()  # type: ignore[attr-defined]
    with log.open("w") as err:
        workers = subprocess.Popen(
            [sys.executable, "-m", "ads.cli", "worker", "--processes", "2", "--threads", "1"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=err,
        )
    try:
        _until(lambda: log.read_text().count("worker started") == 2, "two workers", workers, log)
        declare_actors(broker, postgres)[TICK].send(SLOT)
        waiting = text(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        _until(lambda: _count(engine, waiting) == 2, "two shards at once", workers, log)
        holder.rollback()
        done = select(func.count()).where(PacingShardRun.tick_at == slot_time(SLOT))
        _until(lambda: _count(engine, done) == SHARDS, "every shard", workers, log)
    finally:
        holder.close()
        workers.send_signal(signal.SIGTERM)
        workers.wait(timeout=60)
        broker.close()
    runs = [
        json.loads(line) for line in log.read_text().splitlines() if "pacing shard done" in line
    ]
    by_shard = {run["shard"]: run["pid"] for run in runs}
    assert sorted(by_shard) == list(range(SHARDS))
    assert len(set(by_shard.values())) == 2
    assert workers.pid not in by_shard.values()  # the children ran them, not the parent
    with engine.connect() as conn:
        decided = conn.execute(select(func.count()).select_from(CampaignPacing)).scalar_one()
    assert decided == len(campaigns)
    engine.dispose()
