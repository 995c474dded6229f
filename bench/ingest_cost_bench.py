"""CPU seconds per million events, by tier: what one core of each tier ingests.

Usage (repository root; PostgreSQL):
    scripts/with-services .venv/bin/python bench/ingest_cost_bench.py [--events 200000] [--rounds 2]

Rates in events per second depend on what else the machine runs; the CPU time each
process spends per event depends far less on it, so this is the figure the capacity
model (docs/capacity.md) multiplies. On a fresh database with the ingest bench's ads and
events, in rounds, each path ingests `--events` events (tables emptied in between):
  copy   COPY FROM STDIN of the same rows (the baseline: no validation, no counters);
  write  `record_events` per batch of 1,000 in this process (what an API process does
         for a batch, without HTTP);
  http   POST /v1/events per batch to `ads serve` (one process) in a subprocess, over one
         keep-alive connection.
Each path's CPU time is read from /proc (user + system) for the Python side (this process
for copy and write, the `ads serve` process tree for http) and for the whole PostgreSQL
cluster (postmaster and every child: backends, WAL writer, checkpointer, autovacuum),
and reported as CPU seconds per million events and events per CPU-second.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import text

from ads.config import Settings
from ads.db import make_engine
from ads.schema_version import upgrade_to_head
from bench.ingest_bench import baseline as copy_path
from bench.ingest_bench import clear, free_port, make_ads, make_batches, wait_ready, write_path
from tests.databases import fresh_postgres_database

REPO = Path(__file__).resolve().parents[1]
TICK = os.sysconf("SC_CLK_TCK")
MILLION = 1_000_000


def _stat(pid: int) -> list[str]:
    # Fields after the command name (which may hold spaces), from field 3 on.
    raw = Path(f"/proc/{pid}/stat").read_text()
    return raw[raw.rindex(")") + 2 :].split()


def cpu_seconds(pid: int) -> float:
    fields = _stat(pid)
    return (int(fields[11]) + int(fields[12])) / TICK  # utime, stime


def tree(root: int) -> list[int]:
    """`root` and all its descendants, now."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parents.setdefault(int(_stat(int(entry.name))[1]), []).append(int(entry.name))
            except (FileNotFoundError, ProcessLookupError, IndexError):
                continue
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo += parents.get(pid, [])
    return found


def tree_cpu(root: int) -> float:
    """CPU seconds of `root`, its live descendants and the children it has reaped (a
    PostgreSQL backend whose connection closed is counted in the postmaster's)."""
    fields = _stat(root)
    total = (int(fields[13]) + int(fields[14])) / TICK  # cutime, cstime
    for pid in tree(root):
        try:
            total += cpu_seconds(pid)
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total


def postmaster(settings: Settings) -> int:
    engine = make_engine(settings)
    with engine.connect() as conn:
        backend = int(conn.execute(text("SELECT pg_backend_pid()")).scalar_one())
    engine.dispose()
    return int(_stat(backend)[1])


def measure(pg: int, python: Callable[[], float], run: Callable[[], Any]) -> tuple[float, float]:
    """CPU seconds of (the Python side, PostgreSQL) while `run` runs."""
    py_before, pg_before = python(), tree_cpu(pg)
    run()
    py_after = python()
    time.sleep(2)  # backends of closed connections exit and are reaped by the postmaster
    return py_after - py_before, tree_cpu(pg) - pg_before


def http_run(settings: Settings, batches: list[list[dict[str, Any]]], token: str) -> Any:
    """Start `ads serve`, then return a runner that posts every batch and a CPU reader."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("ADS_")} | {
        "ADS_DATABASE_URL": settings.database_url,
        "ADS_LOG_LEVEL": "WARNING",
        "ADS_BROKER_URL": os.environ.get("ADS_TEST_REDIS_URL", "redis://127.0.0.1:6379/0"),
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "ads.cli", "serve", "--port", str(port)], env=env, cwd=REPO
    )
    wait_ready(f"http://127.0.0.1:{port}")
    bodies = [(json.dumps(batch).encode(), len(batch)) for batch in batches]
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def post_all() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        try:
            for body, size in bodies:
                conn.request("POST", "/v1/events", body=body, headers=headers)
                response = conn.getresponse()
                payload = response.read()
                assert response.status == 200, payload
                assert json.loads(payload)["accepted"] == size, payload
        finally:
            conn.close()

    return server, post_all, lambda: tree_cpu(server.pid)


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    own = os.getpid()

    def ours() -> float:
        return cpu_seconds(own)

    with fresh_postgres_database() as url:
        settings = Settings(database_url=url)
        upgrade_to_head(settings)
        ads, token = make_ads(settings)
        pg = postmaster(settings)
        costs: dict[str, list[tuple[float, float]]] = {}
        print(f"events per run {args.events:,}; load {load_average()}")
        for round_ in range(args.rounds):
            for path in ("copy", "write", "http"):
                clear(settings)
                batches = make_batches(ads, args.events, datetime.now(UTC))
                if path == "copy":
                    cost = measure(pg, ours, partial(copy_path, settings, batches, ads))
                elif path == "write":
                    cost = measure(pg, ours, partial(write_path, settings, batches))
                else:
                    server, post_all, server_cpu = http_run(settings, batches, token)
                    try:
                        cost = measure(pg, server_cpu, post_all)
                    finally:
                        server.terminate()
                        server.wait(30)
                per_million = (cost[0] * MILLION / args.events, cost[1] * MILLION / args.events)
                costs.setdefault(path, []).append(per_million)
                print(
                    f"round {round_ + 1}: {path:5s} CPU s per 1M events: python "
                    f"{per_million[0]:6.1f}, PostgreSQL {per_million[1]:6.1f}   "
                    f"load {load_average()}",
                    flush=True,
                )
        for path, runs in costs.items():
            py = max(statistics.median(r[0] for r in runs), 1e-9)
            db = max(statistics.median(r[1] for r in runs), 1e-9)
            print(
                f"{path:5s} median CPU s per 1M: python {py:.1f} ({MILLION / py:,.0f} events "
                f"per core-second), PostgreSQL {db:.1f} ({MILLION / db:,.0f} per core-second)"
            )


if __name__ == "__main__":
    main()
