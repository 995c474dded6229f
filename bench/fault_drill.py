"""The fault drill: the whole deployment under load while its parts fail, then the books.

Usage (repository root; root or a sudoer on Debian, as it may apt-get install servers):
    .venv/bin/python bench/fault_drill.py [--broker redis|rabbitmq|both] [--outage 20]

For each broker it starts, all on loopback and in a temp directory: PostgreSQL, the
broker (Redis with the persistence production needs, or Debian's rabbitmq-server),
`ads serve`, two `ads worker` processes and `ads scheduler`, as production runs them:
under a supervisor that starts again a process that exits (and reports it).
The ad server's load (bench/fault_load.py) posts events all along, resends one batch in
ten, and an operator's probes poll /v1/pacing, /graphql, /metrics and /readyz, while:

1. a worker is killed with SIGKILL in the middle of an aggregation (seen in
   pg_stat_activity), then started again;
2. the broker is stopped for `--outage` seconds and started again;
3. the database is stopped for `--outage` seconds (fast shutdown) and started again.

Then it checks (bench/fault_checks.py) that the events stored are the events
acknowledged, that every counter and aggregate equals its raw events and that
`ads billing reconcile` finds no difference, and prints what clients saw during each
fault: status codes, `Retry-After`, seconds from the fault's end to the first 200,
and what the logs said. Figures go to bench/RESULTS.md; the JSON and each process's log
to --out.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from contextlib import suppress
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx
from sqlalchemy import create_engine, text

from ads.auth.roles import Role
from ads.config import Settings
from ads.db import make_engine, session_factory
from ads.tokens.service import create_token
from bench.fault_checks import check
from bench.fault_load import Answer, Load
from bench.fault_services import Postgres, RabbitMQ, free_port, redis_server
from tests import factories
from tests.redis_server import RedisServer
from workers.actors import declare_actors
from workers.broker import build_broker

REPO = Path(__file__).resolve().parents[1]
ADS = [sys.executable, "-m", "ads.cli"]
TIMEZONES = ("UTC", "America/New_York", "Europe/Paris", "Asia/Kolkata")


@dataclass
class Fault:
    name: str
    started: float
    restored: float
    ended: float = 0.0  # when its observation window closes (the next fault's start)
    notes: dict[str, Any] = field(default_factory=dict)


class Deployment:
    """The processes of one drill, started with the same environment as production, and
    supervised as systemd's `Restart=on-failure` would: a process that exits (a worker
    that starts while the broker is down exits 75, EX_TEMPFAIL) is started again after
    a second, and each such exit is recorded."""

    RESTART_SECONDS = 1.0

    def __init__(self, base: Path, env: dict[str, str]) -> None:
        self.base, self.env = base, env
        self.logs = base / "logs"
        self.logs.mkdir()
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        self.commands: dict[str, tuple[str, ...]] = {}
        self.exits: list[dict[str, Any]] = []  # what the supervisor restarted, and why
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._supervisor = threading.Thread(target=self._supervise, daemon=True)

    def start(self, name: str, *args: str) -> None:
        env = {**self.env, "PGAPPNAME": f"drill-{name}"}  # seen in pg_stat_activity
        log = (self.logs / f"{name}.log").open("ab")
        with self._lock:
            self.commands[name] = args
            self.processes[name] = subprocess.Popen(
                [*ADS, *args], cwd=self.base, env=env, stdout=log, stderr=log
            )

    def _supervise(self) -> None:
        while not self._stopping.wait(self.RESTART_SECONDS):
            with self._lock:
                exited = [
                    (name, process.returncode)
                    for name, process in self.processes.items()
                    if process.poll() is not None
                ]
            for name, code in exited:
                if self._stopping.is_set():
                    return
                self.exits.append({"process": name, "exit status": code, "at": time.monotonic()})
                self.start(name, *self.commands[name])

    def start_all(self) -> None:
        self.start("serve", "serve", "--port", str(self.port))
        self.start("worker-1", "worker")
        self.start("worker-2", "worker")
        self.start("scheduler", "scheduler")
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/readyz", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        raise RuntimeError("ads serve did not become ready")

    def supervise(self) -> None:
        self._supervisor.start()

    def kill_and_restart(self, name: str) -> None:
        """SIGKILL, then started again at once (not counted as an exit of its own)."""
        with self._lock:
            self.processes[name].send_signal(signal.SIGKILL)
            self.processes[name].wait()
        self.start(name, *self.commands[name])

    def stop_all(self) -> None:
        self._stopping.set()
        if self._supervisor.is_alive():
            self._supervisor.join()
        for process in self.processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()

    def log_lines(self, name: str) -> list[dict[str, Any]]:
        lines = []
        for raw in (self.logs / f"{name}.log").read_text(errors="replace").splitlines():
            try:
                lines.append(json.loads(raw))
            except ValueError:
                lines.append({"message": raw, "level": "RAW"})
        return lines


class Probes:
    """An operator and the ad server polling the read endpoints every half second."""

    def __init__(self, url: str, token: str, admin: str) -> None:
        self.url = url
        self.requests = {
            "GET /v1/pacing": ("GET", "/v1/pacing", token, None),
            "POST /graphql": ("POST", "/graphql", admin, {"query": "{ viewer { role } }"}),
            "GET /metrics": ("GET", "/metrics", None, None),
            "GET /readyz": ("GET", "/readyz", None, None),
        }
        self.answers: dict[str, list[Answer]] = {name: [] for name in self.requests}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        with httpx.Client(base_url=self.url, timeout=10) as client:
            while not self._stop.wait(0.5):
                for name, (method, path, token, body) in self.requests.items():
                    headers = {"Authorization": f"Bearer {token}"} if token else {}
                    try:
                        response = client.request(method, path, headers=headers, json=body)
                        status, retry = response.status_code, response.headers.get("retry-after")
                    except httpx.TransportError:
                        status, retry = 0, None
                    self.answers[name].append(Answer(time.monotonic(), status, retry, False))


def seed(database_url: str) -> tuple[list[int], str, str]:
    """Four advertisers in four timezones, 25 campaigns each, one ad group and ad each."""
    settings = Settings(database_url=database_url)
    engine = make_engine(settings)
    ads = []
    with session_factory(engine)() as session:
        for n, timezone in enumerate(TIMEZONES):
            advertiser = factories.advertiser(session, name=f"Drill {n}", timezone=timezone)
            for c in range(25):
                campaign = factories.campaign(
                    session, advertiser.id, name=f"D{n}-{c}", budget_micros=10**15
                )
                group = factories.ad_group(session, campaign.id)
                ads.append(factories.ad(session, group.id, name=f"A{n}-{c}").id)
        service = create_token(session, role=Role.SERVICE)[1]
        admin = create_token(session, role=Role.ADMIN)[1]
    engine.dispose()
    return ads, service, admin


def kill_mid_aggregation(deployment: Deployment, database_url: str, broker_url: str) -> Fault:
    """Hand the workers an aggregation, wait until one runs it, SIGKILL that worker."""
    settings = Settings(database_url=database_url, broker_url=broker_url)
    broker = build_broker(settings)
    actors = declare_actors(broker, settings)
    engine = create_engine(database_url.replace("postgresql://", "postgresql+psycopg://", 1))
    started = time.monotonic()
    actors["billing.aggregate"].send(time.time())
    victim, query = None, ""
    with engine.connect() as connection:
        while victim is None and time.monotonic() - started < 120:
            row = connection.execute(
                text(
                    "SELECT application_name, query FROM pg_stat_activity "
                    "WHERE application_name LIKE 'drill-worker-%' AND xact_start IS NOT NULL "
                    "AND query ILIKE '%billing_%' ORDER BY xact_start LIMIT 1"
                )
            ).first()
            if row is not None:
                victim, query = row[0].removeprefix("drill-"), " ".join(row[1].split())[:120]
            else:
                connection.rollback()
                time.sleep(0.01)
    engine.dispose()
    broker.close()
    if victim is None:
        raise RuntimeError("no worker was seen aggregating within two minutes")
    deployment.kill_and_restart(victim)
    restored = time.monotonic()
    return Fault(
        "worker killed mid-aggregation",
        started,
        restored,
        notes={"killed": victim, "its statement": query},
    )


def outage(name: str, stop: Any, start: Any, seconds: float) -> Fault:
    started = time.monotonic()
    stop()
    time.sleep(seconds)
    start()
    return Fault(name, started, time.monotonic())


def client_view(fault: Fault, answers: list[Answer]) -> dict[str, Any]:
    """What one endpoint's clients saw from the fault's start to the next fault's."""
    window = [a for a in answers if fault.started <= a.at < fault.ended]
    statuses = Counter("no answer" if a.status == 0 else str(a.status) for a in window)
    retry_after = sorted({a.retry_after for a in window if a.status == 503 and a.retry_after})
    failed = [a for a in window if a.status != 200]
    recovered = next((a.at for a in window if a.at >= fault.restored and a.status == 200), None)
    return {
        "statuses": dict(sorted(statuses.items())),
        "retry_after": retry_after,
        "seconds_failing": round(failed[-1].at - failed[0].at, 2) if failed else 0.0,
        "seconds_to_recover": (
            round(recovered - fault.restored, 2) if failed and recovered else 0.0
        ),
    }


