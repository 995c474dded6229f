"""`ads serve`, `ads worker` and `ads scheduler` start, work and shut down cleanly."""

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.databases import redis_server_url


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


STARTED: list[subprocess.Popen[str]] = []


@pytest.fixture(autouse=True)
def _no_process_outlives_its_test() -> Iterator[None]:
    """A failed assertion must not leave a scheduler enqueuing ticks into the shared Redis."""
    yield
    while STARTED:
        process = STARTED.pop()
        if process.poll() is None:
            process.kill()
            process.wait(timeout=30)


def _start(*args: str, cwd: Path, env: dict[str, str]) -> subprocess.Popen[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("ADS_")} | env
    process = subprocess.Popen(
        [sys.executable, "-m", "ads.cli", *args],
        cwd=cwd,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    STARTED.append(process)
    return process


def _stop(process: subprocess.Popen[str]) -> tuple[int, str]:
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=30)
    return process.returncode, err


def _start_logging(
    *args: str, cwd: Path, env: dict[str, str]
) -> tuple[subprocess.Popen[str], Path]:
    """Start a command with its stderr (the JSON log) in a file, to watch it start up."""
    log = cwd / f"{args[0]}.log"
    environment = {k: v for k, v in os.environ.items() if not k.startswith("ADS_")} | env
    with log.open("w") as err:
        process = subprocess.Popen(
            [sys.executable, "-m", "ads.cli", *args],
            cwd=cwd,
            env=environment,
            stdout=subprocess.DEVNULL,
            stderr=err,
            text=True,
        )
    STARTED.append(process)
    return process, log


def _wait_for(log: Path, message: str, process: subprocess.Popen[str], times: int = 1) -> None:
    """Until the process logs `message` (a loaded machine starts Python slowly)."""
    deadline = time.monotonic() + 60
    while log.read_text().count(message) < times:
        assert process.poll() is None, log.read_text()
        assert time.monotonic() < deadline, f"no {message!r} in 60 s: {log.read_text()}"
        time.sleep(0.1)


def _ready(port: int) -> int | None:
    deadline = time.monotonic() + 60
    status = None
    while time.monotonic() < deadline and status != 200:
        try:
            status = httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code
        except httpx.TransportError:
            time.sleep(0.2)
    return status


def test_serve_answers_readyz_then_shuts_down_cleanly(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "ads.cli", "migrate"], cwd=tmp_path, check=True, capture_output=True
    )
    port = _free_port()
    server = _start("serve", "--port", str(port), cwd=tmp_path, env={})
    try:
        assert _ready(port) == 200
    finally:
        code, err = _stop(server)
    # uvicorn shuts down gracefully, then re-raises the signal it captured.
    assert code in (0, -signal.SIGTERM)
    assert '"message": "embedded workers stopped"' in err
    assert '"message": "stopped"' in err


def test_worker_and_scheduler_run_on_redis_and_stop_on_sigterm(tmp_path: Path) -> None:
    env = {
        "ADS_BROKER_URL": redis_server_url(db=1),
        "ADS_DATABASE_URL": f"sqlite:///{tmp_path / 'ads.db'}",
    }
    migrate = subprocess.run(  # a worker needs the schema at head
        [sys.executable, "-m", "ads.cli", "migrate"],
        cwd=tmp_path,
        env={k: v for k, v in os.environ.items() if not k.startswith("ADS_")} | env,
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert migrate.returncode == 0, migrate.stderr
    worker, worker_log = _start_logging("worker", cwd=tmp_path, env=env)
    scheduler, scheduler_log = _start_logging("scheduler", cwd=tmp_path, env=env)
    _wait_for(worker_log, "worker started", worker)
    _wait_for(scheduler_log, "scheduler started", scheduler)
    time.sleep(1)
    assert worker.poll() is None
    assert scheduler.poll() is None
    assert _stop(worker)[0] == 0
    code, _ = _stop(scheduler)
    assert code == 0
    assert "scheduler stopped" in scheduler_log.read_text()


def _refused(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run a command in the embedded mode (no ADS_* variables) to its end."""
    return subprocess.run(
        [sys.executable, "-m", "ads.cli", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={k: v for k, v in os.environ.items() if not k.startswith("ADS_")},
    )


def test_worker_refuses_the_embedded_broker(tmp_path: Path) -> None:
    result = _refused("worker", cwd=tmp_path)
    assert result.returncode == 2
    assert "needs ADS_BROKER_URL" in result.stderr


def test_serve_with_workers_runs_that_many_processes_and_stops_them(tmp_path: Path) -> None:
    env = {
        "ADS_BROKER_URL": redis_server_url(),
        "ADS_DATABASE_URL": f"sqlite:///{tmp_path / 'ads.db'}",
    }
    migrate = [sys.executable, "-m", "ads.cli", "migrate"]
    environment = {k: v for k, v in os.environ.items() if not k.startswith("ADS_")} | env
    subprocess.run(migrate, cwd=tmp_path, env=environment, check=True, capture_output=True)
    port = _free_port()
    server, log = _start_logging(
        "serve", "--port", str(port), "--workers", "2", cwd=tmp_path, env=env
    )
    try:
        assert _ready(port) == 200
        _wait_for(log, '"message": "started"', server, times=2)
    finally:
        code, _ = _stop(server)
    assert code in (0, -signal.SIGTERM)
    assert log.read_text().count('"message": "stopped"') == 2


def test_serve_refuses_workers_in_the_embedded_mode(tmp_path: Path) -> None:
    result = _refused("serve", "--workers", "2", cwd=tmp_path)
    assert result.returncode == 2
    assert "runs its workers and scheduler inside one `ads serve` process" in result.stderr


def test_worker_processes_start_and_stop_together(tmp_path: Path) -> None:
    env = {
        "ADS_BROKER_URL": redis_server_url(),
        "ADS_DATABASE_URL": f"sqlite:///{tmp_path / 'ads.db'}",
    }
    # Each worker process checks the schema first (and exits 78 without one).
    migrate = [sys.executable, "-m", "ads.cli", "migrate"]
    environment = {k: v for k, v in os.environ.items() if not k.startswith("ADS_")} | env
    subprocess.run(migrate, cwd=tmp_path, env=environment, check=True, capture_output=True)
    workers, log = _start_logging("worker", "--processes", "2", cwd=tmp_path, env=env)
    _wait_for(log, "worker started", workers, times=2)
    assert _stop(workers)[0] == 0
    assert log.read_text().count("Worker has been shut down") == 2
