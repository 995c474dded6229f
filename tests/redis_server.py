"""A Redis server of the test's own, on a loopback port, that the test may restart."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import redis

#: What production Redis needs to keep queued messages (README, Production).
DURABLE = ("--appendonly", "yes", "--appendfsync", "everysec", "--maxmemory-policy", "noeviction")
#: How scripts/with-services ran Redis before: nothing kept across a restart.
VOLATILE = ("--appendonly", "no", "--save", "")


class RedisServer:
    """`start()`, `restart()`, `stop()`: the same port and data directory throughout."""

    def __init__(self, directory: Path, *options: str) -> None:
        self.directory = directory
        self.options = options
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = int(sock.getsockname()[1])
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--dir",
                str(self.directory),
                *self.options,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        client = redis.Redis.from_url(self.url)
        while True:
            try:
                if client.ping():
                    break
            except (redis.ConnectionError, redis.exceptions.BusyLoadingError):
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        client.close()

    def stop(self) -> None:
        """SIGTERM, as a service manager stops it (Redis then flushes what it keeps)."""
        if self.process is not None:
            os.kill(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=30)
            self.process = None

    def restart(self) -> None:
        self.stop()
        self.start()
