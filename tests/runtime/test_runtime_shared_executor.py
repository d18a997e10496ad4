"""shared_executor: one pool per name per process, with real threads, processes and forks."""

from __future__ import annotations

import contextvars
import os
import subprocess
import sys
import textwrap
import threading
import time
from concurrent.futures import BrokenExecutor, ThreadPoolExecutor
from pathlib import Path
from typing import Any, List

import pytest

from timeoutlint.runtime import executor as executor_module
from timeoutlint.runtime import shared_executor, shutdown_shared_executors

REPO_ROOT = Path(__file__).resolve().parents[2]
# Python 3.12+ warns when a multi-threaded process forks (the test process runs pool threads).
# The fork test forks on purpose, and process pools fork with the platform's default start method.
FORK_WARNING = "ignore:This process .* is multi-threaded:DeprecationWarning"
request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="unset")


# -- one pool per name -----------------------------------------------------------------------------


def test_same_name_same_pool_other_name_other_pool() -> None:
    default = shared_executor()
    assert shared_executor("default") is default
    assert shared_executor("io") is shared_executor("io")
    assert shared_executor("io") is not default
    assert isinstance(default, ThreadPoolExecutor)
    assert default.submit(pow, 2, 10).result(timeout=60) == 1024


def test_racing_threads_create_exactly_one_pool(monkeypatch: pytest.MonkeyPatch) -> None:
    created: List[Any] = []
    real_new_pool = executor_module._new_pool

    def counting_new_pool(*args: Any) -> Any:
        pool = real_new_pool(*args)
        created.append(pool)
        # Widen the window between "no pool yet" and "pool registered" so that a missing lock
        # shows up as several pools. The outcome never depends on this pause; only the chance of
        # catching a broken implementation does.
        time.sleep(0.01)
        return pool

    monkeypatch.setattr(executor_module, "_new_pool", counting_new_pool)
    old_interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible to provoke the race
    try:
        n = 128
        barrier = threading.Barrier(n)
        results: List[Any] = [None] * n

        def racer(index: int) -> None:
            barrier.wait(timeout=60)
            results[index] = shared_executor("x")

        threads = [threading.Thread(target=racer, args=(i,)) for i in range(n)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    finally:
        sys.setswitchinterval(old_interval)
    assert not any(thread.is_alive() for thread in threads)
    assert len(created) == 1
    assert all(result is created[0] for result in results)


def test_kind_conflict_is_a_clear_error() -> None:
    shared_executor("work")
    with pytest.raises(ValueError, match=r"'work' is a thread pool; it cannot also be a process"):
        shared_executor("work", kind="process")


def test_max_workers_conflict_is_a_clear_error() -> None:
    pool = shared_executor("sized", max_workers=3)
    assert pool.max_workers == 3
    assert shared_executor("sized") is pool  # no preference: any size will do
    assert shared_executor("sized", max_workers=3) is pool
    with pytest.raises(ValueError, match=r"'sized' already exists with max_workers=3, not 4"):
        shared_executor("sized", max_workers=4)


def test_default_size_is_the_stdlib_default() -> None:
    cpus = getattr(os, "process_cpu_count", os.cpu_count)() or 1
    assert shared_executor().max_workers == min(32, cpus + 4)


@pytest.mark.parametrize(
    "kwargs",
    [{"kind": "fiber"}, {"max_workers": 0}, {"max_workers": -1}, {"max_workers": True},
     {"max_workers": 2.5}, {"name": ""}],
    ids=repr,
)
def test_invalid_arguments(kwargs: Any) -> None:
    with pytest.raises(ValueError):
        shared_executor(**kwargs)


def test_workers_are_named_after_the_pool() -> None:
    name = shared_executor("named").submit(lambda: threading.current_thread().name)
    assert name.result(timeout=60).startswith("timeoutlint-named")


def test_repr_names_the_pool() -> None:
    assert repr(shared_executor("r", max_workers=2)) == (
        "<SharedThreadPoolExecutor name='r' kind=thread max_workers=2>"
    )


# -- contextvars -----------------------------------------------------------------------------------


def test_submit_copies_the_callers_contextvars() -> None:
    pool = shared_executor()
    token = request_id.set("req-42")
    try:
        assert pool.submit(request_id.get).result(timeout=60) == "req-42"
        assert list(pool.map(lambda _: request_id.get(), range(3), timeout=60)) == ["req-42"] * 3
    finally:
        request_id.reset(token)
    assert pool.submit(request_id.get).result(timeout=60) == "unset"


def test_context_is_copied_at_submit_time_and_changes_stay_in_the_task() -> None:
    pool = shared_executor()
    go = threading.Event()

    def task() -> str:
        go.wait(timeout=60)
        seen = request_id.get()
        request_id.set("set-by-task")
        return seen

    token = request_id.set("at-submit")
    try:
        future = pool.submit(task)
        request_id.set("after-submit")
        go.set()
        assert future.result(timeout=60) == "at-submit"
        assert request_id.get() == "after-submit"
    finally:
        go.set()
        request_id.reset(token)


def test_run_in_executor_copies_the_tasks_contextvars() -> None:
    import asyncio

    async def main() -> str:
        request_id.set("from-coroutine")
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(shared_executor(), request_id.get)

    assert asyncio.run(main()) == "from-coroutine"


# -- lifecycle -------------------------------------------------------------------------------------


def test_shutdown_by_a_caller_does_not_stop_the_shared_pool() -> None:
    pool = shared_executor()
    pool.shutdown(wait=True)
    pool.shutdown(wait=False, cancel_futures=True)
    assert pool.submit(len, "abc").result(timeout=60) == 3
    assert shared_executor() is pool


def test_with_block_is_refused() -> None:
    with pytest.raises(TypeError, match="cannot be used in a 'with' block"):
        with shared_executor("ctx"):
            pass  # pragma: no cover
    assert shared_executor("ctx").submit(len, "ab").result(timeout=60) == 2


def test_asyncio_run_with_a_shared_default_executor_leaves_it_running() -> None:
    import asyncio

    pool = shared_executor()

    async def main() -> int:
        loop = asyncio.get_running_loop()
        loop.set_default_executor(pool)
        return await loop.run_in_executor(None, len, "abcd")

    assert asyncio.run(main()) == 4  # asyncio.run shuts its default executor down at the end
    assert pool.submit(len, "ab").result(timeout=60) == 2


def test_shutdown_shared_executors_forgets_the_pools() -> None:
    old = shared_executor("s")
    shutdown_shared_executors()
    with pytest.raises(RuntimeError):
        old.submit(len, "a")
    new = shared_executor("s")
    assert new is not old
    assert new.submit(len, "ab").result(timeout=60) == 2


def test_pools_are_shut_down_at_interpreter_exit() -> None:
    # A handler registered before the runtime is imported runs after the runtime's own one.
    script = textwrap.dedent(
        """
        import atexit, os

        def report():
            from timeoutlint.runtime import executor
            print("registry empty at exit:", executor._pools == {})

        atexit.register(report)
        from timeoutlint.runtime import run_with_timeout, shared_executor
        shared_executor("t").submit(len, "a").result(timeout=60)
        shared_executor("p", kind="process").submit(os.getpid).result(timeout=60)
        run_with_timeout(len, "a", timeout=60)
        """
    )
    completed = subprocess.run(
        [sys.executable, "-c", script],
        cwd=str(REPO_ROOT),
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.strip() == "registry empty at exit: True"


# -- processes and forks ---------------------------------------------------------------------------


@pytest.mark.filterwarnings(FORK_WARNING)
def test_process_pool_runs_work_in_another_process() -> None:
    pool = shared_executor("cpu", kind="process", max_workers=1)
    assert shared_executor("cpu", kind="process") is pool
    child_pid = pool.submit(os.getpid).result(timeout=60)
    assert child_pid != os.getpid()
    with pytest.raises(ValueError, match="is a process pool"):
        shared_executor("cpu")


@pytest.mark.filterwarnings(FORK_WARNING)
def test_broken_process_pool_is_replaced() -> None:
    broken = shared_executor("fragile", kind="process", max_workers=1)
    with pytest.raises(BrokenExecutor):
        broken.submit(os._exit, 3).result(timeout=60)  # the worker dies abruptly
    fresh = shared_executor("fragile", kind="process")
    assert fresh is not broken
    assert fresh.submit(os.getpid).result(timeout=60) != os.getpid()


@pytest.mark.filterwarnings(FORK_WARNING)
@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_forked_child_gets_its_own_pools() -> None:
    parent_pool = shared_executor("forky", max_workers=2)
    # Leave an idle worker in the parent: a child still using this pool would queue work for
    # a thread that does not exist in the child, and wait for it forever.
    assert parent_pool.submit(os.getpid).result(timeout=60) == os.getpid()

    from timeoutlint.runtime import run_with_timeout

    pid = os.fork()
    if pid == 0:  # the child: report through the exit status only, and never return to pytest
        status = 1
        try:
            child_pool = shared_executor("forky", max_workers=2)
            if child_pool is parent_pool:
                status = 2
            elif child_pool.submit(os.getpid).result(timeout=30) != os.getpid():
                status = 3
            elif run_with_timeout(os.getpid, timeout=30) != os.getpid():
                status = 4
            else:
                status = 0
        except BaseException:  # noqa: BLE001 - any failure becomes a non-zero status
            status = 5
        finally:
            os._exit(status)
    _, wait_status = os.waitpid(pid, 0)
    assert os.WIFEXITED(wait_status)
    assert os.WEXITSTATUS(wait_status) == 0
    # The parent's pool is untouched by the fork.
    assert shared_executor("forky") is parent_pool
    assert parent_pool.submit(len, "ab").result(timeout=60) == 2
