"""Budget.async_timeout and the asyncio timeout scope behind it, on every implementation.

Each test runs against every scope implementation usable on this Python: the stdlib
``asyncio.Timeout`` (3.11+), the 3.9/3.10 fallback with the task's own cancel counting (3.11+),
and the fallback with its own ledger (what 3.9/3.10 run). Deadlines are either far away (60 s,
never reached) or already past: no test depends on how long anything takes.
"""

from __future__ import annotations

import asyncio
import sys
from typing import Any, Callable, Coroutine, Iterator, List, Optional, TypeVar

import pytest

from timeoutlint.runtime import Budget, BudgetExceeded
from timeoutlint.runtime import _aio

T = TypeVar("T")

NATIVE = sys.version_info >= (3, 11)
IMPLEMENTATIONS = (["stdlib", "fallback-native"] if NATIVE else []) + ["fallback-ledger"]


def run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(asyncio.wait_for(coro, timeout=60))  # a broken scope fails, not hangs


@pytest.fixture(params=IMPLEMENTATIONS)
def implementation(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """Route Budget.async_timeout (through _aio.timeout) to one scope implementation."""
    name: str = request.param
    ledger = _aio.CancelLedger()

    def make(delay: Optional[float]) -> Any:
        loop = asyncio.get_running_loop()
        when = None if delay is None else loop.time() + delay
        if name == "stdlib":
            return asyncio.Timeout(when)  # type: ignore[attr-defined]
        if name == "fallback-native":
            return _aio.FallbackTimeout(when, ledger=_aio.NativeLedger())
        return _aio.FallbackTimeout(when, ledger=ledger)

    monkeypatch.setattr(_aio, "timeout", make)
    yield name
    assert not ledger._requests, "the ledger must be balanced once the scopes are left"


async def forever() -> None:
    await asyncio.Event().wait()


def cancel_count() -> int:
    task = asyncio.current_task()
    assert task is not None
    return task.cancelling() if NATIVE else 0  # type: ignore[attr-defined]


# -- the deadline interrupts the block -------------------------------------------------------------


@pytest.mark.usefixtures("implementation")
def test_block_outliving_the_budget_is_cancelled_and_raises() -> None:
    reached_the_end: List[bool] = []

    async def main() -> BudgetExceeded:
        budget = Budget(0)
        with pytest.raises(BudgetExceeded) as caught:
            async with budget.async_timeout("fetch"):
                await forever()
                reached_the_end.append(True)
        assert cancel_count() == 0
        return caught.value

    exc = run(main())
    assert reached_the_end == []
    assert exc.phase == "fetch"
    assert "in phase 'fetch'" in str(exc)
    assert isinstance(exc.__cause__, asyncio.CancelledError)
    assert isinstance(exc, TimeoutError)


@pytest.mark.usefixtures("implementation")
def test_expired_scope_keeps_a_custom_message() -> None:
    async def main() -> None:
        async with Budget(0).async_timeout("fetch", message="fetch took too long"):
            await forever()

    with pytest.raises(BudgetExceeded, match="^fetch took too long$"):
        run(main())


@pytest.mark.usefixtures("implementation")
def test_real_short_budget_interrupts_a_long_wait() -> None:
    async def main() -> None:
        async with Budget(0.01).async_timeout():
            await asyncio.sleep(3600)

    with pytest.raises(BudgetExceeded):
        run(main())


# -- a block that finishes is untouched ------------------------------------------------------------


@pytest.mark.usefixtures("implementation")
def test_block_that_finishes_is_untouched() -> None:
    async def main() -> str:
        budget = Budget(60)
        async with budget.async_timeout("quick") as entered:
            assert entered is budget
            await asyncio.sleep(0)
            result = "done"
        for _ in range(3):  # no stray cancellation is left pending on the task
            await asyncio.sleep(0)
        assert cancel_count() == 0
        return result

    assert run(main()) == "done"


@pytest.mark.usefixtures("implementation")
def test_unlimited_budget_opens_a_scope_without_deadline() -> None:
    async def main() -> int:
        async with Budget(None).async_timeout():
            await asyncio.sleep(0)
        return 1

    assert run(main()) == 1


@pytest.mark.usefixtures("implementation")
def test_expired_budget_does_not_interrupt_a_block_that_never_awaits() -> None:
    # As asyncio.timeout: the deadline acts at the block's next suspension, and there is none.
    async def main() -> int:
        async with Budget(0).async_timeout():
            value = 1
        await asyncio.sleep(0)
        return value

    assert run(main()) == 1


@pytest.mark.usefixtures("implementation")
def test_blocks_own_timeout_error_passes_unchanged() -> None:
    own = TimeoutError("raised by the block")

    async def main() -> None:
        async with Budget(60).async_timeout("step"):
            await asyncio.sleep(0)
            raise own

    with pytest.raises(TimeoutError) as caught:
        run(main())
    assert caught.value is own


@pytest.mark.usefixtures("implementation")
def test_block_that_swallows_the_cancellation_is_not_turned_into_a_timeout() -> None:
    async def main() -> str:
        async with Budget(0).async_timeout():
            try:
                await forever()
            except asyncio.CancelledError:
                pass
        return "carried on"

    assert run(main()) == "carried on"


# -- outer cancellations are never swallowed -------------------------------------------------------


@pytest.mark.usefixtures("implementation")
def test_outer_cancellation_propagates() -> None:
    async def main() -> None:
        started = asyncio.Event()

        async def worker() -> None:
            async with Budget(60).async_timeout("work"):
                started.set()
                await forever()

        task = asyncio.ensure_future(worker())
        await started.wait()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert task.cancelled()

    run(main())


def test_outer_cancellation_right_after_the_deadline(implementation: str) -> None:
    """The deadline fires, then an outer cancel() lands in the same loop iteration.

    3.11+ counts both requests, so the outer cancellation wins. 3.9/3.10 merge them into one
    CancelledError with no count: the ledger cannot see the outer one and reports the timeout
    (the documented limitation, shared with asyncio.wait_for on those versions).
    """

    async def main() -> Optional[BaseException]:
        async def worker() -> None:
            async with Budget(0).async_timeout():  # fires at the first loop iteration after entry
                await forever()

        task = asyncio.ensure_future(worker())
        await asyncio.sleep(0)  # worker enters the scope; its timeout callback is now queued
        await asyncio.sleep(0)  # we resume right after that callback cancelled the worker
        task.cancel()
        try:
            await task
        except BaseException as exc:  # noqa: BLE001 - the test inspects what came out
            return exc
        return None

    outcome = run(main())
    if implementation == "fallback-ledger":
        assert isinstance(outcome, BudgetExceeded)
    else:
        assert isinstance(outcome, asyncio.CancelledError)


# -- nesting ---------------------------------------------------------------------------------------


@pytest.mark.usefixtures("implementation")
def test_outer_deadline_is_reported_by_the_outer_scope() -> None:
    async def main() -> None:
        async with Budget(0.01).async_timeout("outer"):
            async with Budget(60).async_timeout("inner"):
                await forever()

    with pytest.raises(BudgetExceeded) as caught:
        run(main())
    assert caught.value.phase == "outer"


@pytest.mark.usefixtures("implementation")
def test_inner_deadline_is_handled_inside_the_outer_scope() -> None:
    async def main() -> str:
        async with Budget(60).async_timeout("outer"):
            with pytest.raises(BudgetExceeded) as caught:
                async with Budget(0).async_timeout("inner"):
                    await forever()
            assert caught.value.phase == "inner"
            await asyncio.sleep(0)  # the outer scope was not hit by the inner cancellation
        return "outer finished"

    assert run(main()) == "outer finished"


@pytest.mark.usefixtures("implementation")
def test_both_deadlines_firing_together_are_reported_by_the_outermost() -> None:
    # Both scopes are spent at entry: their callbacks run in the same iteration, outer first.
    async def main() -> None:
        budget = Budget(0)
        async with budget.async_timeout("outer"):
            async with budget.async_timeout("inner"):
                await forever()

    with pytest.raises(BudgetExceeded) as caught:
        run(main())
    assert caught.value.phase == "outer"


@pytest.mark.usefixtures("implementation")
def test_child_budget_scope_inside_parent_scope() -> None:
    async def main() -> List[str]:
        parent = Budget(60)
        done = []
        async with parent.async_timeout("all"):
            for name in ("a", "b"):
                async with parent.child(30).async_timeout(name):
                    await asyncio.sleep(0)
                    done.append(name)
        return done

    assert run(main()) == ["a", "b"]


# -- misuse ----------------------------------------------------------------------------------------


def test_a_scope_object_is_entered_once() -> None:
    async def main() -> None:
        scope = Budget(60).async_timeout()
        async with scope:
            pass
        async with scope:
            pass

    with pytest.raises(RuntimeError, match="already been entered"):
        run(main())


@pytest.mark.parametrize("ledger", [_aio.CancelLedger, _aio.NativeLedger][: 2 if NATIVE else 1])
def test_fallback_scope_directly(ledger: Callable[[], Any]) -> None:
    async def main() -> None:
        loop = asyncio.get_running_loop()
        scope = _aio.FallbackTimeout(loop.time(), ledger=ledger())
        assert "created" in repr(scope)
        with pytest.raises(TimeoutError) as caught:
            async with scope:
                assert scope.when() is not None
                await forever()
        assert type(caught.value) is TimeoutError
        assert scope.expired()
        assert "expired" in repr(scope)
        with pytest.raises(RuntimeError, match="already been entered"):
            async with scope:
                pass

        quiet = _aio.FallbackTimeout(None, ledger=ledger())
        async with quiet:
            await asyncio.sleep(0)
        assert not quiet.expired()

    run(main())


def test_fallback_scope_needs_a_task() -> None:
    scope = _aio.FallbackTimeout(None)
    loop = asyncio.new_event_loop()
    try:
        # Driving the coroutine by hand: a running loop but no current task.
        async def enter() -> None:
            await scope.__aenter__()

        coro = enter()
        with pytest.raises(RuntimeError, match="inside a task"):
            loop.run_until_complete(_without_task(coro))
    finally:
        loop.close()


async def _without_task(coro: Coroutine[Any, Any, None]) -> None:
    # Run ``coro`` outside any task: step it from a plain callback of the running loop.
    loop = asyncio.get_running_loop()
    outcome: asyncio.Future[None] = loop.create_future()

    def step() -> None:
        try:
            coro.send(None)
        except BaseException as exc:  # noqa: BLE001 - handed back to the test
            outcome.set_exception(exc)
        else:
            outcome.set_result(None)

    loop.call_soon(step)
    await outcome


def test_default_scope_is_the_stdlib_one_where_it_exists() -> None:
    async def main() -> object:
        return _aio.timeout(None)

    scope = run(main())
    if NATIVE:
        assert type(scope) is asyncio.Timeout  # type: ignore[attr-defined]
    else:
        assert type(scope) is _aio.FallbackTimeout