def acknowledged_rate(fault: Fault, load: Load) -> int:
    """New events acknowledged per second over the fault's window (resends aside)."""
    window = [a for a in load.answers if fault.started <= a.at < fault.ended]
    batches = sum(a.status == 200 and not a.resend for a in window)
    return round(batches * load.batch / max(fault.ended - fault.started, 1e-9))


def log_view(deployment: Deployment, name: str) -> dict[str, Any]:
    """What a process logged over the drill: warnings, errors, tracebacks, outage lines."""
    lines = deployment.log_lines(name)
    levels = Counter(line.get("level", "?") for line in lines)
    return {
        "lines": len(lines),
        "warnings": levels.get("WARNING", 0),
        "errors": levels.get("ERROR", 0) + levels.get("CRITICAL", 0),
        "tracebacks": sum("Traceback" in json.dumps(line) for line in lines),
        "outage lines": [
            {k: line[k] for k in ("message", "seconds", "failures") if k in line}
            for line in lines
            if str(line.get("message", "")).endswith(("unavailable", "available again"))
        ],
    }


def drill(
    kind: str, *, outage_seconds: float, senders: int, warmup: float, out: Path
) -> dict[str, Any]:
    """One drill on one broker; the processes' logs are kept under `out`, the servers'
    data directories removed."""
    base = Path(tempfile.mkdtemp(prefix=f"ads-drill-{kind}-"))
    if os.geteuid() == 0:
        os.chmod(base, 0o755)
    postgres = Postgres(base)
    postgres.start()
    postgres.create_database()
    broker: RedisServer | RabbitMQ = redis_server(base) if kind == "redis" else RabbitMQ(base)
    broker.start()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("ADS_")},
        "PYTHONPATH": str(REPO),
        "ADS_DATABASE_URL": postgres.url,
        "ADS_BROKER_URL": broker.url,
        "ADS_ENV": "production",
        "ADS_PACING_TICK_SECONDS": "10",
        "ADS_PACING_SHARDS": "4",
        "ADS_BILLING_SETTLE_SECONDS": "2",
        "ADS_BILLING_LATE_ALLOWANCE_SECONDS": "0",
        "ADS_EXPORT_DIR": str(base / "exports"),
    }
    deployment = Deployment(base, env)
    faults: list[Fault] = []
    try:
        subprocess.run([*ADS, "migrate"], env=env, cwd=base, check=True, capture_output=True)
        ads, token, admin = seed(postgres.url)
        deployment.start_all()
        deployment.supervise()
        day = (datetime.now(UTC) - timedelta(days=2)).replace(
            hour=0, minute=0, second=0, microsecond=0
        )
        load = Load(deployment.url, token, ads, day=day, senders=senders)
        probes = Probes(deployment.url, token, admin)
        began = time.monotonic()
        load.start()
        probes.start()
        time.sleep(warmup)  # a backlog for the aggregation to chew on
        faults.append(Fault("no fault (warm-up): the baseline", began, began))
        faults.append(kill_mid_aggregation(deployment, postgres.url, broker.url))
        time.sleep(15)
        faults.append(outage("broker restarted", broker.stop, broker.start, outage_seconds))
        time.sleep(15)
        faults.append(outage("database restarted", postgres.stop, postgres.start, outage_seconds))
        time.sleep(20)
        for fault, following in zip(faults, [*faults[1:], None], strict=True):
            fault.ended = following.started if following else time.monotonic()
        load.stop()
        probes.stop()
        loaded = time.monotonic() - began
        time.sleep(3)  # past the settle time of the last events
        for action in (["aggregate"], ["close-days"]):
            subprocess.run(
                [*ADS, "billing", *action], env=env, cwd=base, check=True, capture_output=True
            )
        findings = check(
            postgres.url,
            load.tally.acknowledged,
            first=(day - timedelta(days=1)).date(),
            last=(day + timedelta(days=1)).date(),
            env=env,
        )
    finally:
        deployment.stop_all()
        if isinstance(broker, RabbitMQ):
            broker.close()
        else:
            broker.stop()
        with suppress(subprocess.CalledProcessError):
            postgres.stop()
        shutil.copytree(deployment.logs, out / f"{kind}-logs", dirs_exist_ok=True)
        deployment.logs = out / f"{kind}-logs"  # the servers' data and their copy go next
        shutil.rmtree(base, ignore_errors=True)
    views = {
        fault.name: {
            "notes": fault.notes,
            "events acknowledged per second": acknowledged_rate(fault, load),
            "POST /v1/events": client_view(fault, load.answers),
            **{name: client_view(fault, answers) for name, answers in probes.answers.items()},
        }
        for fault in faults
    }
    tally = load.tally
    return {
        "broker": kind,
        "load_seconds": round(loaded, 1),
        "events_acknowledged": len(tally.acknowledged),
        "events_per_second": round(len(tally.acknowledged) / loaded),
        "batches_posted": len(load.answers),
        "events_resent": tally.resent_events,
        "resent_reported_duplicate": tally.resent_reported_duplicate,
        "events_rejected": tally.rejected,
        "events_abandoned": tally.abandoned,
        "findings": asdict(findings) | {"clean": findings.clean},
        "faults": views,
        "logs": {name: log_view(deployment, name) for name in deployment.processes},
        "restarted_by_the_supervisor": [
            {**exit, "at": round(exit["at"] - began, 1)} for exit in deployment.exits
        ],
        "logs_dir": str(out / f"{kind}-logs"),
    }


