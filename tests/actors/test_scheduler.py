import logging
from collections.abc import Callable

import pytest
import redis.exceptions
from dramatiq.brokers.stub import StubBroker

from ads.config import Settings
from workers.actors import declare_actors, periodic_jobs
from workers.scheduler import Missed, PeriodicJob, Scheduler


class FakeClock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_jobs_fire_on_period_boundaries_with_their_slot() -> None:
    clock = FakeClock(1000.5)
    sent: list[float] = []
    scheduler = Scheduler([PeriodicJob("tick", 60, sent.append)], clock=clock)
    assert scheduler.run_pending() == 0
    clock.now = 1020.0
    assert scheduler.run_pending() == 1
    assert sent == [1020.0]
    clock.now = 1079.9
    scheduler.run_pending()
    assert sent == [1020.0]
    clock.now = 1260.0  # a stall: one send for the slot we are in, not a burst
    scheduler.run_pending()
    assert sent == [1020.0, 1080.0]


def test_a_failing_job_does_not_stop_the_others() -> None:
    clock = FakeClock(0.0)
    sent: list[float] = []

    def broken(_slot: float) -> None:
        raise RuntimeError("broker down")

    scheduler = Scheduler(
        [PeriodicJob("bad", 10, broken), PeriodicJob("good", 10, sent.append)], clock=clock
    )
    clock.now = 10.0
    assert scheduler.run_pending() == 1
    assert sent == [10.0]


def _refusing(sent: list[float], down: list[bool]) -> Callable[[float], None]:
    """A job's send that the broker refuses while `down[0]` holds."""

    def send(slot: float) -> None:
        if down[0]:
            raise redis.exceptions.ConnectionError("Error 111 connecting. Connection refused.")
        sent.append(slot)

    return send


def test_a_slot_the_broker_refused_runs_late_once_it_is_back() -> None:
    clock, sent, down = FakeClock(0.0), [], [True]
    job = PeriodicJob("billing", 60, _refusing(sent, down), Missed.RUN_LATE, "catches up")
    scheduler = Scheduler([job], clock=clock)
    for now in (60.0, 60.5, 61.2, 75.0):
        clock.now = now
        scheduler.run_pending()
    assert sent == []
    down[0] = False
    clock.now = 76.0
    assert scheduler.run_pending() == 1
    assert sent == [60.0]
    clock.now = 100.0
    scheduler.run_pending()
    clock.now = 120.0
    scheduler.run_pending()
    assert sent == [60.0, 120.0]


def test_a_newest_slot_job_runs_only_the_newest_missed_slot() -> None:
    clock, sent, down = FakeClock(0.0), [], [True]
    job = PeriodicJob("tick", 60, _refusing(sent, down), Missed.RUN_NEWEST, "superseded")
    scheduler = Scheduler([job], clock=clock)
    for now in (60.0, 90.0, 121.0, 170.0, 185.0):
        clock.now = now
        scheduler.run_pending()
    down[0] = False
    clock.now = 190.0
    scheduler.run_pending()
    assert sent == [180.0]  # 60 and 120 are superseded by 180
    clock.now = 240.0
    scheduler.run_pending()
    assert sent == [180.0, 240.0]


def test_a_skipping_job_drops_the_refused_slot() -> None:
    clock, sent, down = FakeClock(0.0), [], [True]
    job = PeriodicJob("resend", 60, _refusing(sent, down), Missed.SKIP, "the next run finds them")
    scheduler = Scheduler([job], clock=clock)
    clock.now = 60.0
    scheduler.run_pending()
    down[0] = False
    clock.now = 61.5
    scheduler.run_pending()
    assert sent == []
    clock.now = 120.0
    scheduler.run_pending()
    assert sent == [120.0]


def test_a_broker_outage_is_logged_once_with_its_count(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    clock, sent, down = FakeClock(0.0), [], [True]
    jobs = [
        PeriodicJob("a", 10, _refusing(sent, down), Missed.RUN_LATE, "catches up"),
        PeriodicJob("b", 10, _refusing(sent, down), Missed.RUN_LATE, "catches up"),
    ]
    scheduler = Scheduler(jobs, clock=clock)
    for step in range(20):
        clock.now = 10.0 + step
        scheduler.run_pending()
    down[0] = False
    clock.now = 31.0
    scheduler.run_pending()
    assert sorted(sent) == [10.0, 10.0]
    messages = [r.getMessage() for r in caplog.records]
    assert messages.count("broker unavailable") == 1
    assert not [r for r in caplog.records if r.exc_info]
    (back,) = [r for r in caplog.records if r.getMessage() == "broker available again"]
    assert back.failures == 40  # type: ignore[attr-defined]
    late = [r for r in caplog.records if r.getMessage() == "periodic job sent late"]
    assert sorted(r.job for r in late) == ["a", "b"]  # type: ignore[attr-defined]


def test_every_periodic_job_says_what_a_missed_slot_becomes_and_why() -> None:
    settings = Settings()
    jobs = periodic_jobs(declare_actors(StubBroker(), settings), settings)
    assert {job.name for job in jobs} >= {"pacing.tick", "billing.aggregate"}
    for job in jobs:
        assert isinstance(job.missed, Missed), job.name
        assert len(job.why.split()) >= 5, job.name  # a reason, in words
    policies = {job.name: job.missed for job in jobs}
    assert policies["pacing.tick"] is Missed.RUN_NEWEST
