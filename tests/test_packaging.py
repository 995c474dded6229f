"""The wheel as a user gets it: built, installed (not editable) in a fresh virtual
environment, then migrating a new database and answering GraphQL from outside the repo.

Everything else in the suite imports `ads` from the checkout, where files the wheel
forgot (the SDL, migrations, scenarios) are still at hand; only this test sees them missing.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.packaging

REPO = Path(__file__).resolve().parents[1]
# What a build must not see: caches and a stale `build/` would leak old files into the wheel.
NOT_SOURCE = shutil.ignore_patterns(
    ".git", ".venv", "build", "dist", "var", "bench", "tests", "*.egg-info", "__pycache__",
    ".*_cache", ".hypothesis",
)  # fmt: skip


def _run(*args: str | Path, cwd: Path, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, f"{args} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment with the wheel of this checkout and its dependencies."""
    work = tmp_path_factory.mktemp("packaging")
    source = work / "source"
    shutil.copytree(REPO, source, symlinks=True, ignore=NOT_SOURCE)
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    _run(*pip, "wheel", "--no-deps", "-w", work / "dist", source, cwd=work)
    (wheel,) = (work / "dist").glob("adsbackend-*.whl")
    _run(sys.executable, "-m", "venv", "--without-pip", work / "venv", cwd=work)
    python = work / "venv" / "bin" / "python"
    _run(*pip, "--python", python, "install", wheel, cwd=work)
    return work / "venv"


@pytest.fixture
def environment(venv: Path, tmp_path: Path) -> dict[str, str]:
    """The process environment for the venv's `ads`: none of the suite's settings or paths."""
    inherited = {
        k: v for k, v in os.environ.items() if not k.startswith(("ADS_", "PYTHON", "VIRTUAL_ENV"))
    }
    return inherited | {
        "PATH": f"{venv / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}",
        "ADS_DATABASE_URL": f"sqlite:///{tmp_path / 'wheel.db'}",
        "ADS_EXPORT_DIR": str(tmp_path / "exports"),
    }


@pytest.fixture
def server(venv: Path, environment: dict[str, str], tmp_path: Path) -> Iterator[str]:
    """`ads serve` from the venv on a free port, migrated; yields its base URL."""
    ads = venv / "bin" / "ads"
    assert "database is at revision" in _run(ads, "migrate", cwd=tmp_path, env=environment)
    port = _free_port()
    process = subprocess.Popen(
        [ads, "serve", "--port", str(port)],
        cwd=tmp_path,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        status = None
        while time.monotonic() < deadline and status != 200 and process.poll() is None:
            try:
                status = httpx.get(f"{base}/readyz", timeout=1).status_code
            except httpx.TransportError:
                time.sleep(0.2)
        assert status == 200, f"ads serve did not get ready (exit {process.poll()})"
        yield base
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=30)
        print(err[-4000:], file=sys.stderr)  # shown by pytest when the test fails


def test_the_wheel_is_what_runs(venv: Path, tmp_path: Path) -> None:
    location = _run(
        venv / "bin" / "python", "-c", "import ads, graphql; print(ads.__file__, graphql.__file__)",
        cwd=tmp_path,
    )  # fmt: skip
    site_packages = str(venv / "lib")
    assert all(path.startswith(site_packages) for path in location.split()), location


def test_installed_wheel_migrates_and_answers_graphql(
    server: str, venv: Path, environment: dict[str, str], tmp_path: Path
) -> None:
    created = _run(
        venv / "bin" / "ads", "token", "create", "--role", "ADMIN", cwd=tmp_path, env=environment
    )
    token = created.strip().splitlines()[-1]
    response = httpx.post(
        f"{server}/graphql",
        json={"query": "{ viewer { role } }"},
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    answer = response.json()
    assert "errors" not in answer, answer
    assert answer["data"] == {"viewer": {"role": "ADMIN"}}


TINY_SCENARIO = """
name = "tiny"

[traffic]
opportunities_per_day = 20000
regions = [{ name = "us", timezone = "America/New_York" }]
surges = []

[population]
campaigns = 6
currencies = [{ code = "USD", usd_per_unit = 1.0, timezone = "America/New_York" }]
"""


def test_installed_wheel_simulates_without_the_plot_extra(
    venv: Path, environment: dict[str, str], tmp_path: Path
) -> None:
    python = venv / "bin" / "python"
    script = "from ads.simulation.market.scenario import bundled_scenarios as b; print(*b())"
    bundled = _run(python, "-c", script, cwd=tmp_path)
    assert "default" in bundled.split()
    scenario = tmp_path / "tiny.toml"
    scenario.write_text(TINY_SCENARIO)
    result = subprocess.run(
        [venv / "bin" / "ads", "simulate", "--scenario", scenario, "--backend", "memory",
         "--days", "1", "--warmup-days", "0", "--out", tmp_path / "out"],
        cwd=tmp_path, env=environment, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "pip install 'adsbackend[plot]'" in result.stderr
    assert (tmp_path / "out" / "metrics.json").exists()
