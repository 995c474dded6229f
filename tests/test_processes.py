"""`ads serve`, `ads worker` and `ads scheduler` start, work and shut down cleanly."""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.databases import redis_server_url


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _start(*args: str, cwd: Path, env: dict[str, str]) -> subprocess.Popen[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("ADS_")} | env
    return subprocess.Popen(
        [sys.executable, "-m", "ads.cli", *args],
        cwd=cwd,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _stop(process: subprocess.Popen[str], *, seen: str = "") -> tuple[int, str]:
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=30)
    return process.returncode, seen + err


def _wait_for(process: subprocess.Popen[str], text: str, *, timeout: float = 60) -> str:
    """Read stderr until `text` appears (the process says it is up); return what was read."""
    assert process.stderr is not None
    seen: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = process.stderr.readline()
        if not line:
            break
        seen.append(line)
        if text in line:
            return "".join(seen)
    raise AssertionError(f"{text!r} not seen; stderr so far: {''.join(seen)[-2000:]}")


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
    worker = _start("worker", cwd=tmp_path, env=env)
    scheduler = _start("scheduler", cwd=tmp_path, env=env)
    _wait_for(worker, "worker started")
    started = _wait_for(scheduler, "scheduler started")
    time.sleep(1)
    assert worker.poll() is None
    assert scheduler.poll() is None
    assert _stop(worker)[0] == 0
    code, err = _stop(scheduler, seen=started)
    assert code == 0
    assert "scheduler stopped" in err


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
