from workers.scheduler import PeriodicJob, Scheduler


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
