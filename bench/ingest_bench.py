"""Ingestion throughput: the database write path and the whole HTTP path vs the baseline.

Usage (repository root):
    .venv/bin/python bench/ingest_bench.py --database sqlite
    scripts/with-services .venv/bin/python bench/ingest_bench.py --database postgres

Each run builds a fresh migrated database, 100 ads, and N events in batches of 1,000,
then measures in the same run:
  baseline  the driver's fastest bulk path for the same rows into the same table
            (PostgreSQL: COPY FROM STDIN; SQLite: executemany of a plain INSERT);
  write     ads.ingestion.service.record_events per batch (validation, ad lookup,
            INSERT … ON CONFLICT DO NOTHING RETURNING, counter upserts, commit);
  http      POST /v1/events per batch, JSON bodies pre-encoded, one keep-alive
            connection, against `ads serve` (one process) in a subprocess (real sockets);
  http_workers  the same against `ads serve --workers 2`, over 4 connections at once.
The four run in turn `--rounds` times (tables emptied in between) and the medians of
the rates and of the per-round ratios are reported.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import queue
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx
from sqlalchemy import text

from ads.auth.roles import Role
from ads.config import Settings
from ads.db import make_engine, session_factory
from ads.ingestion.service import record_events
from ads.schema_version import upgrade_to_head
from ads.tokens.service import create_token
from tests import factories

BATCH = 1_000
TABLES = "delivery_events, campaign_day_spend, ad_group_day_spend, campaign_hour_traffic"


@contextmanager
def database(kind: str) -> Iterator[str]:
    if kind == "sqlite":
        path = Path(f"/tmp/ads-bench-{uuid.uuid4().hex[:8]}.db")
        try:
            yield f"sqlite:///{path}"
        finally:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
    else:
        from tests.databases import fresh_postgres_database

        with fresh_postgres_database() as url:
            yield url


def make_ads(settings: Settings) -> tuple[list[int], str]:
    engine = make_engine(settings)
    with session_factory(engine)() as session:
        ads = []
        advertiser = factories.advertiser(session)
        for c in range(10):
            campaign = factories.campaign(session, advertiser.id, name=f"C{c}")
            group = factories.ad_group(session, campaign.id)
            ads += [factories.ad(session, group.id, name=f"A{c}-{a}").id for a in range(10)]
        token = create_token(session, role=Role.SERVICE)[1]
    engine.dispose()
    return ads, token


def make_batches(ads: list[int], count: int, now: datetime) -> list[list[dict[str, Any]]]:
    events = [
        {
            "id": uuid.uuid4().hex,
            "type": "CLICK" if i % 50 == 0 else "IMPRESSION",
            "adId": ads[i % len(ads)],
            "costMicros": 2_500 + i % 7,
            "occurredAt": (now - timedelta(seconds=i % 600)).isoformat(),
        }
        for i in range(count)
    ]
    return [events[i : i + BATCH] for i in range(0, count, BATCH)]


def clear(settings: Settings) -> None:
    engine = make_engine(settings)
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text(f"TRUNCATE {TABLES}"))
        else:
            for table in TABLES.split(", "):
                conn.execute(text(f"DELETE FROM {table}"))
    engine.dispose()


def baseline(settings: Settings, batches: list[list[dict[str, Any]]], ads: list[int]) -> float:
    """Same rows, same table, the driver's bulk path; no validation, no counters."""
    now = datetime.now(UTC)
    rows = [
        (e["id"], e["type"], e["adId"], 1, 1, 1, e["costMicros"],
         datetime.fromisoformat(e["occurredAt"]), now.date(), now, None)
        for batch in batches for e in batch
    ]  # fmt: skip
    columns = (
        "event_id, type, ad_id, ad_group_id, campaign_id, advertiser_id, cost_micros, "
        "occurred_at, local_day, received_at, flag"
    )
    engine = make_engine(settings)
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        started = time.perf_counter()
        for i in range(0, len(rows), BATCH):
            chunk = rows[i : i + BATCH]
            if engine.dialect.name == "postgresql":
                with cursor.copy(f"COPY delivery_events ({columns}) FROM STDIN") as copy:
                    for row in chunk:
                        copy.write_row(row)
            else:
                naive = [
                    (*r[:7], r[7].replace(tzinfo=None), r[8], r[9].replace(tzinfo=None), r[10])
                    for r in chunk
                ]
                cursor.executemany(
                    f"INSERT INTO delivery_events ({columns}) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                    naive,
                )
            raw.commit()
        elapsed = time.perf_counter() - started
    finally:
        raw.close()
        engine.dispose()
    return len(rows) / elapsed


