"""Time of one pacing tick on one worker, for 10,000 and 100,000 campaigns.

Usage (repository root):
    .venv/bin/python bench/pacing_tick_bench.py --database sqlite --campaigns 10000 100000
    scripts/with-services .venv/bin/python bench/pacing_tick_bench.py --database postgres

Each campaign has one ad group (one in ten with a budget cap) and spend today in the
counters. The tick is `recompute_shard(shard=0, shards=1)`: every campaign in one
process and one transaction, i.e. the whole tick on one worker. The first tick inserts
decisions; the second (next slot) updates them, the steady state. Target: <= 10 s for
100,000 campaigns. On PostgreSQL each tick's CPU time is reported too, of this process
(all its threads) and of the whole PostgreSQL cluster, per campaign: the per-core figure
of docs/capacity.md, which moves much less with the machine's load than the wall time.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert

from ads.accounts.models import Advertiser
from ads.campaigns.models import AdGroup, Campaign
from ads.config import Settings
from ads.db import make_engine, session_factory
from ads.ingestion.models import CampaignDaySpend
from ads.pacing.service import recompute_shard
from ads.schema_version import upgrade_to_head
from bench.cpu import postmaster, tree_cpu
from bench.ingest_bench import database

ZONES = ["America/New_York", "Europe/Berlin", "Asia/Tokyo", "America/Los_Angeles"]
NOW = datetime.now(UTC).replace(second=0, microsecond=0)


def populate(settings: Settings, count: int) -> None:
    engine = make_engine(settings)
    now = NOW
    with engine.begin() as conn:
        conn.execute(
            insert(Advertiser),
            [
                {"id": i + 1, "name": f"A{i}", "currency": "USD", "timezone": zone,
                 "created_at": now, "updated_at": now}
                for i, zone in enumerate(ZONES)
            ],
        )  # fmt: skip
        conn.execute(
            insert(Campaign),
            [
                {"id": i + 1, "advertiser_id": i % 4 + 1, "name": f"C{i}", "objective": "TRAFFIC",
                 "status": "ACTIVE", "start_at": now - timedelta(days=3), "end_at": None,
                 "budget_type": "DAILY", "budget_micros": 100_000_000, "pacing_mode": "STANDARD",
                 "created_at": now, "updated_at": now}
                for i in range(count)
            ],
        )  # fmt: skip
        conn.execute(
            insert(AdGroup),
            [
                {"id": i + 1, "campaign_id": i + 1, "name": "G", "status": "ACTIVE",
                 "bid_micros": 1_000_000, "billing_event": "IMPRESSION", "targeting": {},
                 "budget_cap_micros": 20_000_000 if i % 10 == 0 else None,
                 "created_at": now, "updated_at": now}
                for i in range(count)
            ],
        )  # fmt: skip
        today = NOW.date()
        conn.execute(
            insert(CampaignDaySpend),
            [
                {"campaign_id": i + 1, "day": day, "advertiser_id": i % 4 + 1,
                 "spend_micros": 1_000_000 * (i % 50), "impressions": 10, "clicks": 0}
                for i in range(count) for day in (today - timedelta(days=1), today)
            ],
        )  # fmt: skip
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--campaigns", type=int, nargs="+", default=[10_000, 100_000])
    args = parser.parse_args()
    for count in args.campaigns:
        with database(args.database) as url:
            settings = Settings(database_url=url)
            upgrade_to_head(settings)
            populate(settings, count)
            engine = make_engine(settings)
            sessions = session_factory(engine)
            pg = postmaster(settings) if args.database == "postgres" else None
            timings, cpu = [], []
            for n in range(2):
                slot = NOW.timestamp() + 60 * n
                with sessions() as session:
                    db_before = 0.0 if pg is None else tree_cpu(pg)
                    cpu_before = time.process_time()
                    started = time.perf_counter()
                    result = recompute_shard(
                        session, slot=slot, shard=0, shards=1, settings=settings
                    )
                    timings.append(time.perf_counter() - started)
                    cpu.append((time.process_time() - cpu_before,
                                0.0 if pg is None else tree_cpu(pg) - db_before))  # fmt: skip
                assert result.campaigns == count, result
            engine.dispose()
        line = (
            f"database={args.database} campaigns={count:,} "
            f"first tick {timings[0]:.2f} s, steady tick {timings[1]:.2f} s"
        )
        if pg is not None:
            line += "; CPU per campaign, first / steady: " + ", ".join(
                f"{what} {cpu[0][i] * 1e6 / count:.0f} / {cpu[1][i] * 1e6 / count:.0f} µs"
                for i, what in enumerate(("worker", "PostgreSQL"))
            )
        print(line, flush=True)


if __name__ == "__main__":
    main()
