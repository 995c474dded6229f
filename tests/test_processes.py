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


def _wait_for(log: Path, message: str, process: subprocess.Popen[str]) -> None:
    """Until the process logs `message` (a loaded machine starts Python slowly)."""
    deadline = time.monotonic() + 60
    while message not in log.read_text():
        assert process.poll() is None, log.read_text()
        assert time.monotonic() < deadline, f"no {message!r} in 60 s: {log.read_text()}"
        time.sleep(0.1)


def test_serve_answers_readyz_then_shuts_down_cleanly(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "ads.cli", "migrate"], cwd=tmp_path, check=True, capture_output=True
    )
    port = _free_port()
    server = _start("serve", "--port", str(port), cwd=tmp_path, env={})
    try:
        deadline = time.monotonic() + 30
        status = None
        while time.monotonic() < deadline and status != 200:
            try:
                status = httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code
            except httpx.TransportError:
                time.sleep(0.2)
        assert status == 200
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


def test_worker_refuses_the_embedded_broker(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "ads.cli", "worker"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={k: v for k, v in os.environ.items() if not k.startswith("ADS_")},
    )
    assert result.returncode == 2
    assert "needs ADS_BROKER_URL" in result.stderr
