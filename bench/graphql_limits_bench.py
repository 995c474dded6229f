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
rounds) and the slowest /healthz (worst of the rounds). A request that takes longer
than `--timeout` is reported as such (and its /healthz as at least that long), and the
server, still busy with it, is replaced by a fresh one for the next document.
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx
from ariadne.asgi import GraphQL
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.responses import JSONResponse
from starlette.routing import Route

from ads.api.middleware import BodyLimitMiddleware
from ads.api.schema import build_schema
from ads.auth.principal import Principal
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
    """The stock Ariadne app on our schema: no document limits. Its context holds an
    ADMIN viewer, so that `viewer { role }` runs as on ours (the dashboard query's other
    fields need our request context and fail there: only parse and validation compare);
    errors are not logged, as ours does not log refused documents."""

    async def healthz(_request: object) -> JSONResponse:
        return JSONResponse({"status": "ok"})

    context = SimpleNamespace(viewer=Principal(role=Role.ADMIN))
    quiet = logging.getLogger("bench.baseline")
    quiet.disabled = True
    app = GraphQL(build_schema(), introspection=False, context_value=context, logger=quiet.name)
    return Starlette(
        routes=[Route("/healthz", healthz), Route("/graphql", app)],
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
        with httpx.Client(base_url=url, timeout=timeout) as client:
            while not done.is_set():
                started = time.perf_counter()
                try:
                    client.get("/healthz")
                except httpx.TimeoutException:
                    health.append(time.perf_counter() - started)  # at least this long
                    return
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
    ours = "bench.graphql_bench_apps:ours"
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
                    if outcome[0].startswith("no answer"):  # still busy: a fresh server
                        process.kill()
                        process.wait()
                        process = serve(factory, port, {**env, **extra})
            finally:
                process.kill()
                process.wait()
    print(f"{args.rounds} round(s); load average {os.getloadavg()[0]:.2f}")
    print(
        "| document | server | answer | seconds (median) | each round | "
        "slowest /healthz meanwhile |"
    )
    print("|---|---|---|---:|---|---:|")
    for label in DOCUMENTS:
        for name in servers:
            outcomes = results[(label, name)]
            status = outcomes[-1][0]
            seconds = statistics.median(o[1] for o in outcomes)
            health = max(o[2] for o in outcomes)
            each = ", ".join(f"{o[1]:.3f}" for o in outcomes)
            print(f"| {label} | {name} | {status} | {seconds:.3f} | {each} | {health:.3f} s |")


if __name__ == "__main__":
    main()
