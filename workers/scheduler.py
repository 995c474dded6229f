"""The scheduler: enqueues each periodic job on its fixed period, aligned to the clock."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PeriodicJob:
    """`send` enqueues one run; it gets the scheduled time (epoch seconds) as its argument."""

    name: str
    period_seconds: float
    send: Callable[[float], object]


class Scheduler:
    """Runs until stopped; each job fires at multiples of its period (no drift).

    Jobs receive the scheduled slot time, so a slot sent twice (a restart, two
    schedulers by mistake) carries the same argument and idempotent actors ignore it.
    """

    def __init__(self, jobs: list[PeriodicJob], *, clock: Callable[[], float] = time.time) -> None:
        self.jobs = jobs
        self.clock = clock
        self._stop = threading.Event()
        self._next = {job.name: self._slot_after(job, clock()) for job in jobs}

    @staticmethod
    def _slot_after(job: PeriodicJob, now: float) -> float:
        return (now // job.period_seconds + 1) * job.period_seconds

    def run_pending(self) -> int:
        """Send every job whose slot has come; return how many were sent."""
        now = self.clock()
        sent = 0
        for job in self.jobs:
            slot = self._next[job.name]
            if now >= slot:
                try:
                    job.send(slot)
                    sent += 1
                except Exception:
                    log.exception("could not enqueue periodic job", extra={"job": job.name})
                self._next[job.name] = self._slot_after(job, now)
        return sent

    def run_forever(self, *, poll_seconds: float = 0.5) -> None:
        log.info("scheduler started", extra={"jobs": [job.name for job in self.jobs]})
        while not self._stop.is_set():
            self.run_pending()
            self._stop.wait(poll_seconds)
        log.info("scheduler stopped")

    def stop(self) -> None:
        self._stop.set()
