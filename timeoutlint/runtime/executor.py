"""Managed executors: ``shared_executor`` and ``run_with_timeout``.

Replaces an executor created per call (timeoutlint rule TL102) and the
``with ThreadPoolExecutor() as ex: ex.submit(f).result(timeout=5)`` pattern whose timeout bounds
nothing, because leaving the ``with`` block waits for ``f`` (TL103).
"""

from __future__ import annotations

import atexit
import concurrent.futures
import contextvars
import functools
import os
import sys
import threading
from concurrent.futures import Executor, Future, ThreadPoolExecutor, wait
from typing import TYPE_CHECKING, Any, Callable, Dict, NoReturn, TypeVar, Union, overload

from timeoutlint.runtime._seconds import normalize_seconds

if TYPE_CHECKING:
    if sys.version_info >= (3, 10):
        from typing import Literal, ParamSpec
    else:
        from typing_extensions import Literal, ParamSpec

    from timeoutlint.runtime._process_pool import SharedProcessPoolExecutor

    P = ParamSpec("P")

__all__ = [
    "RUN_WITH_TIMEOUT_POOL",
    "SharedThreadPoolExecutor",
    "run_with_timeout",
    "shared_executor",
    "shutdown_shared_executors",
]

T = TypeVar("T")

#: The shared_executor name of the thread pool ``run_with_timeout`` runs on. Call
#: ``shared_executor(RUN_WITH_TIMEOUT_POOL, max_workers=N)`` before its first use to size it.
RUN_WITH_TIMEOUT_POOL = "timeoutlint.run_with_timeout"


class SharedPool(Executor):
    """Behaviour common to the pools owned by the ``shared_executor`` registry.

    A shared pool belongs to the process, not to any one caller, so ``shutdown()`` from a caller
    is a no-op (generic code such as ``asyncio.run`` shutting down "its" default executor must not
    stop a pool that others use), and ``with shared_executor() as ex:`` is refused: leaving that
    block would promise to wait for the tasks and release the pool, and neither can happen.
    Pools are stopped by ``shutdown_shared_executors()`` and at interpreter exit.
    """

    shared_name: str
    kind: str
    max_workers: int

    def __enter__(self) -> NoReturn:
        raise TypeError(
            f"shared executor {self.shared_name!r} cannot be used in a 'with' block: it is shared "
            "by the whole process and is not shut down when the block ends; keep the futures "
            "and wait for them (concurrent.futures.wait) instead"
        )

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Does nothing: shared pools stop at exit or via ``shutdown_shared_executors()``."""

    def _shutdown_shared(self, wait: bool, cancel_futures: bool) -> None:
        super().shutdown(wait=wait, cancel_futures=cancel_futures)

    def _is_broken(self) -> bool:
        # Set by the stdlib pools when a worker failed to start (thread) or died (process);
        # a broken pool rejects every submit, so the registry replaces it.
        return bool(getattr(self, "_broken", False))

    def __repr__(self) -> str:
        return (
            f"<{type(self).__name__} name={self.shared_name!r} kind={self.kind} "
            f"max_workers={self.max_workers}>"
        )


_worker_state = threading.local()


def _enter_worker(token: object) -> None:
    _worker_state.token = token


class SharedThreadPoolExecutor(SharedPool, ThreadPoolExecutor):
    """The thread pool behind ``shared_executor(kind="thread")``.

    ``submit`` (and so ``map`` and ``loop.run_in_executor``) runs each task in a copy of the
    submitting thread's ``contextvars`` context, as ``asyncio.to_thread`` does.
    """

    def __init__(self, name: str, max_workers: int) -> None:
        self.shared_name = name
        self.kind = "thread"
        self.max_workers = max_workers
        # Each worker thread records which pool it belongs to, for owns_current_thread().
        self._worker_token = object()
        super().__init__(
            max_workers=max_workers,
            thread_name_prefix=f"timeoutlint-{name}",
            initializer=_enter_worker,
            initargs=(self._worker_token,),
        )

    def submit(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Future[T]:
        context = contextvars.copy_context()
        return super().submit(context.run, functools.partial(fn, *args, **kwargs))

    def owns_current_thread(self) -> bool:
        """True when called from one of this pool's worker threads."""
        return getattr(_worker_state, "token", None) is self._worker_token


# -- the registry ----------------------------------------------------------------------------------

_lock = threading.Lock()
_pools: Dict[str, SharedPool] = {}


