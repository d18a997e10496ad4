"""run_with_timeout: bounded waits on the managed pool, shown with Events rather than durations.

A task that "takes too long" blocks on an Event that the test sets only after
run_with_timeout has returned control, so no outcome depends on how fast the machine is.
"""

from __future__ import annotations

import concurrent.futures
import contextvars
import math
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Iterator, List

import pytest

from timeoutlint.runtime import (
    RUN_WITH_TIMEOUT_POOL,
    BudgetExceeded,
    run_with_timeout,
    shared_executor,
)

GENEROUS = 60.0  # an upper bound only ever reached when something is broken
request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="unset")


@pytest.fixture
def release() -> Iterator[threading.Event]:
    """An Event blocked tasks wait on; always set at teardown so no worker stays stuck."""
    event = threading.Event()
    yield event
    event.set()


def block_until(event: threading.Event, started: threading.Event, finished: threading.Event) -> str:
    started.set()
    event.wait(GENEROUS)
    finished.set()
    return "late"


# -- results and errors ----------------------------------------------------------------------------


def test_returns_the_result_and_passes_arguments() -> None:
    assert run_with_timeout(divmod, 17, 5, timeout=GENEROUS) == (3, 2)
    assert run_with_timeout(dict, a=1, fn=2, timeout=GENEROUS) == {"a": 1, "fn": 2}
    assert run_with_timeout(len, "abc", timeout=None) == 3  # noqa: TL305 - testing "no limit"


@pytest.mark.parametrize(
    "error",
    [KeyError("k"), TimeoutError("fn's own"), BudgetExceeded("fn's budget"), SystemExit(3)],
    ids=lambda e: type(e).__name__,
)
def test_exceptions_from_fn_propagate_unchanged(error: BaseException) -> None:
    def fail() -> None:
        raise error

    with pytest.raises(type(error)) as caught:
        run_with_timeout(fail, timeout=GENEROUS)
    assert caught.value is error


def test_timeout_argument_is_required_and_checked() -> None:
    with pytest.raises(TypeError):
        run_with_timeout(len, "abc")  # type: ignore[call-arg]
    with pytest.raises(ValueError, match="timeout"):
        run_with_timeout(len, "abc", timeout=math.nan)
    with pytest.raises(TypeError, match="timeout"):
        run_with_timeout(len, "abc", timeout="5")  # type: ignore[arg-type]


# -- the timeout bounds the wait -------------------------------------------------------------------


def test_returns_control_while_the_task_still_runs(release: threading.Event) -> None:
    started, finished = threading.Event(), threading.Event()
    began = time.monotonic()
    with pytest.raises(TimeoutError) as caught:
        run_with_timeout(block_until, release, started, finished, timeout=0.5)
    # The task cannot finish before `release` is set, so the caller did not wait for it
    # (whether it had started by then or was cancelled while queued).
    assert not finished.is_set()
    assert time.monotonic() - began < GENEROUS
    assert "block_until() did not finish within 0.5 seconds" in str(caught.value)


def test_the_with_threadpoolexecutor_pattern_is_the_bug_being_fixed(
    release: threading.Event,
) -> None:
    """For contrast: the pattern TL103 rewrites keeps the caller until the task ends."""
    started, finished = threading.Event(), threading.Event()
    timed_out, returned = threading.Event(), threading.Event()

    def anti_pattern() -> None:
        with ThreadPoolExecutor() as ex:  # noqa: TL102 - the anti-pattern, on purpose
            future = ex.submit(block_until, release, started, finished)
            try:
                future.result(timeout=0.05)  # noqa: TL103 - the anti-pattern, on purpose
            except concurrent.futures.TimeoutError:  # noqa: TL105 - the anti-pattern, on purpose
                timed_out.set()
        returned.set()  # only after __exit__ waited for the task

    caller = threading.Thread(target=anti_pattern)
    caller.start()
    assert timed_out.wait(GENEROUS)
    assert not returned.wait(0.2)  # cannot be set: the task is blocked on `release`
    release.set()
    assert returned.wait(GENEROUS)
    caller.join(GENEROUS)


