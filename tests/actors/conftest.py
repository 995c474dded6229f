"""A real Dramatiq worker on the in-process StubBroker, with the app's actors declared."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import dramatiq
import pytest
from dramatiq import Worker

from ads.config import Settings
from workers.actors import declare_actors
from workers.broker import build_broker


@dataclass
class Runtime:
    broker: dramatiq.Broker
    worker: Worker
    actors: dict[str, dramatiq.Actor[Any, Any]]

    def drain(self, queue: str = "pacing") -> None:
        self.broker.join(queue, fail_fast=False)  # type: ignore[call-arg]
        self.worker.join()


@pytest.fixture
def runtime(settings: Settings) -> Iterator[Runtime]:
    broker = build_broker(settings)
    actors = declare_actors(broker, settings)
    for actor in actors.values():
        actor.options["max_retries"] = 0  # a failure is final here: no backoff in tests
    worker = Worker(broker, worker_threads=2, worker_timeout=50)
    worker.start()
    yield Runtime(broker, worker, actors)
    worker.stop()
    broker.close()
