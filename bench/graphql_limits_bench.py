"""Hostile GraphQL documents: how fast they are refused, and what /healthz sees meanwhile.

Usage (repository root):
    .venv/bin/python bench/graphql_limits_bench.py [--rounds 3] [--timeout 60]

Three servers, each alone under uvicorn (one worker) on a fresh SQLite database, take
the same documents in turn, `--rounds` times:

- ours: `create_app` (the /graphql body cap, the parser's token limit, fields, aliases,
  repeats and depth counted before validation, new documents validated off the loop);
- ours, 1 MiB cap: the same with `ADS_GRAPHQL_MAX_BODY_BYTES=1048576`, so that the
  megabyte documents get past the body cap and meet the parser's token limit;
- baseline: Ariadne's stock `GraphQL` app on the same schema behind the same 1 MiB body
  limit, which parses and validates whatever it is sent (the server before the limits).

While each hostile request is in flight, a second client sends GET /healthz back to
back; the slowest of those answers is what the hostile document did to everyone else.
Reported per document and server: the status, the seconds to the answer (median of the
rounds) and the slowest /healthz (worst of the rounds). A baseline request that takes
longer than `--timeout` is reported as such.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx
from ariadne.asgi import GraphQL
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.responses import JSONResponse
from starlette.routing import Route

from ads.api.middleware import BodyLimitMiddleware
from ads.api.schema import build_schema
from ads.auth.roles import Role
from ads.config import Settings
from ads.db import make_engine, session_factory
from ads.schema_version import upgrade_to_head
from ads.tokens.service import create_token
from bench.fault_services import free_port

ROOT = Path(__file__).resolve().parents[1]


def _chain(steps: int) -> str:
    fragments = "".join(
        f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }} " for i in range(steps)
    )
    return f"{{ ...F0 }} {fragments} fragment F{steps} on Query {{ viewer {{ role }} }}"


DOCUMENTS = {
    "950 KB of aliases": "{ " + " ".join(f"x{i}: viewer {{ role }}" for i in range(40_000)) + " }",
    "880 KB of __typename aliases": "{ "
    + " ".join(f"x{i}: __typename" for i in range(48_000))
    + " }",
    "120 KB of aliases": "{ " + " ".join(f"x{i}: viewer {{ role }}" for i in range(5_000)) + " }",
    "500 copies of one field": "{ " + "viewer { role } " * 500 + "}",
    "doubling fragments, 30 steps": _chain(30),
    "a dashboard query (legitimate)": """query { viewer { role } advertisers(first: 5) {
        nodes { id name currency timezone campaigns(first: 5) { nodes { id name status
        budget { amount currency } } } } } }""",
}


def baseline() -> Starlette:
    """The stock Ariadne app on our schema: no document limits."""

    async def healthz(_request: object) -> JSONResponse:
        return JSONResponse({"status": "ok"})

    return Starlette(
        routes=[
            Route("/healthz", healthz),
            Route("/graphql", GraphQL(build_schema(), introspection=False)),
        ],
        middleware=[Middleware(BodyLimitMiddleware, max_bytes=1_048_576)],
    )


def serve(factory: str, port: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            factory,
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        cwd=ROOT,
        env=env,
    )
    for _ in range(300):
        try:
            httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=0.5)
            return process
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"{factory} did not start")


def attack(url: str, token: str, document: str, timeout: float) -> tuple[str, float, float]:
    """(status, seconds to the answer, slowest /healthz while it was in flight)."""
    done = threading.Event()
    health: list[float] = []

    def poll() -> None:
        with httpx.Client(base_url=url, timeout=timeout + 30) as client:
            while not done.is_set():
                started = time.perf_counter()
                client.get("/healthz")
                health.append(time.perf_counter() - started)

    poller = threading.Thread(target=poll, daemon=True)
    poller.start()
    time.sleep(0.05)
    started = time.perf_counter()
    try:
        response = httpx.post(
            f"{url}/graphql",
            json={"query": document},
            headers={"Authorization": f"Bearer {token}"},
            timeout=timeout,
        )
        code = response.json().get("errors", [{}])[0].get("extensions", {}).get("code", "")
        status = f"{response.status_code} {code}".strip()
    except httpx.TimeoutException:
        status = f"no answer in {timeout:.0f} s"
    elapsed = time.perf_counter() - started
    done.set()
    poller.join()
    return status, elapsed, max(health, default=0.0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=60.0)
    args = parser.parse_args()
    database = Path(tempfile.mkdtemp()) / "ads.db"
    settings = Settings(database_url=f"sqlite:///{database}")
    upgrade_to_head(settings)
    engine = make_engine(settings)
    with session_factory(engine)() as session:
        token = create_token(session, role=Role.ADMIN)[1]
    engine.dispose()
    env = {
        **os.environ,
        "ADS_DATABASE_URL": settings.database_url,
        "ADS_ENV": "production",
        "PYTHONPATH": str(ROOT),
    }
    ours = "bench._bench_app:app"
    servers = {
        "ours": (ours, {}),
        "ours, 1 MiB cap": (ours, {"ADS_GRAPHQL_MAX_BODY_BYTES": "1048576"}),
        "baseline": ("bench.graphql_limits_bench:baseline", {}),
    }
    results: dict[tuple[str, str], list[tuple[str, float, float]]] = {}
    for _ in range(args.rounds):
        for name, (factory, extra) in servers.items():  # interleaved: the machine is shared
            port = free_port()
            process = serve(factory, port, {**env, **extra})
            try:
                for label, document in DOCUMENTS.items():
                    outcome = attack(f"http://127.0.0.1:{port}", token, document, args.timeout)
                    results.setdefault((label, name), []).append(outcome)
            finally:
                process.terminate()
                process.wait()
    print(f"{args.rounds} round(s); load average {os.getloadavg()[0]:.2f}")
    print("| document | server | answer | seconds (median) | slowest /healthz meanwhile |")
    print("|---|---|---|---|---|")
    for label in DOCUMENTS:
        for name in servers:
            outcomes = results[(label, name)]
            status = outcomes[-1][0]
            seconds = statistics.median(o[1] for o in outcomes)
            health = max(o[2] for o in outcomes)
            print(f"| {label} | {name} | {status} | {seconds:.3f} | {health:.3f} s |")


if __name__ == "__main__":
    main()
