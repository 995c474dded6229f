"""An actor that meets a database or broker outage is retried quietly, the outage logged once.

Dramatiq logs every exception an actor raises, other than its own `Retry`, as an error
with its traceback before any middleware sees it: during a 20 s database outage each
pacing shard, aggregation and retry of theirs would add one. So each actor's function
is wrapped: an outage (`ads.outages.outage_of`) is counted in the process's `OutageLog`
and raised again as `Retry`, which the Retries middleware backs off and retries as
before; the outage's end is logged, with its count, when an actor that met it succeeds.
Every other exception is left as it was (a bug must stay loud).
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any

import dramatiq
from dramatiq.errors import Retry

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
