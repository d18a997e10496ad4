"""An asyncio timeout scope that behaves the same on Python 3.9 and later.

On 3.11+ this is ``asyncio.Timeout`` itself. On 3.9/3.10 it is :class:`FallbackTimeout`, a
re-implementation of the same state machine: the scope cancels its task at the deadline and, on
the way out, turns *its own* cancellation into ``TimeoutError`` while letting every other
cancellation through.

Telling "our" cancellation from someone else's needs bookkeeping. 3.11 counts cancel requests on
the task (``Task.cancelling()``/``Task.uncancel()``). 3.9/3.10 tasks do not, so
:class:`CancelLedger` counts the requests made by these scopes per task. That is exact for
nested scopes (the outermost expired scope reports the timeout, inner ones let the cancellation
pass, as on 3.11) and for an outer ``task.cancel()`` that arrives while no deadline has fired. It
cannot see an outer ``task.cancel()`` that lands in the same event-loop iteration *after* the
deadline fired: asyncio 3.9/3.10 merges both requests into one ``CancelledError`` and keeps no
count, so the scope reports ``TimeoutError`` (``asyncio.wait_for`` has the same limitation there).
"""

from __future__ import annotations

import asyncio
import enum
import sys
import threading
import weakref
from types import TracebackType
from typing import TYPE_CHECKING, Any, Optional, Type

if TYPE_CHECKING:
    from typing import Protocol

    Task = asyncio.Task[Any]

    class TimeoutScope(Protocol):
        """What callers of :func:`timeout` rely on (``asyncio.Timeout`` satisfies it)."""

        async def __aenter__(self) -> object: ...

        async def __aexit__(
            self,
            exc_type: Optional[Type[BaseException]],
            exc_val: Optional[BaseException],
            exc_tb: Optional[TracebackType],
        ) -> Optional[bool]: ...

        def expired(self) -> bool: ...


_HAS_NATIVE_UNCANCEL = sys.version_info >= (3, 11)


class NativeLedger:
    """Cancel-request bookkeeping kept by the task itself (Python 3.11+)."""

    def cancelling(self, task: Task) -> int:
        return task.cancelling()

    def cancel(self, task: Task) -> None:
        task.cancel()

    def uncancel(self, task: Task) -> int:
        return task.uncancel()


class CancelLedger:
    """Cancel-request bookkeeping for tasks that keep none (Python 3.9/3.10).

    Counts, per task, the cancellations requested by timeout scopes and not yet accounted for by
    the scope that requested them. Thread-safe: tasks of loops running in different threads share
    the ledger.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._requests: weakref.WeakKeyDictionary[Task, int] = weakref.WeakKeyDictionary()

    def cancelling(self, task: Task) -> int:
        with self._lock:
            return self._requests.get(task, 0)

    def cancel(self, task: Task) -> None:
        with self._lock:
            self._requests[task] = self._requests.get(task, 0) + 1
        task.cancel()

    def uncancel(self, task: Task) -> int:
        with self._lock:
            left = max(self._requests.get(task, 0) - 1, 0)
            if left:
                self._requests[task] = left
            else:
                self._requests.pop(task, None)
        if _HAS_NATIVE_UNCANCEL:
            # Keep the task's own count balanced, or a later asyncio.timeout() in this task
            # would mistake our request for an outer cancellation.
            task.uncancel()
        return left


_DEFAULT_LEDGER: NativeLedger | CancelLedger = (
    NativeLedger() if _HAS_NATIVE_UNCANCEL else CancelLedger()
)


class _State(enum.Enum):
    CREATED = "created"
    ENTERED = "active"
    EXPIRING = "expiring"
    EXPIRED = "expired"
    EXITED = "finished"


class FallbackTimeout:
    """``asyncio.Timeout`` for Python 3.9/3.10: cancel the task at loop time ``when``.

    ``when=None`` never fires; a ``when`` already past fires at the task's next suspension.
    Leaving the block after the deadline fired turns the resulting ``CancelledError`` into
    ``TimeoutError`` (chained from it), unless another cancellation is pending.
    """

    def __init__(
        self, when: float | None, *, ledger: NativeLedger | CancelLedger | None = None
    ) -> None:
        self._when = when
        self._ledger = ledger if ledger is not None else _DEFAULT_LEDGER
        self._state = _State.CREATED
        self._task: Task | None = None
        self._handle: asyncio.Handle | None = None
        self._cancelling = 0

    def when(self) -> float | None:
        return self._when

    def expired(self) -> bool:
        return self._state in (_State.EXPIRING, _State.EXPIRED)

    def __repr__(self) -> str:
        when = "" if self._when is None else f" when={self._when:.3f}"
        return f"<FallbackTimeout [{self._state.value}]{when}>"

    async def __aenter__(self) -> FallbackTimeout:
        if self._state is not _State.CREATED:
            raise RuntimeError("Timeout has already been entered")
        task = asyncio.current_task()
        if task is None:
            raise RuntimeError("Timeout should be used inside a task")
        self._task = task
        self._state = _State.ENTERED
        self._cancelling = self._ledger.cancelling(task)
        if self._when is not None:
            loop = asyncio.get_running_loop()
            if self._when <= loop.time():
                self._handle = loop.call_soon(self._on_timeout)
            else:
                self._handle = loop.call_at(self._when, self._on_timeout)
        return self

    async def __aexit__(
        self,
        exc_type: Optional[Type[BaseException]],
        exc_val: Optional[BaseException],
        exc_tb: Optional[TracebackType],
    ) -> Optional[bool]:
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None
        if self._state is _State.EXPIRING:
            self._state = _State.EXPIRED
            assert self._task is not None
            left = self._ledger.uncancel(self._task)
            if (
                left <= self._cancelling
                and exc_type is not None
                and issubclass(exc_type, asyncio.CancelledError)
            ):
                # No cancellation but ours is pending: this one is the timeout.
                raise TimeoutError from exc_val
        elif self._state is _State.ENTERED:
            self._state = _State.EXITED
        return None

    def _on_timeout(self) -> None:
        self._handle = None
        if self._state is not _State.ENTERED or self._task is None:
            return
        self._ledger.cancel(self._task)
        self._state = _State.EXPIRING


def timeout(delay: float | None) -> TimeoutScope:
    """A timeout scope for ``delay`` seconds from now (``None``: no deadline).

    Must be called with a running loop; the scope must be entered in a task of that loop.
    """
    loop = asyncio.get_running_loop()
    when = None if delay is None else loop.time() + delay
    if sys.version_info >= (3, 11):
        return asyncio.Timeout(when)
    return FallbackTimeout(when)
