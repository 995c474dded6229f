"""A dependency-free progress bar for the command line, drawn on stderr."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class ProgressBar:
    """`bar.advance(n)` as work is done; redraws at most ten times a second."""

    def __init__(self, total: int, *, label: str, stream: TextIO | None = None) -> None:
        self.total = max(total, 0)
        self.done = 0
        self.label = label
        self.stream = stream or sys.stderr
        self._last = 0.0

    def advance(self, count: int) -> None:
        self.done += count
        now = time.monotonic()
        if now - self._last >= 0.1 or self.done >= self.total:
            self._last = now
            self._draw()

    def show(self, done: int, total: int) -> None:
        """The whole state at once, for work that reports its own count and total."""
        self.total = max(total, 0)
        self.advance(done - self.done)

    def _draw(self) -> None:
        width = 30
        fraction = 1.0 if self.total == 0 else min(self.done / self.total, 1.0)
        filled = int(width * fraction)
        bar = "#" * filled + "-" * (width - filled)
        self.stream.write(f"\r{self.label} [{bar}] {self.done:,}/{self.total:,} ({fraction:6.1%})")
        self.stream.flush()

    def finish(self) -> None:
        self._draw()
        self.stream.write("\n")
        self.stream.flush()
