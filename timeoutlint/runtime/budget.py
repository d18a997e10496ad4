"""``Budget``: one time limit shared by the consecutive steps of an operation.

Replaces hand-written remaining-time bookkeeping (timeoutlint rule TL401)::

    budget = Budget(timeout)
    with budget.phase("convert"):
        convert(timeout=budget.remaining)
    with budget.phase("build"):
        build(timeout=budget.remaining)

A Budget is immutable once built: every property is computed from its clock (``time.monotonic``
unless another is injected), so one Budget can be shared freely between threads and tasks.
"""

from __future__ import annotations

import time
from types import TracebackType
from typing import TYPE_CHECKING, Callable, Optional, Type

from timeoutlint.runtime._seconds import normalize_seconds

if TYPE_CHECKING:
    from timeoutlint.runtime._aio import TimeoutScope

__all__ = ["Budget", "BudgetExceeded"]

Clock = Callable[[], float]


class BudgetExceeded(TimeoutError):
    """A :class:`Budget` ran out. A subclass of the builtin ``TimeoutError``.

    ``str(exc)`` is the custom message given to ``phase``/``check``/``async_timeout`` when there
    was one, so code rewritten to a Budget keeps its original error text. The attributes say
    what ran out: ``phase`` (``None`` outside a named phase), ``total`` and ``elapsed`` (seconds).
    """

    def __init__(
        self,
        message: str,
        *,
        phase: str | None = None,
        total: float | None = None,
        elapsed: float | None = None,
    ) -> None:
        super().__init__(message)
        self.phase = phase
        self.total = total
        self.elapsed = elapsed


class Budget:
    """A time budget of ``total`` seconds, starting now.

    ``Budget(None)`` (or ``math.inf``) is unlimited: it never expires, ``remaining``,
    ``deadline`` and ``timeout()`` are ``None``. A negative total is an already-spent budget,
    as a negative timeout is for ``Future.result``. ``clock`` must be monotonic; it is injectable
    for tests (``Budget(5, clock=fake_clock)``).
    """

    __slots__ = ("_clock", "_start", "_total", "_deadline", "__weakref__")

    def __init__(self, total: float | None, *, clock: Clock = time.monotonic) -> None:
        seconds = normalize_seconds(total, "Budget total")
        self._clock = clock
        self._start = clock()
        self._total = seconds
        self._deadline = None if seconds is None else self._start + seconds

    # -- reading the budget ---------------------------------------------------------------

    @property
    def total(self) -> float | None:
        """Seconds the budget allows from its start (a child's is capped by its parent)."""
        return self._total

    @property
    def deadline(self) -> float | None:
        """The clock reading (``time.monotonic()`` by default) at which the budget is spent."""
        return self._deadline

    @property
    def elapsed(self) -> float:
        """Seconds since the budget was created."""
        return max(self._clock() - self._start, 0.0)

    @property
    def remaining(self) -> float | None:
        """Seconds left, never negative; ``None`` if unlimited."""
        if self._deadline is None:
            return None
        return max(self._deadline - self._clock(), 0.0)

    @property
    def expired(self) -> bool:
        """True once the deadline is reached (``remaining == 0``); never for unlimited."""
        return self._deadline is not None and self._clock() >= self._deadline

    def timeout(self, cap: float | None = None) -> float | None:
        """The remaining time, at most ``cap``, for a ``timeout=`` argument.

        ``None`` only when the budget is unlimited and there is no cap; ``None``/``math.inf`` as
        ``cap`` mean no cap.
        """
        limit = normalize_seconds(cap, "cap")
        remaining = self.remaining
        if remaining is None:
            return limit
        if limit is None:
            return remaining
        return min(remaining, limit)

    # -- enforcing it ---------------------------------------------------------------------

    def check(self, phase: str | None = None, *, message: str | None = None) -> None:
        """Raise :class:`BudgetExceeded` if the budget is spent, else do nothing.

        ``phase`` names the step in the default message and on the exception; ``message``
        replaces the default message.
        """
        if self._deadline is None:
            return
        now = self._clock()
        if now >= self._deadline:
            raise self._exceeded(now, phase, message)

    def phase(self, name: str, *, message: str | None = None) -> Phase:
        """Context manager for one step: on a normal exit, ``check(name, message=message)``.

        The block is not interrupted (pass ``budget.remaining`` or ``budget.timeout()`` to the
        calls inside it); an exception leaving the block propagates unchanged.
        """
        return Phase(self, name, message)

    def async_timeout(
        self, phase: str | None = None, *, message: str | None = None
    ) -> AsyncTimeout:
        """Async context manager: cancel the block when the budget runs out.

        Opens an ``asyncio`` timeout scope for the remaining time (``asyncio.timeout`` on 3.11+,
        an equivalent on 3.9/3.10). If the deadline interrupts the block, :class:`BudgetExceeded`
        (naming ``phase``, with ``message`` if given) is raised from the ``CancelledError``. A
        block that finishes in time is untouched; other exceptions and outer cancellations pass
        through unchanged. Unlimited budgets open a scope without a deadline.
        """
        return AsyncTimeout(self, phase, message)

    def child(self, seconds: float | None) -> Budget:
        """A budget of ``seconds`` starting now that never outlives this one.

        Its deadline is the earlier of its own and this budget's (``seconds=None``: this one's).
        """
        child = Budget(seconds, clock=self._clock)
        parent_deadline = self._deadline
        if parent_deadline is not None and (
            child._deadline is None or child._deadline > parent_deadline
        ):
            child._deadline = parent_deadline
            child._total = max(parent_deadline - child._start, 0.0)
        return child

    def __repr__(self) -> str:
        now = self._clock()
        elapsed = max(now - self._start, 0.0)
        if self._deadline is None:
            return f"<Budget unlimited elapsed={elapsed:.3f}s>"
        remaining = max(self._deadline - now, 0.0)
        state = " expired" if now >= self._deadline else ""
        return (
            f"<Budget total={_format_seconds(self._total)}s elapsed={elapsed:.3f}s "
            f"remaining={remaining:.3f}s{state}>"
        )

    def _exceeded(
        self, now: float, phase: str | None, message: str | None
    ) -> BudgetExceeded:
        elapsed = max(now - self._start, 0.0)
        if message is None:
            where = "" if phase is None else f" in phase {phase!r}"
            total = _format_seconds(self._total)
            message = f"timeout budget of {total}s exceeded{where} ({elapsed:.3f}s elapsed)"
        return BudgetExceeded(message, phase=phase, total=self._total, elapsed=elapsed)


