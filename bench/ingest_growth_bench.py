"""Ingestion as the table grows: 20 M events through the write path, rate per million.

Usage (repository root; PostgreSQL only, about 20-40 minutes on a quiet machine):
    scripts/with-services .venv/bin/python bench/ingest_growth_bench.py \
        [--events 20000000] [--step 1000000] [--baseline-events N]

Two fresh databases on the same server, in the same run:
  ours      migrated to head: events keyed by (occurred_at, event_id), partitioned by day;
  baseline  migrated to revision 0008, the schema before: one unpartitioned table, a
            bigserial id and a unique index on the random client id.
The same `ads.ingestion.service.record_events` writes both (its plain INSERT names the
same columns in either schema; there are no duplicates here, so its ON CONFLICT path is
never taken), batches of 1,000, one commit each, and the two take turns one million
events at a time, so both see the same load from other processes. With
`--baseline-events N` the baseline stops taking turns once it holds N events (its decline
shows within a few million, and past that it is what makes the run long); ours goes on
alone to `--events`. Events are what an ad
server sends: ids are uuid4, occurrence times follow a clock that advances 10 µs per
event (100,000 a second) with a lag of 0-5 s for most events, up to 5 minutes for 4%
and up to 6 hours for 1%; 1,000 ads in 100 campaigns of 10 advertisers.

Per million it prints the rate of each, the table's size (heap + indexes, all partitions)
and the blocks read from outside shared buffers by the events' heap and indexes
(pg_statio) per inserted event. The target: the rate over the last 2 M events at least
0.9x the rate over the first 2 M.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from alembic import command
from sqlalchemy import text

from ads.config import Settings
from ads.db import make_engine, session_factory
from ads.ingestion.service import record_events
from ads.schema_version import alembic_config
from tests import factories
from tests.databases import fresh_postgres_database

BATCH = 1_000
MILLION = 1_000_000
EVENT_STEP = timedelta(microseconds=10)
STATIO = text(
    "SELECT coalesce(sum(heap_blks_read), 0) + coalesce(sum(idx_blks_read), 0) "
    "FROM pg_statio_user_tables WHERE relname LIKE 'delivery_events%'"
)
SIZE = text(
    "SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c "
    "WHERE c.relkind = 'r' AND c.relname LIKE 'delivery_events%'"
)


class Target:
    """One database and the clock of the events sent to it."""

    def __init__(self, name: str, url: str, revision: str, seed: int) -> None:
        self.name = name
        self.settings = Settings(database_url=url)
        engine = make_engine(self.settings)
        with engine.begin() as conn:
            command.upgrade(alembic_config(conn), revision)
        engine.dispose()
        self.engine = make_engine(self.settings)
        self.sessions = session_factory(self.engine)
        self.ads = make_ads(self.sessions)
        self.random = random.Random(seed)
        self.clock = datetime.now(UTC) - timedelta(minutes=10)
        self.rates: list[float] = []
        self.reads: list[float] = []
        self.sizes: list[int] = []

    def batches(self, count: int) -> Iterator[list[dict[str, Any]]]:
        rnd, ads = self.random, self.ads
        for _ in range(count // BATCH):
            batch = []
            for _ in range(BATCH):
                self.clock += EVENT_STEP
                roll = rnd.random()
                if roll < 0.95:
                    lag = rnd.uniform(0, 5)
                elif roll < 0.99:
                    lag = rnd.uniform(5, 300)
                else:
                    lag = rnd.uniform(300, 6 * 3600)
                batch.append(
                    {
                        "id": uuid.uuid4().hex,
                        "type": "CLICK" if rnd.random() < 0.02 else "IMPRESSION",
                        "adId": ads[rnd.randrange(len(ads))],
                        "costMicros": 1_000 + rnd.randrange(5_000),
                        "occurredAt": (self.clock - timedelta(seconds=lag)).isoformat(),
                    }
                )
            yield batch

    def ingest(self, count: int) -> None:
        batches = list(self.batches(count))  # built before the clock starts
        reads_before = self.scalar(STATIO)
        started = time.perf_counter()
        for batch in batches:
            with self.sessions() as session:
                report = record_events(session, batch, now=self.clock + timedelta(seconds=1))
            assert report.accepted == len(batch), report.to_json()
        self.rates.append(count / (time.perf_counter() - started))
        self.reads.append((self.scalar(STATIO) - reads_before) / count)
        self.sizes.append(self.scalar(SIZE))

    def scalar(self, query: Any) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(query).scalar_one())


def make_ads(sessions: Any) -> list[int]:
    ads: list[int] = []
    with sessions() as session:
        for a in range(10):
            advertiser = factories.advertiser(session, name=f"Advertiser {a}")
            for c in range(10):
                campaign = factories.campaign(session, advertiser.id, name=f"C{a}-{c}")
                group = factories.ad_group(session, campaign.id)
                ads += [factories.ad(session, group.id, name=f"A{c}-{n}").id for n in range(10)]
    return ads


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=20 * MILLION)
    parser.add_argument("--step", type=int, default=MILLION, help="events per turn")
    parser.add_argument(
        "--baseline-events", type=int, default=None, help="stop the baseline at this many"
    )
    args = parser.parse_args()
    turns = args.events // args.step
    base_turns = turns if args.baseline_events is None else args.baseline_events // args.step
    with fresh_postgres_database() as ours_url, fresh_postgres_database() as base_url:
        ours = Target("ours", ours_url, "head", seed=1)
        base = Target("baseline", base_url, "0008", seed=1)
        print(f"events={args.events:,} step={args.step:,} batch={BATCH} load {load_average()}")
        print(" events  ours/s  baseline/s  ours÷baseline  size ours/baseline MiB  reads/event")
        for turn in range(turns):
            both = turn < base_turns
            if both:
                for target in (ours, base) if turn % 2 == 0 else (base, ours):
                    target.ingest(args.step)
            else:
                ours.ingest(args.step)
            line = f"{(turn + 1) * args.step / MILLION:5.1f}M  {ours.rates[-1]:8,.0f}  "
            if both:
                line += (
                    f"{base.rates[-1]:10,.0f}  {ours.rates[-1] / base.rates[-1]:13.2f}  "
                    f"{ours.sizes[-1] / 2**20:8,.0f} / {base.sizes[-1] / 2**20:8,.0f}  "
                    f"{ours.reads[-1]:.3f} / {base.reads[-1]:.3f}"
                )
            else:
                line += f"{'-':>10s}  {'-':>13s}  {ours.sizes[-1] / 2**20:8,.0f} /        -  "
                line += f"{ours.reads[-1]:.3f} /     -"
            print(f"{line}   load {load_average()}", flush=True)
        span = max(1, 2 * MILLION // args.step)
        for target in (ours, base):
            # Harmonic means: events over the time the span took.
            first = statistics.harmonic_mean(target.rates[:span])
            last = statistics.harmonic_mean(target.rates[-span:])
            held, spanned = len(target.rates) * args.step, min(span, len(target.rates)) * args.step
            print(
                f"{target.name:9s} first {spanned:,}: {first:,.0f}/s  "
                f"last {spanned:,} of {held:,}: {last:,.0f}/s  "
                f"last÷first {last / first:.2f}  {target.sizes[-1] / held:.0f} B/event"
            )
        for target in (ours, base):
            target.engine.dispose()


if __name__ == "__main__":
    main()