def test_builtin_timeout_error_on_every_version(release: threading.Event) -> None:
    started, finished = threading.Event(), threading.Event()
    try:
        run_with_timeout(block_until, release, started, finished, timeout=0)
    except TimeoutError as exc:  # builtin, caught as such even before 3.11
        error: BaseException = exc
    else:  # pragma: no cover
        pytest.fail("no TimeoutError")
    if sys.version_info >= (3, 11):
        assert type(error) is TimeoutError  # concurrent.futures.TimeoutError is this class
    else:
        # Distinct classes before 3.11: the error is both, so old handlers keep working.
        assert isinstance(error, concurrent.futures.TimeoutError)


def test_handlers_of_the_futures_timeout_error_still_catch_it(release: threading.Event) -> None:
    # What code rewritten from ex.submit(f).result(timeout=...) may still say.
    started, finished = threading.Event(), threading.Event()
    with pytest.raises(concurrent.futures.TimeoutError):
        run_with_timeout(block_until, release, started, finished, timeout=0)


@pytest.mark.parametrize("timeout", [0, -1], ids=["zero", "negative"])
def test_zero_or_negative_timeout_does_not_wait(release: threading.Event, timeout: float) -> None:
    started, finished = threading.Event(), threading.Event()
    with pytest.raises(TimeoutError):
        run_with_timeout(block_until, release, started, finished, timeout=timeout)
    assert not finished.is_set()


def test_queued_task_is_cancelled_on_timeout(release: threading.Event) -> None:
    pool = shared_executor(RUN_WITH_TIMEOUT_POOL, max_workers=1)
    started, finished = threading.Event(), threading.Event()
    blocker = pool.submit(block_until, release, started, finished)
    assert started.wait(GENEROUS)  # the only worker is busy
    ran: List[str] = []
    with pytest.raises(TimeoutError):
        run_with_timeout(ran.append, "should never run", timeout=0.05)
    release.set()
    assert blocker.result(GENEROUS) == "late"
    # The single worker runs tasks in order: once this one ran, the cancelled one was skipped.
    assert pool.submit(len, "x").result(GENEROUS) == 1
    assert ran == []


def test_none_waits_as_long_as_fn_runs() -> None:
    started, release = threading.Event(), threading.Event()

    def releaser() -> None:
        started.wait(GENEROUS)
        release.set()

    def slow() -> str:
        started.set()
        release.wait(GENEROUS)
        return "finished"

    helper = threading.Thread(target=releaser)
    helper.start()
    assert run_with_timeout(slow, timeout=None) == "finished"  # noqa: TL305 - on purpose
    assert run_with_timeout(len, "ab", timeout=math.inf) == 2  # noqa: TL305 - on purpose
    helper.join(GENEROUS)


def test_runs_on_the_named_managed_pool() -> None:
    pool = shared_executor(RUN_WITH_TIMEOUT_POOL, max_workers=3)  # sizing it before first use
    name = run_with_timeout(lambda: threading.current_thread().name, timeout=GENEROUS)
    assert name.startswith(f"timeoutlint-{RUN_WITH_TIMEOUT_POOL}")
    assert shared_executor(RUN_WITH_TIMEOUT_POOL) is pool


@pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning")
def test_refuses_a_managed_pool_of_the_wrong_kind() -> None:
    shared_executor(RUN_WITH_TIMEOUT_POOL, kind="process", max_workers=1)
    with pytest.raises(ValueError, match="process pool"):
        run_with_timeout(len, "a", timeout=GENEROUS)


# -- contextvars -----------------------------------------------------------------------------------


def test_contextvars_reach_fn() -> None:
    token = request_id.set("req-7")
    try:
        assert run_with_timeout(request_id.get, timeout=GENEROUS) == "req-7"
        nested = run_with_timeout(
            lambda: run_with_timeout(request_id.get, timeout=GENEROUS), timeout=GENEROUS
        )
        assert nested == "req-7"
    finally:
        request_id.reset(token)