def _format_seconds(value: float | None) -> str:
    """Seconds for messages: millisecond precision without trailing zeros (``5``, ``0.25``)."""
    return "unlimited" if value is None else f"{value:.3f}".rstrip("0").rstrip(".")


class Phase:
    """Returned by :meth:`Budget.phase`; checks the budget when the block ends normally."""

    __slots__ = ("budget", "name", "message")

    def __init__(self, budget: Budget, name: str, message: str | None) -> None:
        self.budget = budget
        self.name = name
        self.message = message

    def __enter__(self) -> Budget:
        return self.budget

    def __exit__(
        self,
        exc_type: Optional[Type[BaseException]],
        exc_val: Optional[BaseException],
        exc_tb: Optional[TracebackType],
    ) -> None:
        if exc_type is None:
            self.budget.check(self.name, message=self.message)

    def __repr__(self) -> str:
        return f"<Phase {self.name!r} of {self.budget!r}>"


class AsyncTimeout:
    """Returned by :meth:`Budget.async_timeout`; one ``async with`` per object."""

    __slots__ = ("budget", "phase", "message", "_scope")

    def __init__(self, budget: Budget, phase: str | None, message: str | None) -> None:
        self.budget = budget
        self.phase = phase
        self.message = message
        self._scope: TimeoutScope | None = None

    async def __aenter__(self) -> Budget:
        if self._scope is not None:
            raise RuntimeError("this async_timeout() scope has already been entered")
        # Imported here so that importing the runtime does not import asyncio.
        from timeoutlint.runtime import _aio

        scope = _aio.timeout(self.budget.remaining)
        self._scope = scope
        await scope.__aenter__()
        return self.budget

    async def __aexit__(
        self,
        exc_type: Optional[Type[BaseException]],
        exc_val: Optional[BaseException],
        exc_tb: Optional[TracebackType],
    ) -> None:
        scope = self._scope
        assert scope is not None, "__aexit__ without __aenter__"
        try:
            await scope.__aexit__(exc_type, exc_val, exc_tb)
        except TimeoutError as converted:
            # The scope raises a fresh TimeoutError only when its own deadline cancelled the
            # block; a TimeoutError raised by the block itself is exc_val and not re-raised here.
            if converted is exc_val or not scope.expired():
                raise
            budget = self.budget
            raise budget._exceeded(budget._clock(), self.phase, self.message) from exc_val

    def __repr__(self) -> str:
        phase = "" if self.phase is None else f" {self.phase!r}"
        return f"<AsyncTimeout{phase} of {self.budget!r}>"
