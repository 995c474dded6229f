"""A pacing tick across `ads worker` processes on Redis: time, and peak memory per worker.

Usage (repository root; PostgreSQL and Redis):
    scripts/with-services .venv/bin/python bench/pacing_workers_bench.py \
        [--campaigns 100000 300000] [--processes 1 2] [--rounds 2] [--shards 8]

For each campaign count, a fresh database with N DAILY campaigns (as in
pacing_tick_bench.py: 4 timezones, one ad group each, one in ten capped, spend today and
yesterday). Then, `--rounds` times and interleaved, for each process count P: P real
`ads worker` processes (ADS_WORKER_THREADS=2 each) are started on the Redis broker, the
decision tables are emptied, and `pacing.tick(slot)` is sent through the broker as the
scheduler sends it; the tick actor fans out `--shards` shard messages, which the workers
share. The tick's time is from the send until every shard has recorded its run for the
slot; a first tick (decisions inserted) and a steady one (the next slot) are timed. Each
worker's peak RSS (VmHWM, its whole life) and its RSS once started and idle are read
from /proc, and its campaigns are counted from its "pacing shard done" log lines. The
steady tick's CPU seconds are read from /proc too, of each worker and of the whole
PostgreSQL cluster: with the wall time they say whether a second process had a core of
its own (workers and PostgreSQL share the machine's cores).

Targets: 2 processes finish a 100k tick in <= 0.6x the time of 1; peak RSS per worker
<= 1.5 KB per campaign of its shards.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from tempfile import TemporaryDirectory

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import redis
from sqlalchemy import select, text

from ads.config import Settings
from ads.db import make_engine
from ads.pacing.models import PacingShardRun
from ads.pacing.service import slot_time
from ads.schema_version import upgrade_to_head
from bench.cpu import cpu_seconds, postmaster, settle, tree_cpu
from bench.pacing_tick_bench import NOW, populate
from tests.databases import fresh_postgres_database, redis_server_url
from workers.actors import declare_actors
from workers.broker import build_broker
from workers.pacing import TICK

REPO = Path(__file__).resolve().parents[1]
KIB = 1024


@dataclass
class Worker:
    process: subprocess.Popen[bytes]
    log: Path
    idle_kib: int = 0
    peak_kib: int = 0
    #: CPU seconds of the steady tick.
    tick_cpu: float = 0.0
    campaigns: dict[float, int] = field(default_factory=dict)


def _status_kib(pid: int, key: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"no {key} for {pid}")


@contextmanager
def workers(count: int, env: dict[str, str], folder: Path) -> Iterator[list[Worker]]:
    started = []
    for n in range(count):
        log = folder / f"worker-{count}-{n}-{time.monotonic_ns()}.log"
        with log.open("w") as err:
            process = subprocess.Popen(
                [sys.executable, "-m", "ads.cli", "worker"],
                cwd=REPO,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=err,
            )
        started.append(Worker(process, log))
    try:
        deadline = time.monotonic() + 120
        for worker in started:
            while "worker started" not in worker.log.read_text():
                if worker.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(worker.log.read_text())
                time.sleep(0.1)
        time.sleep(1)
        for worker in started:
            worker.idle_kib = _status_kib(worker.process.pid, "VmRSS")
        yield started
        for worker in started:
            worker.peak_kib = _status_kib(worker.process.pid, "VmHWM")
    finally:
        for worker in started:
            worker.process.send_signal(signal.SIGTERM)
        for worker in started:
            worker.process.wait(60)
    for worker in started:
        for line in worker.log.read_text().splitlines():
            if '"pacing shard done"' in line:
                entry = json.loads(line)
                slot = float(entry["slot"])
                worker.campaigns[slot] = worker.campaigns.get(slot, 0) + entry["campaigns"]


def tick(settings: Settings, actor: object, slot: float, shards: int) -> float:
    """Send the tick; the seconds until every shard has recorded its run for the slot."""
    engine = make_engine(settings)
    started = time.perf_counter()
    actor.send(slot)  # type: ignore[attr-defined]
    done = select(PacingShardRun.shard).where(PacingShardRun.tick_at == slot_time(slot))
    while True:
        with engine.connect() as conn:
            if len(conn.execute(done).all()) == shards:
                break
        time.sleep(0.05)
    elapsed = time.perf_counter() - started
    engine.dispose()
    return elapsed


def empty_decisions(settings: Settings) -> None:
    engine = make_engine(settings)
    with engine.begin() as conn:
        conn.execute(text("TRUNCATE campaign_pacing, ad_group_pacing, pacing_shard_runs"))
    engine.dispose()


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--campaigns", type=int, nargs="+", default=[100_000, 300_000])
    parser.add_argument("--processes", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--shards", type=int, default=8)
    args = parser.parse_args()
    broker_url = redis_server_url()
    for count in args.campaigns:
        with fresh_postgres_database() as url, TemporaryDirectory() as folder:
            settings = Settings(database_url=url, broker_url=broker_url, pacing_shards=args.shards)
            upgrade_to_head(settings)
            populate(settings, count)
            env = {k: v for k, v in os.environ.items() if not k.startswith("ADS_")} | {
                "ADS_DATABASE_URL": url,
                "ADS_BROKER_URL": broker_url,
                "ADS_PACING_SHARDS": str(args.shards),
                "ADS_WORKER_THREADS": "2",
                "ADS_LOG_LEVEL": "INFO",
            }
            broker = build_broker(settings)
            tick_actor = declare_actors(broker, settings)[TICK]
            pg = postmaster(settings)
            results: dict[int, list[tuple[float, float, list[Worker]]]] = {}
            for round_ in range(args.rounds):
                for processes in args.processes if round_ % 2 == 0 else args.processes[::-1]:
                    redis.Redis.from_url(broker_url).flushdb()
                    empty_decisions(settings)
                    first_slot, steady_slot = NOW.timestamp(), NOW.timestamp() + 60
                    with workers(processes, env, Path(folder)) as running:
                        first = tick(settings, tick_actor, first_slot, args.shards)
                        settle()
                        before = [cpu_seconds(w.process.pid) for w in running]
                        db_before = tree_cpu(pg)
                        steady = tick(settings, tick_actor, steady_slot, args.shards)
                        settle()
                        for w, cpu in zip(running, before, strict=True):
                            w.tick_cpu = cpu_seconds(w.process.pid) - cpu
                        db_cpu = tree_cpu(pg) - db_before
                    results.setdefault(processes, []).append((first, steady, running))
                    print(
                        f"campaigns={count:,} processes={processes} round {round_ + 1}: "
                        f"first {first:.2f} s, steady {steady:.2f} s "
                        f"(CPU: PostgreSQL {db_cpu:.1f} s, workers "
                        f"{sum(w.tick_cpu for w in running):.1f} s; "
                        f"{(db_cpu + sum(w.tick_cpu for w in running)) / steady:.2f} cores busy); "
                        + "; ".join(
                            f"worker {n}: {w.campaigns.get(steady_slot, 0):,} campaigns, "
                            f"CPU {w.tick_cpu:.1f} s, "
                            f"idle {w.idle_kib / KIB:.0f} MiB, peak {w.peak_kib / KIB:.0f} MiB"
                            for n, w in enumerate(running)
                        )
                        + f"; load {load_average()}",
                        flush=True,
                    )
            broker.close()
        for processes, runs in sorted(results.items()):
            first = statistics.median(r[0] for r in runs)
            steady = statistics.median(r[1] for r in runs)
            per_campaign = [
                (w.peak_kib * KIB / c, (w.peak_kib - w.idle_kib) * KIB / c)
                for r in runs
                for w in r[2]
                if (c := max(w.campaigns.values(), default=0))
            ]
            worst = max(p[0] for p in per_campaign)
            worst_growth = max(p[1] for p in per_campaign)
            print(
                f"campaigns={count:,} processes={processes}: median first {first:.2f} s, "
                f"steady {steady:.2f} s; peak RSS per campaign of its shards: worst "
                f"{worst:,.0f} B ({worst_growth:,.0f} B above its idle RSS)"
            )
        if 1 in results and 2 in results:
            one = statistics.median(r[1] for r in results[1])
            two = statistics.median(r[1] for r in results[2])
            print(f"campaigns={count:,}: steady tick, 2 processes / 1 = {two / one:.2f}")


if __name__ == "__main__":
    main()