def _cpu_count() -> int:
    count = getattr(os, "process_cpu_count", os.cpu_count)()  # 3.13+: respects CPU affinity
    return count if isinstance(count, int) and count > 0 else 1


def _default_max_workers(kind: str) -> int:
    # The stdlib defaults, computed here so that the pool's size is known and comparable.
    if kind == "thread":
        return min(32, _cpu_count() + 4)
    if sys.platform == "win32":
        return min(_cpu_count(), 61)  # the Windows limit ProcessPoolExecutor enforces
    return _cpu_count()


def _new_pool(name: str, kind: str, max_workers: int) -> SharedPool:
    if kind == "thread":
        return SharedThreadPoolExecutor(name, max_workers)
    # Imported on demand: a process pool pulls in multiprocessing.
    from timeoutlint.runtime._process_pool import SharedProcessPoolExecutor

    return SharedProcessPoolExecutor(name, max_workers)


@overload
def shared_executor(
    name: str = ..., *, max_workers: int | None = ..., kind: Literal["thread"] = ...
) -> SharedThreadPoolExecutor: ...


@overload
def shared_executor(
    name: str = ..., *, max_workers: int | None = ..., kind: Literal["process"]
) -> SharedProcessPoolExecutor: ...


def shared_executor(
    name: str = "default", *, max_workers: int | None = None, kind: str = "thread"
) -> Union[SharedThreadPoolExecutor, SharedProcessPoolExecutor]:
    """The process-wide pool called ``name``, created on first use.

    One pool per name per process: every caller asking for ``name`` gets the same object, created
    lazily and exactly once even when threads race for it. ``kind`` is ``"thread"`` (a
    ``ThreadPoolExecutor`` whose ``submit`` copies the caller's contextvars into the task) or
    ``"process"`` (a ``ProcessPoolExecutor``; contextvars are not carried to other processes).
    ``max_workers=None`` takes the stdlib default on creation and accepts any existing pool.

    Raises ``ValueError`` when the existing pool of that name is of another kind, or when an
    explicit ``max_workers`` differs from its size: silently getting a pool of another shape
    would break whatever the caller meant by it (e.g. ``max_workers=1`` to serialise work).

    Pools are shut down at interpreter exit and recreated in a forked child (the parent's worker
    threads do not exist there). A pool whose workers broke (e.g. a process pool worker killed)
    is replaced on the next call. Do not use the pool in a ``with`` block; ``shutdown()`` on it
    does nothing (see :class:`SharedPool`).
    """
    if not isinstance(name, str) or not name:
        raise ValueError(f"shared executor name must be a non-empty string, not {name!r}")
    if kind not in ("thread", "process"):
        raise ValueError(f"kind must be 'thread' or 'process', not {kind!r}")
    if max_workers is not None and (
        isinstance(max_workers, bool) or not isinstance(max_workers, int) or max_workers <= 0
    ):
        raise ValueError(f"max_workers must be a positive int or None, not {max_workers!r}")

    pool = _pools.get(name)  # fast path: no lock once the pool exists
    if pool is None or pool._is_broken():
        with _lock:
            pool = _pools.get(name)
            if pool is None or pool._is_broken():
                broken = pool
                pool = _new_pool(name, kind, max_workers or _default_max_workers(kind))
                _pools[name] = pool
                if broken is not None:
                    broken._shutdown_shared(wait=False, cancel_futures=True)
    if pool.kind != kind:
        raise ValueError(
            f"shared executor {name!r} is a {pool.kind} pool; it cannot also be a {kind} pool "
            "(use another name)"
        )
    if max_workers is not None and max_workers != pool.max_workers:
        raise ValueError(
            f"shared executor {name!r} already exists with max_workers={pool.max_workers}, "
            f"not {max_workers} (use another name, or omit max_workers)"
        )
    return pool  # type: ignore[return-value]  # the kind check above makes it the right class


def shutdown_shared_executors(*, wait: bool = True, cancel_futures: bool = False) -> None:
    """Shut down every shared pool (``Executor.shutdown`` semantics) and forget it.

    For an orderly stop before exit, and for tests. A later ``shared_executor(name)`` creates a
    new pool; references to the old ones reject new work with ``RuntimeError``.
    """
    with _lock:
        pools = list(_pools.values())
        _pools.clear()
    for pool in pools:
        pool._shutdown_shared(wait=wait, cancel_futures=cancel_futures)


