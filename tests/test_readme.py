"""The README's "Using it" commands, run in order right after the demo starts, all succeed."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]


def _using_it() -> str:
    readme = (REPO / "README.md").read_text()
    section = readme.split("## Using it", 1)[1]
    return re.search(r"```sh\n(.*?)```", section, re.S).group(1)  # type: ignore[union-attr]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_the_readme_commands_succeed_right_after_the_demo_starts(tmp_path: Path) -> None:
    (tmp_path / ".venv").symlink_to(Path(sys.prefix))
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("ADS_")}
    env |= {"ADS_DATABASE_URL": f"sqlite:///{tmp_path / 'ads.db'}", "ADS_LOG_LEVEL": "WARNING"}
    ads = [sys.executable, "-m", "ads.cli"]
    for step in (["migrate"], ["seed", "--demo"]):  # what scripts/demo does before serving
        subprocess.run([*ads, *step], cwd=tmp_path, env=env, check=True, capture_output=True)
    server = subprocess.Popen(
        [*ads, "serve", "--host", "127.0.0.1", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/readyz").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "the demo server did not get ready"
            assert server.poll() is None, server.stderr.read()  # type: ignore[union-attr]
            time.sleep(0.2)
        script = _using_it().replace("localhost:8000", f"127.0.0.1:{port}")
        script = script.replace("127.0.0.1:8000", f"127.0.0.1:{port}")
        # Every line must succeed: a failing command, or an HTTP error, stops the script.
        prelude = 'set -euo pipefail\ncurl() { command curl --fail-with-body "$@"; }\n'
        result = subprocess.run(
            ["bash", "-c", prelude + script],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    out = result.stdout
    assert '"errors":[{' not in out  # no GraphQL error, no rejected event
    assert '"accepted":1' in out
    assert "Invoice INV-" in out
    assert (tmp_path / "invoice.pdf").read_bytes().startswith(b"%PDF-")
    assert (tmp_path / "invoice-1.pdf").read_bytes().startswith(b"%PDF-")
    rows = (tmp_path / "recent.csv").read_text().splitlines()
    assert len(rows) > 1, "the demo's delivery history is in the export"
