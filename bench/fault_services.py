"""Throwaway PostgreSQL, Redis and RabbitMQ servers that the fault drill stops and restarts.

(Redis is the test suite's `tests.redis_server.RedisServer`, with the production settings.)

Each keeps its data directory across a restart (a restart, not a new server), listens
on loopback only, and is installed with apt-get when missing, as on a fresh CI machine.
PostgreSQL runs as `postgres` and RabbitMQ as `rabbitmq` when the drill runs as root
(they refuse root), each with its own ports, so nothing shared is touched.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

from tests.redis_server import DURABLE, RedisServer

_APT_INSTALL = Path(__file__).resolve().parents[1] / "scripts" / "apt-install"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _is_root() -> bool:
    return os.geteuid() == 0


def _as(user: str, command: list[str]) -> list[str]:
    return ["runuser", "-u", user, "--", *command] if _is_root() else command


def apt_install(package: str) -> None:
    """Install a Debian package without starting its service (scripts/apt-install)."""
    subprocess.run([str(_APT_INSTALL), package], check=True)


def _wait(ready: Callable[[], bool], what: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not ready():
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what} did not come up in {timeout:.0f} s")
        time.sleep(0.1)


def _accepts(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


class Postgres:
    def __init__(self, base: Path) -> None:
        initdbs = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
        if not initdbs:
            apt_install("postgresql")
            initdbs = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
        self.bin = Path(initdbs[-1]).parent
        self.dir = base / "postgres"
        self.dir.mkdir()
        if _is_root():
            shutil.chown(self.dir, "postgres")
        self.port = free_port()
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/ads"
        self._pg(
            ["initdb", "-D", str(self.dir / "data"), "-A", "trust", "-U", "postgres", "--no-sync"]
        )

    def _pg(self, command: list[str]) -> None:
        tool = [str(self.bin / command[0]), *command[1:]]
        subprocess.run(
            _as("postgres", tool),
            cwd=self.dir,
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def start(self) -> None:
        options = (
            f"-h 127.0.0.1 -p {self.port} -k {self.dir} -c max_connections=200 "
            "-c fsync=on -c synchronous_commit=on"
        )
        self._pg(
            [
                "pg_ctl",
                "start",
                "-D",
                str(self.dir / "data"),
                "-w",
                "-t",
                "120",
                "-l",
                str(self.dir / "postgres.log"),
                "-o",
                options,
            ]
        )

    def create_database(self) -> None:
        self._pg(["createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "ads"])

    def stop(self) -> None:
        """A fast shutdown: sessions are terminated, as in a failover or a restart."""
        self._pg(["pg_ctl", "stop", "-D", str(self.dir / "data"), "-m", "fast", "-w"])


def redis_server(base: Path) -> RedisServer:
    """Redis with the persistence production needs (README): its queue survives a restart."""
    if shutil.which("redis-server") is None:
        apt_install("redis-server")
    directory = base / "redis"
    directory.mkdir()
    return RedisServer(directory, *DURABLE)


class RabbitMQ:
    """Debian's rabbitmq-server on its own ports, node name and base directory."""

    BIN = Path("/usr/lib/rabbitmq/bin")

    def __init__(self, base: Path) -> None:
        if not (self.BIN / "rabbitmq-server").exists():
            apt_install("rabbitmq-server")
        self.dir = base / "rabbitmq"
        self.dir.mkdir()
        self.port, self.dist_port, self.epmd_port = free_port(), free_port(), free_port()
        self.node = f"ads-drill-{self.port}@localhost"
        self.url = f"amqp://guest:guest@127.0.0.1:{self.port}/%2F"
        (self.dir / "rabbitmq.conf").write_text(f"listeners.tcp.default = 127.0.0.1:{self.port}\n")
        (self.dir / "enabled_plugins").write_text("[].\n")
        if _is_root():
            for path in (self.dir, *self.dir.iterdir()):
                shutil.chown(path, "rabbitmq")
        self.process: subprocess.Popen[bytes] | None = None

    def _env(self) -> list[str]:
        base = self.dir
        return [
            "env",
            f"HOME={base}",
            f"RABBITMQ_CONF_ENV_FILE={base}/rabbitmq-env.conf",
            f"RABBITMQ_CONFIG_FILE={base}/rabbitmq.conf",
            f"RABBITMQ_ADVANCED_CONFIG_FILE={base}/advanced.config",
            f"RABBITMQ_ENABLED_PLUGINS_FILE={base}/enabled_plugins",
            f"RABBITMQ_MNESIA_BASE={base}/mnesia",
            f"RABBITMQ_LOG_BASE={base}/log",
            f"RABBITMQ_PID_FILE={base}/rabbit.pid",
            f"RABBITMQ_NODENAME={self.node}",
            "RABBITMQ_NODE_IP_ADDRESS=127.0.0.1",
            f"RABBITMQ_NODE_PORT={self.port}",
            f"RABBITMQ_DIST_PORT={self.dist_port}",
            f"ERL_EPMD_PORT={self.epmd_port}",
            "ERL_EPMD_ADDRESS=127.0.0.1",
        ]

    def _ctl(self, *args: str) -> bool:
        command = _as(
            "rabbitmq", [*self._env(), str(self.BIN / "rabbitmqctl"), "-q", "-n", self.node, *args]
        )
        return (
            subprocess.run(
                command,
                cwd=self.dir,
                check=False,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            ).returncode
            == 0
        )

    def start(self) -> None:
        log = (self.dir / "server.log").open("ab")
        self.process = subprocess.Popen(
            _as("rabbitmq", [*self._env(), str(self.BIN / "rabbitmq-server")]),
            cwd=self.dir,
            stdout=log,
            stderr=log,
        )
        _wait(lambda: self._ctl("await_startup", "--timeout", "5"), "RabbitMQ", timeout=300)

    def stop(self) -> None:
        """`rabbitmqctl stop`: what a service manager does on restart."""
        if self.process is None:
            return
        if not self._ctl("stop"):
            self.process.terminate()
        self.process.wait(timeout=120)
        self.process = None

    def close(self) -> None:
        """Stop for good, with the node's own epmd (on its own port)."""
        self.stop()
        subprocess.run(
            ["epmd", "-kill"],
            env={**os.environ, "ERL_EPMD_PORT": str(self.epmd_port)},
            check=False,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
