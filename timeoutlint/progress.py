"""The progress line of a long run: on stderr when it is a terminal, never on a pipe or in CI.

It appears once the run has taken ``TIMEOUTLINT_PROGRESS_DELAY`` seconds (default 0.5), is
redrawn ten times a second by a thread of its own (the workers never wait for it), and is
erased when the run ends, so the report starts on a clean line."""

from __future__ import annotations

import os
import sys
import threading
import time
from types import TracebackType
from typing import Any, Callable, Optional, Type

_INTERVAL = 0.1
_ERASE = "\r\x1b[2K"


def _delay() -> float:
    try:
        return max(0.0, float(os.environ.get("TIMEOUTLINT_PROGRESS_DELAY", "0.5")))
    except ValueError:
        return 0.5


def wanted(stream: Any) -> bool:
    """A terminal a person watches: not a pipe, not a CI log, not a dumb terminal."""
    if os.environ.get("CI") or os.environ.get("TERM") == "dumb":
        return False
    return bool(getattr(stream, "isatty", lambda: False)())


class Progress:
    def __init__(self, total: int, stream: Any = None, enabled: bool = True) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = enabled and total > 0
        self.done = 0
        self.total = total
        self._files_left = total
        self._started = time.monotonic()
        self._stop = threading.Event()
        self._thread: Optional[threading.Thread] = None
        self._drawn = False

    @classmethod
    def for_run(cls, *, enabled: bool, total: int) -> "Progress":
        return cls(total, sys.stderr, enabled and wanted(sys.stderr))

    def group(self, files: int) -> Callable[[int, int], None]:
        """The callback for one batch of work over ``files`` files (its work may include
        further files read for the project's facts)."""
        base = self.done
        self._files_left -= files

        def step(done: int, total: int) -> None:
            self.done = base + done
            self.total = base + total + self._files_left

        return step

    def _line(self) -> str:
        elapsed = time.monotonic() - self._started
        return f"timeoutlint: {self.done}/{self.total} files, {elapsed:.1f}s"

    def _run(self) -> None:
        if self._stop.wait(_delay()):
            return
        while True:
            self.stream.write(_ERASE + self._line())
            self.stream.flush()
            self._drawn = True
            if self._stop.wait(_INTERVAL):
                return

    def __enter__(self) -> "Progress":
        if self.enabled:
            self._thread = threading.Thread(target=self._run, name="timeoutlint-progress", daemon=True)
            self._thread.start()
        return self

    def __exit__(
        self, kind: Optional[Type[BaseException]], value: Optional[BaseException], trace: Optional[TracebackType]
    ) -> None:
        if self._thread is None:
            return
        self._stop.set()
        self._thread.join(timeout=1.0)
        if self._drawn:
            self.stream.write(_ERASE)
            self.stream.flush()