def print_report(result: dict[str, Any]) -> None:
    f: dict[str, Any] = result["findings"]
    print(
        f"\n== fault drill on {result['broker']}: {result['events_acknowledged']:,} events "
        f"acknowledged in {result['load_seconds']} s ({result['events_per_second']:,}/s) =="
    )
    print(
        f"  stored {f['stored']:,}, acknowledged {f['acknowledged']:,}: lost {f['lost']}, "
        f"stored but never acknowledged {f['unacknowledged']}"
    )
    print(
        f"  resent {result['events_resent']:,} events, reported duplicate "
        f"{result['resent_reported_duplicate']:,}; rejected {result['events_rejected']}, "
        f"abandoned {result['events_abandoned']}"
    )
    for name, count in f["disagreements"].items():
        print(f"  {name} rows disagreeing with the raw events: {count}")
    print(f"  ledger rows {f['ledger_rows']:,}; ads billing reconcile: {f['reconcile']}")
    print(
        f"  => {'CLEAN: 0 lost, 0 counted twice, 0 charged twice' if f['clean'] else 'NOT CLEAN'}"
    )
    for name, view in result["faults"].items():
        print(
            f"  -- {name} {view['notes'] or ''}: "
            f"{view['events acknowledged per second']:,} events acknowledged/s"
        )
        for endpoint, seen in view.items():
            if not isinstance(seen, dict) or endpoint == "notes":
                continue
            print(
                f"     {endpoint:17s} {seen['statuses']}  Retry-After {seen['retry_after'] or '-'}"
                f"  failing {seen['seconds_failing']} s, recovered "
                f"{seen['seconds_to_recover']} s after the fault ended"
            )
    for exit in result["restarted_by_the_supervisor"]:
        print(
            f"  {exit['process']} exited with status {exit['exit status']} at "
            f"{exit['at']} s into the load; the supervisor started it again"
        )
    for name, logs in result["logs"].items():
        print(
            f"  log of {name}: {logs['lines']} lines, {logs['warnings']} warnings, "
            f"{logs['errors']} errors, {logs['tracebacks']} tracebacks; {logs['outage lines']}"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--broker", choices=["redis", "rabbitmq", "both"], default="both")
    parser.add_argument("--outage", type=float, default=20.0, help="seconds each server is down")
    parser.add_argument("--senders", type=int, default=2, help="ad server threads posting")
    parser.add_argument("--warmup", type=float, default=30.0, help="seconds of load first")
    parser.add_argument("--out", default="var/fault-drill", help="directory for the JSON")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    clean = True
    for kind in ["redis", "rabbitmq"] if args.broker == "both" else [args.broker]:
        result = drill(
            kind, outage_seconds=args.outage, senders=args.senders, warmup=args.warmup, out=out
        )
        (out / f"{kind}.json").write_text(json.dumps(result, indent=2, default=str))
        print_report(result)
        clean = clean and result["findings"]["clean"]
    return 0 if clean else 1


if __name__ == "__main__":
    sys.exit(main())