def _shutdown_at_exit() -> None:
    # The stdlib has already joined pool workers by now (its exit hook runs before atexit);
    # this releases what is left and cancels work queued since.
    shutdown_shared_executors(wait=True, cancel_futures=True)


def _forget_pools_in_child() -> None:
    # The child has only the thread that forked: the parent's workers are gone, and the lock may
    # have been held by one of them. Drop the pools without touching them (their internals may be
    # mid-update) so that the child creates its own on demand.
    global _lock, _pools
    _lock = threading.Lock()
    _pools = {}


atexit.register(_shutdown_at_exit)
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_pools_in_child)


# -- run_with_timeout ------------------------------------------------------------------------------

if sys.version_info >= (3, 11):
    RunTimeoutError = TimeoutError
else:

    class RunTimeoutError(TimeoutError, concurrent.futures.TimeoutError):
        """The builtin ``TimeoutError``, also caught by ``except concurrent.futures.TimeoutError``.

        Before 3.11 the two are distinct classes. Code rewritten from
        ``ex.submit(f).result(timeout=...)`` to ``run_with_timeout`` may still have handlers for
        the latter; they keep working.
        """


def run_with_timeout(
    fn: Callable[..., T], /, *args: Any, timeout: float | None, **kwargs: Any
) -> T:
    """Call ``fn(*args, **kwargs)`` on the managed pool; wait at most ``timeout`` seconds.

    Returns ``fn``'s result, or re-raises the exception ``fn`` raised, unchanged (a
    ``TimeoutError`` raised by ``fn`` included). If ``fn`` has not finished within ``timeout``,
    its future is cancelled and the builtin ``TimeoutError`` is raised, on every Python version.
    (Before 3.11 ``concurrent.futures.TimeoutError`` is a different class; there the exception
    raised is a subclass of both, so handlers written for either catch it.) ``timeout=None``
    (or ``math.inf``) waits as long as ``fn`` runs; a negative timeout counts as 0.

    Cancelling only stops a task that has not started: Python cannot stop a running thread, so a
    timed-out ``fn`` that already runs keeps running, unowned, until it returns. The caller gets
    control back on time either way, which is what the ``with ThreadPoolExecutor()`` pattern
    could not do.

    ``fn`` runs in a copy of the caller's contextvars context. It runs on the thread pool
    ``shared_executor(RUN_WITH_TIMEOUT_POOL)``, except when the caller is itself a worker of
    that pool, or a thread started by such a nested call: then it runs on a new daemon thread,
    because queueing behind the caller could wait forever if every worker is busy waiting like
    the caller, and running inline could not give control back after ``timeout`` if ``fn``
    hangs. Being a daemon thread, it does not keep the interpreter alive at exit.
    """
    seconds = normalize_seconds(timeout, "timeout")
    pool = shared_executor(RUN_WITH_TIMEOUT_POOL, kind="thread")
    if pool.owns_current_thread():
        future = _start_on_daemon_thread(pool, fn, args, kwargs)
    else:
        future = pool.submit(fn, *args, **kwargs)
    try:
        done, _ = wait((future,), timeout=seconds)
    except BaseException:  # e.g. KeyboardInterrupt while waiting: do not leave the task queued
        future.cancel()
        raise
    if not done:
        future.cancel()
        raise RunTimeoutError(f"{_describe(fn)} did not finish within {timeout} seconds")
    return future.result(timeout=0)  # done: returns, or re-raises fn's exception, at once


def _start_on_daemon_thread(
    pool: SharedThreadPoolExecutor,
    fn: Callable[..., T],
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
) -> Future[T]:
    future: Future[T] = Future()
    context = contextvars.copy_context()

    def run() -> None:
        # A pool worker is waiting for this thread, so this thread must not queue work on the
        # pool either: counted as one of its workers, its own nested calls start threads too.
        _enter_worker(pool._worker_token)
        if not future.set_running_or_notify_cancel():
            return
        try:
            result = context.run(fn, *args, **kwargs)
        except BaseException as exc:  # delivered to the caller, as ThreadPoolExecutor does
            future.set_exception(exc)
        else:
            future.set_result(result)

    thread = threading.Thread(target=run, name="timeoutlint-run_with_timeout-nested", daemon=True)
    thread.start()
    return future


def _describe(fn: Callable[..., Any]) -> str:
    name = getattr(fn, "__qualname__", None)
    return f"{name}()" if isinstance(name, str) else repr(fn)
