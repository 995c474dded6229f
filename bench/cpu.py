"""CPU time of processes and of a whole PostgreSQL cluster, read from /proc (Linux).

Benchmarks on a shared machine report wall times that move with other work; the CPU
seconds a process spends per unit of work move much less, and are what a capacity model
multiplies.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from sqlalchemy import text

from ads.config import Settings
from ads.db import make_engine

TICK = os.sysconf("SC_CLK_TCK")
#: Long enough for the backends of closed connections to exit and be reaped.
REAP_SECONDS = 2


def _stat(pid: int) -> list[str]:
    # Fields after the command name (which may hold spaces), from field 3 on.
    raw = Path(f"/proc/{pid}/stat").read_text()
    return raw[raw.rindex(")") + 2 :].split()


def cpu_seconds(pid: int) -> float:
    fields = _stat(pid)
    return (int(fields[11]) + int(fields[12])) / TICK  # utime, stime


def tree(root: int) -> list[int]:
    """`root` and all its descendants, now."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parents.setdefault(int(_stat(int(entry.name))[1]), []).append(int(entry.name))
            except (FileNotFoundError, ProcessLookupError, IndexError):
                continue
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo += parents.get(pid, [])
    return found


def tree_cpu(root: int) -> float:
    """CPU seconds of `root`, its live descendants and the children it has reaped (a
    PostgreSQL backend whose connection closed is counted in the postmaster's)."""
    fields = _stat(root)
    total = (int(fields[13]) + int(fields[14])) / TICK  # cutime, cstime
    for pid in tree(root):
        try:
            total += cpu_seconds(pid)
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total


def postmaster(settings: Settings) -> int:
    engine = make_engine(settings)
    with engine.connect() as conn:
        backend = int(conn.execute(text("SELECT pg_backend_pid()")).scalar_one())
    engine.dispose()
    return int(_stat(backend)[1])


def settle() -> None:
    """Wait until closed connections' backends are counted in their postmaster's time."""
    time.sleep(REAP_SECONDS)
