"""The scheduler: enqueues each periodic job on its fixed period, aligned to the clock.

A slot the broker refuses (an outage) is not lost: each job says what becomes of it
(`Missed`) and why, and the scheduler retries every second until the broker takes it.
The outage is logged once when it starts and once when it ends (`ads.outages`), and a
slot sent late is logged with how late it was and how many slots it stood for.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from ads.outages import Dependency, OutageLog, outage_of

log = logging.getLogger(__name__)

#: How soon a slot the broker refused is offered again.
RETRY_SECONDS = 1.0


class Missed(StrEnum):
    """What becomes of a slot that could not be sent when it was due."""

    #: The first missed slot is sent as soon as the broker takes it; the later missed
    #: ones are skipped (one late run covers them).
    RUN_LATE = "run late"
    #: Only the newest missed slot is sent, as soon as the broker takes it (a later slot
    #: supersedes an earlier one).
    RUN_NEWEST = "run newest"
    #: A slot the broker refused is dropped; the next one is sent on time.
    SKIP = "skip"


@dataclass(frozen=True)
class PeriodicJob:
    """`send` enqueues one run; it gets the scheduled time (epoch seconds) as its argument.

    `missed` says what becomes of a slot that could not be sent on time, `why` why that
    is right for this job (logged with a late or skipped slot).
    """

    name: str
    period_seconds: float
    send: Callable[[float], object]
    missed: Missed = Missed.RUN_LATE
    why: str = ""


@dataclass
class _Due:
    slot: float
    retry_at: float = 0.0
    refused: int = 0


class Scheduler:
    """Runs until stopped; each job fires at multiples of its period (no drift).

    Jobs receive the scheduled slot time, so a slot sent twice (a restart, two
    schedulers by mistake) carries the same argument and idempotent actors ignore it.
    """

    def __init__(
        self,
        jobs: list[PeriodicJob],
        *,
        clock: Callable[[], float] = time.time,
        outages: OutageLog | None = None,
    ) -> None:
        self.jobs = jobs
        self.clock = clock
        self.outages = outages or OutageLog()
        self._stop = threading.Event()
        now = clock()
        self._due = {job.name: _Due(self._slot_after(job, now)) for job in jobs}

    @staticmethod
    def _slot_after(job: PeriodicJob, now: float) -> float:
        return (now // job.period_seconds + 1) * job.period_seconds

    @staticmethod
    def _slot_at(job: PeriodicJob, now: float) -> float:
        return (now // job.period_seconds) * job.period_seconds

    def run_pending(self) -> int:
        """Send every job whose slot has come; return how many were sent."""
        now = self.clock()
        sent = 0
        for job in self.jobs:
            due = self._due[job.name]
            if now < due.slot or now < due.retry_at:
                continue
            slot = due.slot
            if job.missed is Missed.RUN_NEWEST:
                slot = max(slot, self._slot_at(job, now))
            try:
                job.send(slot)
            except Exception as error:
                self._refused(job, due, now, error)
                continue
            sent += 1
            self._sent(job, due, slot, now)
        return sent

    def _sent(self, job: PeriodicJob, due: _Due, slot: float, now: float) -> None:
        if due.refused:
            self.outages.recovered(Dependency.BROKER)
        late = now - slot
        if due.refused or late >= job.period_seconds:
            log.info(
                "periodic job sent late",
                extra={
                    "job": job.name,
                    "slot": slot,
                    "late_seconds": round(late, 2),
                    # Slots due since the first missed one, but covered by this run.
                    "slots_skipped": round(
                        (self._slot_at(job, now) - due.slot) / job.period_seconds
                    ),
                    "missed": job.missed.value,
                    "why": job.why,
                },
            )
        self._due[job.name] = _Due(self._slot_after(job, now))

    def _refused(self, job: PeriodicJob, due: _Due, now: float, error: Exception) -> None:
        if outage_of(error) is None:
            # Not the broker being away: a bug, which a retry a second later would repeat.
            log.exception("could not enqueue periodic job", extra={"job": job.name})
            self._due[job.name] = _Due(self._slot_after(job, now))
            return
        self.outages.failed(Dependency.BROKER, error)
        if job.missed is Missed.SKIP:
            log.info(
                "periodic job slot skipped",
                extra={"job": job.name, "slot": due.slot, "why": job.why},
            )
            self._due[job.name] = _Due(self._slot_after(job, now))
            return
        due.refused += 1
        due.retry_at = now + RETRY_SECONDS

    def run_forever(self, *, poll_seconds: float = 0.5) -> None:
        log.info("scheduler started", extra={"jobs": [job.name for job in self.jobs]})
        while not self._stop.is_set():
            self.run_pending()
            self._stop.wait(poll_seconds)
        log.info("scheduler stopped")

    def stop(self) -> None:
        self._stop.set()
