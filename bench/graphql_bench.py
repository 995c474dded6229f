"""GraphQL dashboard query: our app vs a hand-written Starlette endpoint vs stock Ariadne.

Seeds a SQLite database (one advertiser, 60 campaigns, 2 ad groups each, 0-2 ads per
group), starts each server in turn under uvicorn (one worker), checks that they all
return the same data, then loads each with wrk (second process) and prints requests
per second, p50 and p99 latency and the ratios. The servers (bench/graphql_bench_apps.py):
ours, handwritten (a), stock (b: stock Ariadne + plain DataLoader resolvers) and
stock_prefetch (b2: stock Ariadne + our resolvers). `--rounds N` runs the whole
sequence N times, interleaved, and keeps each server's best round (less noise on a
shared machine). Usage:

    .venv/bin/python bench/graphql_bench.py [--duration 10] [--connections 4] [--rounds 1]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ads.accounts.service import create_advertiser  # noqa: E402
from ads.api.ids import global_id  # noqa: E402
from ads.auth.principal import CLI_PRINCIPAL  # noqa: E402
from ads.auth.roles import Role  # noqa: E402
from ads.campaigns.rules import BillingEvent, BudgetType, CampaignStatus, Objective  # noqa: E402
from ads.campaigns.service import create_ad, create_ad_group, create_campaign  # noqa: E402
from ads.config import Settings  # noqa: E402
from ads.db import make_engine, session_factory  # noqa: E402
from ads.schema_version import upgrade_to_head  # noqa: E402
from ads.tokens.service import create_token  # noqa: E402

DASHBOARD = """query Dashboard($advertiser: ID!, $first: Int!) {
  advertiser(id: $advertiser) {
    name
    campaigns(first: $first) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { node {
        id name status budgetType
        budget { amountMicros amount currency }
        adGroups(first: 10) {
          totalCount nodes { id name status bid { amount } ads { totalCount } }
        }
      } }
    }
  }
}"""
SERVERS = ("ours", "handwritten", "stock", "stock_prefetch")


def seed(url: str) -> tuple[str, str]:
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
        _, token = create_token(s, role=Role.ADMIN)
        advertiser_id = global_id("Advertiser", advertiser.id)
    engine.dispose()
    return token, advertiser_id


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
    for _ in range(100):
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


def wrk(port: int, body: bytes, token: str, duration: int, connections: int) -> dict[str, float]:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(
            'wrk.method = "POST"\n'
            f"wrk.body = {json.dumps(body.decode())}\n"
            'wrk.headers["Content-Type"] = "application/json"\n'
            f'wrk.headers["Authorization"] = "Bearer {token}"\n'
        )
    url = f"http://127.0.0.1:{port}/graphql"
    base = ["wrk", "-t1", f"-c{connections}", "--latency", "-s", script.name, url]
    subprocess.run([*base[:3], "-d2s", *base[3:]], check=True, capture_output=True)  # warm up
    out = subprocess.run(
        [*base[:3], f"-d{duration}s", *base[3:]], check=True, capture_output=True, text=True
    ).stdout
    os.unlink(script.name)
    if "Non-2xx" in out:
        raise RuntimeError(f"errors under load:\n{out}")
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),  # type: ignore[union-attr]
        "p50": _ms(re.search(r"50%\s+([\d.]+\w+)", out).group(1)),  # type: ignore[union-attr]
        "p99": _ms(re.search(r"99%\s+([\d.]+\w+)", out).group(1)),  # type: ignore[union-attr]
    }


def _ms(text: str) -> float:
    value, unit = re.match(r"([\d.]+)(\w+)", text).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--first", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="gqlbench-"))
    url = f"sqlite:///{workdir / 'bench.db'}"
    token, advertiser = seed(url)
    env = {**os.environ, "ADS_DATABASE_URL": url, "PYTHONPATH": str(ROOT)}
    body = json.dumps(
        {"query": DASHBOARD, "variables": {"advertiser": advertiser, "first": args.first}}
    ).encode()
    rounds: dict[str, list[dict[str, float]]] = {name: [] for name in SERVERS}
    reference = None
    for _ in range(args.rounds):
        for index, name in enumerate(SERVERS):
            port = 18300 + index
            server = start(name, port, env)
            try:
                data = fetch(port, body, token)["data"]
                reference = reference or data
                assert data == reference, f"{name} returned different data"
                rounds[name].append(wrk(port, body, token, args.duration, args.connections))
            finally:
                server.terminate()
                server.wait()
    results = {name: max(runs, key=lambda r: r["rps"]) for name, runs in rounds.items()}
    ours, hand, stock, stock_prefetch = (results[n] for n in SERVERS)
    print(
        f"dashboard: {args.first} campaigns, 2 ad groups each; wrk -t1 -c{args.connections} "
        f"-d{args.duration}s; one uvicorn worker; SQLite; best of {args.rounds} round(s)"
    )
    print("| server | req/s | p50 ms | p99 ms | all rounds req/s |")
    print("|---|---:|---:|---:|---|")
    for name in SERVERS:
        r = results[name]
        every = ", ".join(f"{run['rps']:.0f}" for run in rounds[name])
        print(f"| {name} | {r['rps']:.0f} | {r['p50']:.2f} | {r['p99']:.2f} | {every} |")
    print(f"ours / handwritten (a)    = {ours['rps'] / hand['rps']:.2f}× (target ≥ 0.5×)")
    print(f"ours / stock (b)          = {ours['rps'] / stock['rps']:.2f}× (target ≥ 2×)")
    print(f"ours / stock_prefetch (b2) = {ours['rps'] / stock_prefetch['rps']:.2f}×")


if __name__ == "__main__":
    main()
