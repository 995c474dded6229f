"""An actor that meets a database or broker outage is retried quietly, the outage logged once.

Dramatiq logs every exception an actor raises, other than its own `Retry`, as an error
with its traceback before any middleware sees it: during a 20 s database outage each
pacing shard, aggregation and retry of theirs would add one. So each actor's function
is wrapped: an outage (`ads.outages.outage_of`) is counted in the process's `OutageLog`
and raised again as `Retry`, which the Retries middleware backs off and retries as
before; the outage's end is logged, with its count, when an actor that met it succeeds.
Every other exception is left as it was (a bug must stay loud).

Dramatiq's consumer threads, for their part, log CRITICAL once a second per queue while
the broker is away (a hundred lines for a 20 s restart): `QuietConsumers` turns those
into counts of the same `OutageLog`, whose end is logged when a message arrives again.
"""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Callable
from typing import Any

import dramatiq
from dramatiq.errors import Retry
from dramatiq.worker import ConsumerThread

from ads.outages import Dependency, OutageLog, describe, outage_of


class QuietOutages:
    """Wraps actors' functions so that outages become quiet retries (module docstring)."""

    def __init__(self, outages: OutageLog) -> None:
        self.outages = outages
        self._lock = threading.Lock()
        self._met: dict[Dependency, set[str]] = {}  # actors that met each current outage

    def wrap(self, actors: dict[str, dramatiq.Actor[Any, Any]]) -> None:
        for name, actor in actors.items():
            actor.fn = self._quiet(name, actor.fn)

    def _quiet(self, name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(fn)
        def run(*args: Any, **kwargs: Any) -> Any:
            try:
                result = fn(*args, **kwargs)
            except Exception as error:
                dependency = outage_of(error)
                if dependency is None:
                    raise
                with self._lock:
                    self._met.setdefault(dependency, set()).add(name)
                self.outages.failed(dependency, error)
                raise Retry(f"{dependency} unavailable: {describe(error)}") from error
            self._succeeded(name)
            return result

        return run

    def _succeeded(self, name: str) -> None:
        """The actor did what it failed to do during an outage: that dependency is back."""
        with self._lock:
            back = [d for d, names in self._met.items() if name in names]
            for dependency in back:
                del self._met[dependency]
        for dependency in back:
            self.outages.recovered(dependency)


CONNECTION_ERROR = "Consumer encountered a connection error"
RESTARTING = "Restarting consumer"


class QuietConsumers(dramatiq.Middleware):
    """A broker outage seen by the consumer threads: counted once, not logged per second.

    Dramatiq's consumer loggers are process-wide (one per queue name), so the filter
    acts only on records from this worker's own consumer threads and is removed when
    they stop: another worker in the same process keeps its own count.
    """

    def __init__(self, outages: OutageLog) -> None:
        self.outages = outages
        self._threads: set[int] = set()

    def after_consumer_thread_boot(self, broker: dramatiq.Broker, thread: ConsumerThread) -> None:
        self._threads.add(threading.get_ident())
        thread.logger.addFilter(self._keep)

    def before_consumer_thread_shutdown(
        self, broker: dramatiq.Broker, thread: ConsumerThread
    ) -> None:
        thread.logger.removeFilter(self._keep)
        self._threads.discard(threading.get_ident())

    def before_process_message(self, broker: dramatiq.Broker, message: Any) -> None:
        """A message came in: whatever broker outage this process saw is over."""
        if Dependency.BROKER in self.outages.down():
            self.outages.recovered(Dependency.BROKER)

    def _keep(self, record: logging.LogRecord) -> bool:
        if record.thread not in self._threads:
            return True
        text = str(record.msg)
        if text.startswith(CONNECTION_ERROR):
            error = record.args[0] if isinstance(record.args, tuple) and record.args else None
            if isinstance(error, BaseException) and outage_of(error) is Dependency.BROKER:
                self.outages.failed(Dependency.BROKER, error)
                return False
        if text.startswith(RESTARTING):
            return Dependency.BROKER not in self.outages.down()
        return True