# -- nested calls: no starvation deadlock ----------------------------------------------------------


@pytest.mark.parametrize("workers", [1, 2])
def test_nested_call_from_a_saturated_pool_completes(
    release: threading.Event, workers: int
) -> None:
    pool = shared_executor(RUN_WITH_TIMEOUT_POOL, max_workers=workers)
    # Every worker but one is blocked; the last one runs `outer`, which calls run_with_timeout
    # again. Queued behind the busy workers, the inner call could only ever time out.
    blockers = []
    for _ in range(workers - 1):
        started, finished = threading.Event(), threading.Event()
        blockers.append(pool.submit(block_until, release, started, finished))
        assert started.wait(GENEROUS)

    def inner() -> str:
        current = threading.current_thread()
        return f"{current.name} daemon={current.daemon}"

    def outer() -> str:
        assert threading.current_thread().name.startswith("timeoutlint-")
        return run_with_timeout(inner, timeout=GENEROUS)

    assert run_with_timeout(outer, timeout=GENEROUS) == (
        "timeoutlint-run_with_timeout-nested daemon=True"
    )
    release.set()
    for blocker in blockers:
        assert blocker.result(GENEROUS) == "late"


def test_deeply_nested_calls_never_queue_behind_their_callers() -> None:
    # One worker runs level 0 and waits for level 1 (a daemon thread), which waits for level 2:
    # had level 2 queued on the pool, it would sit behind level 0 until the timeout.
    shared_executor(RUN_WITH_TIMEOUT_POOL, max_workers=1)

    def level(depth: int) -> List[str]:
        here = threading.current_thread().name
        if depth == 3:
            return [here]
        return [here] + run_with_timeout(level, depth + 1, timeout=GENEROUS)

    names = run_with_timeout(level, 0, timeout=GENEROUS)
    assert names[0].startswith(f"timeoutlint-{RUN_WITH_TIMEOUT_POOL}")
    assert names[1:] == ["timeoutlint-run_with_timeout-nested"] * 3


def test_nested_call_still_times_out(release: threading.Event) -> None:
    shared_executor(RUN_WITH_TIMEOUT_POOL, max_workers=1)
    started, finished = threading.Event(), threading.Event()

    def outer() -> str:
        try:
            run_with_timeout(block_until, release, started, finished, timeout=0.05)
        except TimeoutError:
            return "inner timed out" if not finished.is_set() else "waited for inner"
        return "no timeout"

    assert run_with_timeout(outer, timeout=GENEROUS) == "inner timed out"


def test_nested_exceptions_propagate_unchanged() -> None:
    error = LookupError("nested")

    def fail() -> None:
        raise error

    def outer() -> None:
        run_with_timeout(fail, timeout=GENEROUS)

    with pytest.raises(LookupError) as caught:
        run_with_timeout(outer, timeout=GENEROUS)
    assert caught.value is error


def test_calls_from_another_shared_pool_use_the_managed_pool() -> None:
    # Only the managed pool's own workers need the daemon-thread path.
    name = shared_executor("app").submit(
        run_with_timeout, lambda: threading.current_thread().name, timeout=GENEROUS
    )
    assert name.result(GENEROUS).startswith(f"timeoutlint-{RUN_WITH_TIMEOUT_POOL}")


def test_many_concurrent_callers(release: threading.Event) -> None:
    shared_executor(RUN_WITH_TIMEOUT_POOL, max_workers=4)
    n = 50
    barrier = threading.Barrier(n)
    results: List[object] = [None] * n

    def caller(index: int) -> None:
        barrier.wait(GENEROUS)
        results[index] = run_with_timeout(pow, index, 2, timeout=GENEROUS)

    threads = [threading.Thread(target=caller, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(GENEROUS)
    assert results == [i * i for i in range(n)]
