"""The dashboard's campaign list over GraphQL: ours vs hand-written Starlette vs stock Ariadne.

Seeds a fresh database (SQLite, or PostgreSQL with `--database postgres`: one advertiser,
60 campaigns with a pacing decision each, 2 ad groups per campaign, 0-2 ads per group),
then serves the dashboard's `CampaignList` trusted document (a page of `--first`
campaigns with budget, pacing and ad groups) from four servers, each alone under uvicorn
(one worker) and loaded by `wrk` from a second process with `--connections` concurrent
clients. `ours` is sent the document's id (`documentId`), the stock servers its text.
The servers (bench/graphql_bench_apps.py): ours, handwritten (a), stock (b: stock Ariadne
with plain DataLoader resolvers) and stock_prefetch (b2: stock Ariadne on our resolvers).
All four must return the same data. `--rounds N` runs the four N times, interleaved;
each server's best round and every round are printed, with the load average. Usage:

    .venv/bin/python bench/graphql_bench.py [--database sqlite] [--rounds 3]
    scripts/with-services .venv/bin/python bench/graphql_bench.py --database postgres
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ads.accounts.service import create_advertiser  # noqa: E402
from ads.api.graphql_app import make_query_cache  # noqa: E402
from ads.api.ids import global_id  # noqa: E402
from ads.api.trusted_documents import TrustedDocuments  # noqa: E402
from ads.auth.principal import CLI_PRINCIPAL  # noqa: E402
from ads.auth.roles import Role  # noqa: E402
from ads.campaigns.rules import BillingEvent, BudgetType, CampaignStatus, Objective  # noqa: E402
from ads.campaigns.service import create_ad, create_ad_group, create_campaign  # noqa: E402
from ads.config import Settings  # noqa: E402
from ads.db import make_engine, session_factory  # noqa: E402
from ads.pacing.service import recompute_shard  # noqa: E402
from ads.schema_version import upgrade_to_head  # noqa: E402
from ads.tokens.service import create_token  # noqa: E402

SERVERS = ("ours", "handwritten", "stock", "stock_prefetch")
TARGETS = {"handwritten": 0.8, "stock": 3.0}


def seed(url: str) -> tuple[str, str]:
    """(ADVERTISER token, advertiser global id) of a fresh, seeded, paced database."""
    settings = Settings(database_url=url)
    upgrade_to_head(settings)
    engine = make_engine(settings)
    with session_factory(engine)() as s:
        advertiser = create_advertiser(
            s, CLI_PRINCIPAL, name="Bench Co", currency="USD", timezone="America/New_York"
        )
        for i in range(60):
            campaign = create_campaign(
                s,
                CLI_PRINCIPAL,
                advertiser_id=advertiser.id,
                name=f"Campaign {i}",
                objective=Objective.CONVERSIONS,
                start_at=datetime(2026, 11, 1, tzinfo=UTC),
                end_at=None,
                budget_type=BudgetType.DAILY,
                budget_micros=100_000_000 + i,
                status=CampaignStatus.ACTIVE,
            )
            for j in range(2):
                group = create_ad_group(
                    s,
                    CLI_PRINCIPAL,
                    campaign_id=campaign.id,
                    name=f"Group {j}",
                    bid_micros=2_500_000,
                    billing_event=BillingEvent.IMPRESSION,
                )
                for k in range(i % 3):
                    create_ad(
                        s,
                        CLI_PRINCIPAL,
                        ad_group_id=group.id,
                        name=f"Ad {k}",
                        creative_url="https://cdn.example.com/a.jpg",
                        destination_url="https://example.com/",
                    )
        slot = time.time() // 60 * 60
        recompute_shard(s, slot=slot, shard=0, shards=1, settings=settings)
        _, token = create_token(s, role=Role.ADVERTISER, advertiser_ids=[advertiser.id])
        advertiser_id = global_id("Advertiser", advertiser.id)
    engine.dispose()
    return token, advertiser_id


@contextmanager
def database(kind: str) -> Iterator[str]:
    if kind == "sqlite":
        workdir = Path(tempfile.mkdtemp(prefix="gqlbench-"))
        yield f"sqlite:///{workdir / 'bench.db'}"
        return
    from tests.databases import fresh_postgres_database

    with fresh_postgres_database() as url:
        yield url


def start(name: str, port: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        f"bench.graphql_bench_apps:{name}",
        "--port",
        str(port),
        "--log-level",
        "warning",
        "--no-access-log",
    ]
    process = subprocess.Popen(command, cwd=ROOT, env=env)
    for _ in range(300):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/nothing", timeout=0.2)
        except urllib.error.HTTPError:
            return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"{name} did not start")


def fetch(port: int, body: bytes, token: str) -> dict:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql",
        data=body,
        method="POST",
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
    )
    with urllib.request.urlopen(request) as response:
        return json.loads(response.read())


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (its threads included)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wrk(
    port: int, body: bytes, token: str, duration: int, connections: int, pid: int
) -> dict[str, float]:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(
            'wrk.method = "POST"\n'
            f"wrk.body = {json.dumps(body.decode())}\n"
            'wrk.headers["Content-Type"] = "application/json"\n'
            f'wrk.headers["Authorization"] = "Bearer {token}"\n'
        )
    url = f"http://127.0.0.1:{port}/graphql"
    # wrk's default 2 s timeout would drop the slow stock server's requests from the
    # latency figures; none of the servers may time out at 30 s.
    base = ["wrk", "-t1", f"-c{connections}", "--latency", "--timeout", "30s"]
    base += ["-s", script.name, url]
    subprocess.run([*base[:3], "-d2s", *base[3:]], check=True, capture_output=True)  # warm up
    cpu_before = cpu_seconds(pid)
    out = subprocess.run(
        [*base[:3], f"-d{duration}s", *base[3:]], check=True, capture_output=True, text=True
    ).stdout
    cpu = cpu_seconds(pid) - cpu_before
    os.unlink(script.name)
    if "Non-2xx" in out or "Socket errors" in out:
        raise RuntimeError(f"errors under load:\n{out}")
    requests = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    if not requests:
        raise RuntimeError(f"no request completed in {duration} s: give --duration more")
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),  # type: ignore[union-attr]
        "p50": _ms(re.search(r"50%\s+([\d.]+\w+)", out).group(1)),  # type: ignore[union-attr]
        "p99": _ms(re.search(r"99%\s+([\d.]+\w+)", out).group(1)),  # type: ignore[union-attr]
        # The server's CPU per request: what a request costs whatever else the machine
        # runs (req/s moves with the CPU share a loaded machine leaves the server).
        "cpu_ms": 1000 * cpu / requests,
    }


def _ms(text: str) -> float:
    value, unit = re.match(r"([\d.]+)(\w+)", text).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--first", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    document = TrustedDocuments.load(make_query_cache(Settings())).named("CampaignList")
    with database(args.database) as url:
        token, advertiser = seed(url)
        env = {**os.environ, "ADS_DATABASE_URL": url, "PYTHONPATH": str(ROOT)}
        variables = {"advertiser": advertiser, "first": args.first}
        bodies = {
            name: json.dumps(
                {"documentId": document.id, "variables": variables}
                if name == "ours"
                else {"query": document.text, "variables": variables}
            ).encode()
            for name in SERVERS
        }
        rounds: dict[str, list[dict[str, float]]] = {name: [] for name in SERVERS}
        loads: list[str] = [load_average()]
        reference = None
        for _ in range(args.rounds):
            for index, name in enumerate(SERVERS):
                port = 18300 + index
                server = start(name, port, env)
                try:
                    answer = fetch(port, bodies[name], token)
                    assert "errors" not in answer, f"{name}: {answer}"
                    reference = reference or answer["data"]
                    assert answer["data"] == reference, f"{name} returned different data"
                    run = wrk(
                        port, bodies[name], token, args.duration, args.connections, server.pid
                    )
                    rounds[name].append(run)
                finally:
                    server.terminate()
                    server.wait()
            loads.append(load_average())
    best = {name: max(runs, key=lambda r: r["rps"]) for name, runs in rounds.items()}
    print(
        f"CampaignList ({args.first} campaigns, budget, pacing, 2 ad groups each) on "
        f"{args.database}; wrk -t1 -c{args.connections} -d{args.duration}s; one uvicorn "
        f"worker; best of {args.rounds} interleaved round(s); load average (1/5/15 min) "
        f"before and after each round: {' | '.join(loads)}"
    )
    print(
        "| server | req/s (best) | p50 ms | p99 ms | CPU ms/request (median) "
        "| every round: req/s (p99 ms, CPU ms/request) |"
    )
    print("|---|---:|---:|---:|---:|---|")
    for name in SERVERS:
        r = best[name]
        every = ", ".join(
            f"{run['rps']:.0f} ({run['p99']:.0f}, {run['cpu_ms']:.1f})" for run in rounds[name]
        )
        cpu = statistics.median(run["cpu_ms"] for run in rounds[name])
        print(
            f"| {name} | {r['rps']:.0f} | {r['p50']:.1f} | {r['p99']:.1f} | {cpu:.1f} | {every} |"
        )
    for name, target in (*TARGETS.items(), ("stock_prefetch", None)):
        pairs = list(zip(rounds["ours"], rounds[name], strict=True))
        ratios = [o["rps"] / t["rps"] for o, t in pairs]
        cpu_ratios = [t["cpu_ms"] / o["cpu_ms"] for o, t in pairs]
        print(
            f"ours / {name}: req/s best {best['ours']['rps'] / best[name]['rps']:.2f}x, per "
            f"round {', '.join(f'{x:.2f}' for x in ratios)}; requests per CPU second, per "
            f"round {', '.join(f'{x:.2f}' for x in cpu_ratios)}, median "
            f"{statistics.median(cpu_ratios):.2f}x" + (f" (target >= {target}x)" if target else "")
        )


if __name__ == "__main__":
    main()
