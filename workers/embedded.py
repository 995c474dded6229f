"""The embedded mode: an in-process broker, worker threads and the scheduler in `ads serve`."""

from __future__ import annotations

import logging
import threading

from dramatiq import Worker

from ads.config import Settings
from workers.actors import declare_actors, periodic_jobs
from workers.broker import build_broker
from workers.scheduler import Scheduler

log = logging.getLogger(__name__)


class EmbeddedRuntime:
    """Starts and stops the broker, a Dramatiq Worker and the Scheduler in this process."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.broker = build_broker(settings)
        self.actors = declare_actors(self.broker, settings)
        self.worker = Worker(
            self.broker, worker_threads=settings.worker_threads, worker_timeout=100
        )
        self.scheduler = Scheduler(periodic_jobs(self.actors, settings))
        self._thread = threading.Thread(
            target=self.scheduler.run_forever, name="scheduler", daemon=True
        )

    def start(self) -> None:
        self.worker.start()
        self._thread.start()
        log.info(
            "embedded workers started",
            extra={"actors": sorted(self.actors), "threads": self.settings.worker_threads},
        )

    def stop(self) -> None:
        self.scheduler.stop()
        self._thread.join(timeout=5)
        self.worker.stop(timeout=10_000)
        self.broker.close()
        log.info("embedded workers stopped")