def write_path(settings: Settings, batches: list[list[dict[str, Any]]]) -> float:
    engine = make_engine(settings)
    sessions = session_factory(engine)
    started = time.perf_counter()
    accepted = 0
    for batch in batches:
        with sessions() as session:
            accepted += record_events(session, batch).accepted
    elapsed = time.perf_counter() - started
    engine.dispose()
    assert accepted == sum(map(len, batches)), accepted
    return accepted / elapsed


def http_path(
    settings: Settings,
    batches: list[list[dict[str, Any]]],
    token: str,
    *,
    workers: int = 1,
    connections: int = 1,
) -> float:
    """POST every batch to `ads serve --workers N` over `connections` keep-alive
    connections at once (one client thread each, bodies pre-encoded)."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("ADS_")} | {
        "ADS_DATABASE_URL": settings.database_url,
        "ADS_LOG_LEVEL": "WARNING",
        # Not the embedded mode: that is one process, with workers inside.
        "ADS_BROKER_URL": os.environ.get("ADS_TEST_REDIS_URL", "redis://127.0.0.1:6379/0"),
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "ads.cli", "serve", "--port", str(port), "--workers", str(workers)],
        env=env, cwd=Path(__file__).resolve().parents[1],
    )  # fmt: skip
    try:
        base = f"http://127.0.0.1:{port}"
        wait_ready(base)
        bodies = queue.SimpleQueue()
        for batch in batches:
            bodies.put(json.dumps(batch).encode())
        accepted: list[int] = []
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

        def client() -> None:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
            count = 0
            try:
                while True:
                    try:
                        body = bodies.get_nowait()
                    except queue.Empty:
                        break
                    conn.request("POST", "/v1/events", body=body, headers=headers)
                    response = conn.getresponse()
                    payload = response.read()
                    assert response.status == 200, payload
                    count += json.loads(payload)["accepted"]
            finally:
                conn.close()
                accepted.append(count)

        threads = [threading.Thread(target=client) for _ in range(connections)]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(30)
    assert sum(accepted) == sum(map(len, batches)), accepted
    return sum(accepted) / elapsed


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_ready(base: str) -> None:
    for _ in range(100):
        try:
            if httpx.get(base + "/healthz").status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise RuntimeError("server did not start")


PHASES = ("baseline", "write", "http", "http_workers")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="the phases run in turn this many times; medians are reported "
        "(on a shared machine, load moves between phases that run minutes apart)",
    )
    parser.add_argument("--workers", type=int, default=2, help="ads serve --workers, last phase")
    parser.add_argument(
        "--connections", type=int, default=4, help="client connections at once, last phase"
    )
    args = parser.parse_args()
    with database(args.database) as url:
        settings = Settings(database_url=url)
        upgrade_to_head(settings)
        ads, token = make_ads(settings)
        rounds: list[dict[str, float]] = []
        for _ in range(args.rounds):
            now = datetime.now(UTC)
            result = {"baseline": baseline(settings, make_batches(ads, args.events, now), ads)}
            clear(settings)
            result["write"] = write_path(settings, make_batches(ads, args.events, now))
            clear(settings)
            result["http"] = http_path(settings, make_batches(ads, args.events, now), token)
            clear(settings)
            result["http_workers"] = http_path(
                settings,
                make_batches(ads, args.events, now),
                token,
                workers=args.workers,
                connections=args.connections,
            )
            clear(settings)
            rounds.append(result)
            print(f"round {len(rounds)}: load {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(
        f"database={args.database} events={args.events} batch={BATCH} rounds={args.rounds} "
        f"http_workers: --workers {args.workers}, {args.connections} connections"
    )
    for i, result in enumerate(rounds, 1):
        line = "  ".join(
            f"{name} {rate:,.0f}/s ({rate / result['baseline']:.2f}x)"
            for name, rate in result.items()
        )
        print(f"round {i}: {line}")
    for name in PHASES:
        rate = statistics.median(r[name] for r in rounds)
        ratio = statistics.median(r[name] / r["baseline"] for r in rounds)
        print(f"{name:12s} {rate:10,.0f} events/s  {ratio:5.2f}x baseline (medians)")


if __name__ == "__main__":
    main()
