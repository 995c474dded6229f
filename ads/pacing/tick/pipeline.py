"""One shard's tick as a pipeline of chunks: load, decide, write, with bounded memory.

A shard is read `CHUNK` campaigns at a time, in id order, and each chunk is decided and
written before it is dropped, so a tick's memory is a few chunks whatever the shard's
size. On PostgreSQL the database's work overlaps with the engine's: a database thread
runs, in order, on the session's one connection and in its one transaction, the load of
chunk n+1 and the write of chunk n while this thread decides; nothing else uses the
connection meanwhile. The first failure stops the pipeline: what follows it on the
database thread is skipped (the transaction is lost anyway) and the error is raised here,
so the caller rolls the whole shard back. SQLite runs the same steps one after another.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Generic, Protocol, TypeVar


class Chunk(Protocol):
    """What a load step returns: where the next chunk starts."""

    @property
    def last_id(self) -> int: ...


Loaded = TypeVar("Loaded", bound=Chunk)
Decided = TypeVar("Decided")


class Pipeline(Generic[Loaded, Decided]):
    """`load(after_id)` (None: no more campaigns), `decide(loaded)`, `write(loaded, decided)`."""

    def __init__(
        self,
        load: Callable[[int | None], Loaded | None],
        decide: Callable[[Loaded], Decided],
        write: Callable[[Loaded, Decided], None],
        *,
        threaded: bool,
    ) -> None:
        self.load, self.decide, self.write = load, decide, write
        self.threaded = threaded

    def run(self) -> int:
        """Process every chunk; return how many were processed."""
        if not self.threaded:
            count, loaded = 0, self.load(None)
            while loaded is not None:
                self.write(loaded, self.decide(loaded))
                count += 1
                loaded = self.load(loaded.last_id)
            return count
        return self._run_threaded()

    def _run_threaded(self) -> int:
        database = _DatabaseThread()
        try:
            count = 0
            upcoming = database.submit(self.load, None)
            while (loaded := upcoming.result()) is not None:
                upcoming = database.submit(self.load, loaded.last_id)
                database.submit(self.write, loaded, self.decide(loaded))
                count += 1
            database.finish()  # the last write, or the first error
            return count
        finally:
            database.close()


class _DatabaseThread:
    """One thread running database steps in the order given; after a failure, every
    later step fails with that same error without running."""

    def __init__(self) -> None:
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pacing-db")
        self._error: BaseException | None = None
        self._last: Future[Any] | None = None

    def submit(self, step: Callable[..., Any], *args: Any) -> Future[Any]:
        def guarded() -> Any:
            if self._error is not None:
                raise self._error
            try:
                return step(*args)
            except BaseException as exc:
                self._error = exc
                raise

        self._last = self._executor.submit(guarded)
        return self._last

    def finish(self) -> None:
        if self._last is not None:
            self._last.result()
        if self._error is not None:
            raise self._error

    def close(self) -> None:
        """Wait for the thread to be done with the connection (also after an error)."""
        self._executor.shutdown(wait=True, cancel_futures=True)
