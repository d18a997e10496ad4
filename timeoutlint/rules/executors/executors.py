"""Executors (TL102, TL103): a pool made for one call, and a timeout its ``with`` defeats."""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Set, Tuple, Union

import libcst as cst

from timeoutlint.analysis.callargs import argument, has_star_kwargs, keyword
from timeoutlint.context import PendingFix
from timeoutlint.ftypes import Applicability
from timeoutlint.rule import FixAvailability, Invalid, Rule, Valid
from timeoutlint.rules.executors._pool_rewrites import (
    RUN_WITH_TIMEOUT_TITLE,
    run_with_timeout_fix,
    shared_assign_fix,
    shared_with_fix,
    single_task,
)
from timeoutlint.analysis.definitions import qualname
from timeoutlint.analysis.testrunner import is_test_path
from timeoutlint.rules.executors._pool_sites import (
    ENTRY_DECORATOR_ATTRS,
    ENTRY_DECORATORS,
    ENTRY_NAMES,
    is_module_level,
    main_block_calls,
    mentions,
    scopes_outwards,
    site,
    stays_local,
)
from timeoutlint.rules.executors._pools import (
    AS_COMPLETED,
    EXECUTOR_KINDS,
    WAIT,
    BodyIndex,
    PoolFutures,
    is_none,
    pool_kind,
    walk,
)

_Owner = Union[cst.FunctionDef, cst.Module]
_THREAD_POOLS = frozenset({"multiprocessing.pool.ThreadPool", "multiprocessing.dummy.Pool"})


class _PoolRule(Rule):
    """What both rules need: one index per body, the pool rewrites' shared inputs."""

    abstract = True

    def __init__(self, ctx: Any) -> None:
        super().__init__(ctx)
        self._indexes: Dict[cst.CSTNode, BodyIndex] = {}

    def _index(self, owner: cst.CSTNode) -> BodyIndex:
        index = self._indexes.get(owner)
        if index is None:
            index = self._indexes[owner] = BodyIndex(owner)
        return index

    def _resolve(self, node: cst.CSTNode) -> Optional[str]:
        return self.ctx.qualified_name(node)


class ExecutorPerCall(_PoolRule):
    """
    ## What it does
    Checks for a `concurrent.futures.ThreadPoolExecutor` or `ProcessPoolExecutor` (or a
    `multiprocessing` `Pool`/`ThreadPool`) created anew on every call of a function. Pools
    that outlive the call are not reported: at module level, in a class body, stored on
    `self` or anywhere else, returned or otherwise handed out. Nor are pools in entry
    points, which run once: `main()`, a `click`/`typer` command, a function called under
    `if __name__ == "__main__":`. Test code is not reported either (`test*` functions, and
    every function of `test_*.py`, `*_test.py`, `conftest.py` and of files under a `test`,
    `tests` or `testing` folder): a pool per test keeps tests apart.

    ## Why is this bad?
    Each call starts its own worker threads (or processes) and shuts them down at the end.
    That is slow — process pools re-import the program in every worker — and unbounded:
    a function that makes a pool of 8 and is called from 50 request threads runs 400
    workers, where one shared pool would have bounded the whole program. Called from a
    task that already runs on a pool, it nests pools (TL101). And a per-call pool is
    usually there to put a timeout on one call, which its `with` block then defeats
    (TL103).

    ## Example
    ```python
    from concurrent.futures import ThreadPoolExecutor

    def thumbnails(paths):
        with ThreadPoolExecutor(max_workers=8) as ex:
            return list(ex.map(make_thumbnail, paths))

    class Slot:
        def receive(self, message):
            with ThreadPoolExecutor(max_workers=1) as ex:
                return ex.submit(self.handler, message).result(timeout=self.timeout)
    ```

    ## Use instead
    ```python
    from timeoutlint.runtime import run_with_timeout, shared_executor

    def thumbnails(paths):
        ex = shared_executor("images.thumbnails", max_workers=8)  # in images.py
        return list(ex.map(make_thumbnail, paths))

    class Slot:
        def receive(self, message):
            return run_with_timeout(self.handler, message, timeout=self.timeout)
    ```

    ## Fix safety
    The fix is unsafe. It comes in two shapes, and is offered only where the rewrite keeps
    what the code waits for:

    - A `with ThreadPoolExecutor(...) as ex:` block that runs one task and waits for it
      with a timeout (`ex.submit(fn, *args).result(timeout=T)`, or `fut = ex.submit(...)`
      followed by a statement starting with `fut.result(timeout=T)`) becomes
      `run_with_timeout(fn, *args, timeout=T)` — the same rewrite TL103 offers for the
      block, so applying either fix, or both, gives the same code. `max_workers` and
      `thread_name_prefix` go (one task needs one thread); a pool with an `initializer`
      is kept.
    - Otherwise the pool becomes a process-wide one named after the function:
      `ex = shared_executor("module.Class.method", max_workers=N)` (`kind="process"` for a
      process pool), and the body of a `with` block is dedented. Offered only when the
      constructor takes nothing but a literal `max_workers` above 1 (a size computed per
      call would ask one name for several sizes, which `shared_executor` refuses; and
      `max_workers=1` runs each call's tasks one after another, side by side with other
      calls — one shared worker would run every call's tasks one after another), the
      pool is the only one the function makes, and the function does not submit itself.
      Leaving the `with` block used to wait for every task (`shutdown(wait=True)`), and a
      shared pool cannot be used as a context manager; so the fix is made only when the
      block itself waits for every future it creates — `list(ex.map(...))`, a full
      `for` loop over `ex.map(...)` or `as_completed(...)`, `fut.result()` on each future,
      `wait(futures)` — and the pool is not used after the block. A pool bound by a plain
      assignment was never waited for; it is rewritten when it is only used to `submit`
      and `map` (not shut down, entered or passed on).

    What changes: all calls now share the pool's workers, so under concurrent calls tasks
    queue where each call had its own workers; a task that waits for another task of the
    same pool can deadlock once every worker waits (TL101 reports the nesting it sees).
    Tasks run on reused threads (thread-locals persist between calls) and, on a thread
    pool, in a copy of the caller's `contextvars`. When the block is left by an exception
    or a timeout, the tasks still running are no longer waited for — the point of TL103.
    The pool name includes the module only when the module is known (not with `--stdin`
    without `--stdin-filename`); two modules whose functions share a qualified name and
    ask for different sizes make `shared_executor` raise `ValueError`.

    `multiprocessing` pools are reported but never rewritten: their API differs, and
    their `with` block terminates the workers instead of waiting for them.

    ## References
    - [ThreadPoolExecutor](https://docs.python.org/3/library/concurrent.futures.html#threadpoolexecutor)
    - [Executor.shutdown](https://docs.python.org/3/library/concurrent.futures.html#concurrent.futures.Executor.shutdown)
    - [timeoutlint.runtime: shared_executor, run_with_timeout](https://github.com/timeoutlint/timeoutlint/blob/main/docs/runtime.md)
    """

    code = "TL102"
    name = "executor-per-call"
    message = "`{pool}` is created on every call of `{function}()`: each call starts its own worker {workers} instead of sharing a long-lived pool"
    fix_title = "Use the managed executor (`shared_executor` / `run_with_timeout`)"
    fix_availability = FixAvailability.SOMETIMES
    applicability = Applicability.UNSAFE
    triggers = ("Pool",)

    VALID = [
        Valid(
            "from concurrent.futures import ThreadPoolExecutor\n\nPOOL = ThreadPoolExecutor(max_workers=4)\n",
            why="module level: one pool for the process",
        ),
        Valid(
            "from concurrent.futures import ThreadPoolExecutor\n\nclass Service:\n    def __init__(self):\n"
            "        self.pool = ThreadPoolExecutor(max_workers=4)\n",
            why="stored on self in __init__",
        ),
        Valid(
            "from concurrent.futures import ThreadPoolExecutor\n\nclass Service:\n    pool = ThreadPoolExecutor()\n",
            why="class body",
        ),
        Valid(
            "from concurrent.futures import ThreadPoolExecutor\n\ndef main():\n    with ThreadPoolExecutor() as ex:\n"
            "        ex.map(print, range(3))\n",
            why="main(): runs once",
        ),
        Valid(
            "from concurrent.futures import ThreadPoolExecutor\n\ndef run(jobs):\n    with ThreadPoolExecutor() as ex:\n"
            "        list(ex.map(print, jobs))\n\nif __name__ == '__main__':\n    run([1, 2])\n",
            why="called from the __main__ block: an entry point",
        ),
        Valid(
            "import click\nfrom concurrent.futures import ThreadPoolExecutor\n\n@click.command()\ndef sync():\n"
            "    with ThreadPoolExecutor() as ex:\n        list(ex.map(print, range(3)))\n",
            why="a click command",
        ),
        Valid("def work(pool, jobs):\n    return [pool.submit(j) for j in jobs]\n", why="the pool is passed in"),
        Valid(
            "from concurrent.futures import ThreadPoolExecutor\n\ndef make_pool():\n    return ThreadPoolExecutor(max_workers=4)\n",
            why="a factory returning the pool",
        ),
        Valid(
            "from concurrent.futures import ThreadPoolExecutor\n\n_pool = None\n\ndef pool():\n    global _pool\n"
            "    if _pool is None:\n        _pool = ThreadPoolExecutor()\n    return _pool\n",
            why="a lazily created module global",
        ),
        Valid(
            "from concurrent.futures import ThreadPoolExecutor\n\nclass Service:\n    def start(self):\n"
            "        self.pool = ThreadPoolExecutor()\n",
            why="stored on self outside __init__: it outlives the call",
        ),
        Valid(
            "from timeoutlint.runtime import shared_executor\n\ndef work(jobs):\n    ex = shared_executor()\n"
            "    return list(ex.map(print, jobs))\n",
            why="already the managed executor",
        ),
        Valid(
            "from concurrent.futures import ThreadPoolExecutor\n\ndef test_parallel():\n    with ThreadPoolExecutor() as ex:\n"
            "        assert list(ex.map(abs, [-1])) == [1]\n",
            why="a test function runs once",
        ),
        Valid(
            "import contextlib\nfrom concurrent.futures import ThreadPoolExecutor\n\n@contextlib.contextmanager\ndef pool():\n"
            "    with ThreadPoolExecutor() as ex:\n        yield ex\n",
            why="the pool is handed out",
        ),
        Valid("from mylib import ThreadPoolExecutor\n\ndef f():\n    with ThreadPoolExecutor() as ex:\n        pass\n", why="not concurrent.futures"),
    ]
    INVALID = [
        Invalid(
            "from concurrent.futures import ThreadPoolExecutor\n\ndef thumbnails(paths):\n"
            "    with ThreadPoolExecutor(max_workers=8) as ex:\n        return list(ex.map(make_thumbnail, paths))\n",
            fixed=("from timeoutlint.runtime import shared_executor\n"
                "\n"
                "def thumbnails(paths):\n"
                '    ex = shared_executor("example.thumbnails", max_workers=8)\n'
                "    return list(ex.map(make_thumbnail, paths))\n"),
        ),
        Invalid(
            "from concurrent.futures import ThreadPoolExecutor\n\nclass Slot:\n    def receive(self, message):\n"
            "        with ThreadPoolExecutor(max_workers=1) as ex:\n"
            "            return ex.submit(self.handler, message).result(timeout=self.timeout)\n",
            fixed=("from timeoutlint.runtime import run_with_timeout\n"
                "\n"
                "class Slot:\n"
                "    def receive(self, message):\n"
                "        return run_with_timeout(self.handler, message, timeout=self.timeout)\n"),
            why="the single-task shape: the same rewrite as TL103's",
        ),
        Invalid(
            "import concurrent.futures as cf\n\ndef crunch(items):\n    ex = cf.ProcessPoolExecutor()\n"
            "    futures = [ex.submit(square, i) for i in items]\n    return [f.result() for f in futures]\n",
            fixed=("from timeoutlint.runtime import shared_executor\n"
                "\n"
                "def crunch(items):\n"
                '    ex = shared_executor("example.crunch", kind="process")\n'
                "    futures = [ex.submit(square, i) for i in items]\n"
                "    return [f.result() for f in futures]\n"),
            why="a plain assignment: the call is swapped",
        ),
        Invalid(
            "from concurrent.futures import ThreadPoolExecutor\n\ndef notify(users):\n    with ThreadPoolExecutor() as ex:\n"
            "        for user in users:\n            ex.submit(send_mail, user)\n",
            why="fire-and-forget submits: the block's end waited for them; no fix",
        ),
        Invalid(
            "from concurrent.futures import ThreadPoolExecutor\n\ndef fetch_all(urls):\n"
            "    with ThreadPoolExecutor(max_workers=len(urls)) as ex:\n        return list(ex.map(fetch, urls))\n",
            why="a size computed per call: no fix",
        ),
        Invalid(
            "from multiprocessing import Pool\n\ndef crunch(items):\n    with Pool(4) as pool:\n        return pool.map(square, items)\n",
            why="multiprocessing pools are never rewritten",
        ),
    ]

    def __init__(self, ctx: Any) -> None:
        super().__init__(ctx)
        self._entry_calls: Optional[Set[str]] = None
        self._test_code: Optional[bool] = None
        self._pool_counts: Dict[cst.CSTNode, int] = {}

    def visit_Call(self, node: cst.Call) -> None:
        kind = pool_kind(self._resolve, node)
        if kind is None or self._is_test_code():
            return
        function = self._per_call_function()
        if function is None:
            return
        index = self._index(function)
        held = site(index, node, self._resolve)
        if held is None:
            return
        form, target = held
        if target is not None and not stays_local(index, target):
            return
        pool = self.ctx.module.code_for_node(node.func)
        name = qualname(self.ctx.stack, None)
        threads = kind == "thread" or self._resolve(node.func) in _THREAD_POOLS
        message = self.message.format(pool=pool, function=name, workers="threads" if threads else "processes")
        self.report(node, message, self._fix(function, index, node, form, target))

    # -- where the pool lives -------------------------------------------------------------

    def _is_test_code(self) -> bool:
        if self._test_code is None:
            self._test_code = is_test_path(self.ctx.path)
        return self._test_code

    def _per_call_function(self) -> Optional[cst.FunctionDef]:
        for node, child in scopes_outwards(self.ctx.stack):
            if isinstance(node, cst.FunctionDef):
                return None if self._is_entry_point(node) else node
            if isinstance(node, (cst.Lambda, cst.ClassDef)):
                return None
        return None

    def _is_entry_point(self, function: cst.FunctionDef) -> bool:
        name = function.name.value
        if name in ENTRY_NAMES or name.startswith("test"):
            return True
        for decorator in function.decorators:
            expression = decorator.decorator
            if isinstance(expression, cst.Call):
                expression = expression.func
            if self._resolve(expression) in ENTRY_DECORATORS:
                return True
            if isinstance(expression, cst.Attribute) and expression.attr.value in ENTRY_DECORATOR_ATTRS:
                return True
        if self._entry_calls is None:
            self._entry_calls = set(main_block_calls(self.ctx.module))
        return name in self._entry_calls and is_module_level(self.ctx.stack, function)

    # -- the fix --------------------------------------------------------------------------

    def _fix(
        self, function: cst.FunctionDef, index: BodyIndex, ctor: cst.Call, form: str, target: Optional[str]
    ) -> Optional[PendingFix]:
        if form == "with":
            block = index.parent.get(index.parent.get(ctor))  # type: ignore[arg-type]
            assert isinstance(block, cst.With)
            task = single_task(index, block, self._resolve)
            if task is not None:
                return run_with_timeout_fix(self.ctx, task)
        if target is None or form not in ("with", "assign") or self._pool_count(function) != 1:
            return None
        if mentions(function.body, function.name.value):
            return None  # it may submit itself: a bounded shared pool could deadlock
        pool_name = qualname(self.ctx.stack, self.ctx.resolver.module_name)
        if form == "with":
            assert isinstance(block, cst.With)
            return shared_with_fix(self.ctx, index, block, pool_name, self._resolve)
        return shared_assign_fix(self.ctx, index, ctor, target, pool_name, self._resolve)

    def _pool_count(self, function: cst.FunctionDef) -> int:
        count = self._pool_counts.get(function)
        if count is None:
            count = sum(1 for node in walk(function.body) if pool_kind(self._resolve, node) is not None)
            self._pool_counts[function] = count
        return count


class ExecutorShutdownDefeatsTimeout(_PoolRule):
    """
    ## What it does
    Checks for a wait with a timeout on the futures of a `concurrent.futures` pool inside
    the `with ThreadPoolExecutor(...) as ex:` (or `ProcessPoolExecutor`) block that owns
    the pool. The waits: `fut.result(timeout=...)` or `fut.exception(timeout=...)` on a
    future of `ex.submit(...)`, `concurrent.futures.wait(futures, timeout=...)`,
    `as_completed(futures, timeout=...)`, `ex.map(..., timeout=...)`, and
    `asyncio.wait_for(loop.run_in_executor(ex, ...), ...)`.

    ## Why is this bad?
    The timeout fires, but the caller does not get control back: the exception (or the
    return of `wait`) leaves the `with` block, whose exit calls
    `ex.shutdown(wait=True)`, and that waits for the task to finish anyway. A task that
    hangs still hangs the caller; the timeout bounds nothing. (In an `async def`, it
    blocks the event loop meanwhile.)

    Futures known to be done are not reported: those from `as_completed(...)` or from
    the done set of `wait(...)`. A wait inside a `while` loop is polling (the timeout is
    the interval between checks) and is not reported either; nor is a wait after the
    block has ended.

    ## Example
    ```python
    from concurrent.futures import ThreadPoolExecutor

    def fetch(url):
        with ThreadPoolExecutor(max_workers=1) as ex:
            fut = ex.submit(download, url)
            return fut.result(timeout=10)
    ```

    ## Use instead
    ```python
    from timeoutlint.runtime import run_with_timeout

    def fetch(url):
        return run_with_timeout(download, url, timeout=10)
    ```

    Or keep a long-lived pool (`shared_executor()`, or one created at start-up) and wait
    on its futures without a `with` block.

    ## Fix safety
    The fix is unsafe, and offered for one shape only: a thread pool running a single
    task, waited for right away — `ex.submit(fn, *args).result(timeout=T)`, or
    `fut = ex.submit(fn, *args)` followed by a statement starting with
    `fut.result(timeout=T)` (its first statement when it is a `try`) — with no other use
    of `ex` or `fut` (bar `fut.cancel()` statements in that `try`'s handlers, which go:
    `run_with_timeout` cancels on timeout, and otherwise the future is already done). It
    becomes `run_with_timeout(fn, *args, timeout=T)`, which runs `fn`
    on the managed pool and raises `TimeoutError` after `T` seconds, leaving the task
    running unowned (Python cannot stop a thread): the caller now gets control back, and
    code after the block no longer finds the task finished.

    `except TimeoutError:` and `except concurrent.futures.TimeoutError:` handlers around
    the call keep catching the timeout on every Python version (before 3.11,
    `run_with_timeout` raises a subclass of both). `fn` runs on a reused thread of the
    managed pool, in a copy of the caller's `contextvars` (a new pool's thread saw an
    empty context); `max_workers` and `thread_name_prefix` are dropped.

    No fix when `fn` takes a `timeout=` keyword of its own (or `**kwargs` that might hold
    one: `run_with_timeout` consumes `timeout`), the pool has an `initializer`, it is a
    process pool (`run_with_timeout` runs threads), several futures are waited for,
    statements run between the submit and the wait, or the executor is used for anything
    else. TL102 offers the same rewrite for the same block, so both fixes agree.

    ## References
    - [Executor.shutdown](https://docs.python.org/3/library/concurrent.futures.html#concurrent.futures.Executor.shutdown)
    - [Future.result](https://docs.python.org/3/library/concurrent.futures.html#concurrent.futures.Future.result)
    - [timeoutlint.runtime: run_with_timeout](https://github.com/timeoutlint/timeoutlint/blob/main/docs/runtime.md#run_with_timeout)
    """

    code = "TL103"
    name = "executor-shutdown-defeats-timeout"
    message = "The timeout of `{call}` bounds nothing: leaving `with {pool}(...) as {name}:` calls `{name}.shutdown(wait=True)`, which waits for the {what} anyway"
    fix_title = RUN_WITH_TIMEOUT_TITLE
    fix_availability = FixAvailability.SOMETIMES
    applicability = Applicability.UNSAFE
    triggers = ("PoolExecutor",)

    VALID = [
        Valid(
            "from concurrent.futures import ThreadPoolExecutor\n\ndef f(x):\n    with ThreadPoolExecutor() as ex:\n"
            "        fut = ex.submit(work, x)\n    return fut.result(timeout=5)\n",
            why="after the block: the future is done",
        ),
        Valid(
            "from concurrent.futures import ThreadPoolExecutor, wait\n\ndef f(xs):\n    with ThreadPoolExecutor() as ex:\n"
            "        futures = [ex.submit(work, x) for x in xs]\n        wait(futures)\n",
            why="no timeout: TL301's business",
        ),
        Valid(
            "from concurrent.futures import ThreadPoolExecutor, as_completed\n\ndef f(xs):\n"
            "    with ThreadPoolExecutor() as ex:\n        futures = [ex.submit(work, x) for x in xs]\n"
            "        for fut in as_completed(futures):\n            print(fut.result(timeout=1))\n",
            why="futures from as_completed are done",
        ),
        Valid(
            "from concurrent.futures import ThreadPoolExecutor\n\ndef f(pool, x):\n    fut = pool.submit(work, x)\n"
            "    return fut.result(timeout=5)\n",
            why="a long-lived pool: the timeout works",
        ),
        Valid(
            "from concurrent.futures import ThreadPoolExecutor\n\ndef f(x):\n    with ThreadPoolExecutor() as ex:\n"
            "        fut = ex.submit(work, x)\n        while True:\n            try:\n"
            "                return fut.result(timeout=1)\n            except TimeoutError:\n                report_progress()\n",
            why="polling in a loop: the timeout is an interval",
        ),
        Valid(
            "from concurrent.futures import ThreadPoolExecutor\n\ndef f(x, other):\n    with ThreadPoolExecutor() as ex:\n"
            "        ex.submit(work, x)\n        return other.result(timeout=5)\n",
            why="not a future of this pool",
        ),
        Valid(
            "from concurrent.futures import ThreadPoolExecutor\n\ndef f(x):\n    with ThreadPoolExecutor() as ex:\n"
            "        return ex.submit(work, x).result(timeout=None)\n",
            why="an explicit None is TL305's",
        ),
        Valid(
            "from multiprocessing import Pool\n\ndef f(x):\n    with Pool() as pool:\n"
            "        return pool.apply_async(work, (x,)).get(timeout=5)\n",
            why="a multiprocessing pool's exit terminates its workers",
        ),
    ]
    INVALID = [
        Invalid(
            "from concurrent.futures import ThreadPoolExecutor\n\ndef fetch(url):\n"
            "    with ThreadPoolExecutor(max_workers=1) as ex:\n        fut = ex.submit(download, url)\n"
            "        return fut.result(timeout=10)\n",
            fixed=("from timeoutlint.runtime import run_with_timeout\n"
                "\n"
                "def fetch(url):\n"
                "    return run_with_timeout(download, url, timeout=10)\n"),
        ),
        Invalid(
            "import concurrent.futures\n\ndef fetch(url):\n    with concurrent.futures.ThreadPoolExecutor() as ex:\n"
            "        try:\n            return ex.submit(download, url).result(10)\n"
            "        except concurrent.futures.TimeoutError:\n            return None\n",
            fixed=("import concurrent.futures\n"
                "\n"
                "from timeoutlint.runtime import run_with_timeout\n"
                "\n"
                "def fetch(url):\n"
                "    try:\n"
                "        return run_with_timeout(download, url, timeout=10)\n"
                "    except concurrent.futures.TimeoutError:\n"
                "        return None\n"),
            why="a positional timeout; the handler keeps catching it",
        ),
        Invalid(
            "from concurrent.futures import ThreadPoolExecutor, wait\n\ndef f(xs):\n    with ThreadPoolExecutor() as ex:\n"
            "        futures = [ex.submit(work, x) for x in xs]\n        done, late = wait(futures, timeout=5)\n",
            why="several futures: no fix",
        ),
        Invalid(
            "from concurrent.futures import ProcessPoolExecutor, as_completed\n\ndef f(xs):\n"
            "    with ProcessPoolExecutor() as ex:\n        futures = {ex.submit(work, x): x for x in xs}\n"
            "        for fut in as_completed(futures, timeout=60):\n            print(futures[fut], fut.result())\n",
        ),
        Invalid(
            "from concurrent.futures import ThreadPoolExecutor\n\ndef f(x):\n    with ThreadPoolExecutor() as ex:\n"
            "        return ex.submit(call, x, timeout=3).result(timeout=5)\n",
            why="fn takes its own timeout keyword: no fix",
        ),
        Invalid(
            "from concurrent.futures import ProcessPoolExecutor\n\ndef f(x):\n    with ProcessPoolExecutor() as ex:\n"
            "        return ex.submit(work, x).result(timeout=5)\n",
            why="a process pool: run_with_timeout would run a thread; no fix",
        ),
        Invalid(
            "from concurrent.futures import ThreadPoolExecutor\n\nif __name__ == '__main__':\n"
            "    with ThreadPoolExecutor() as ex:\n        print(list(ex.map(work, range(3), timeout=5)))\n",
            why="module level counts too",
        ),
    ]

    def visit_Call(self, node: cst.Call) -> None:
        wait = self._wait(node)
        if wait is None:
            return
        label, check, what = wait
        owner, blocks = self._enclosing_pools()
        if owner is None:
            return
        index = self._index(owner)
        for block, item, name, polling in blocks:
            futures = PoolFutures(index, block, name)
            if any(index.is_within(store, block.body) for store in index.occurrences(name, "store")):
                continue  # rebound inside the block: not this pool any more
            if not check(futures, name):
                continue
            if polling:
                return
            pool = self.ctx.module.code_for_node(item.item.func)  # type: ignore[attr-defined]
            message = self.message.format(call=label, pool=pool, name=name, what=what)
            self.report(node, message, self._fix(index, block, node))
            return

    def _fix(self, index: BodyIndex, block: cst.With, wait: cst.Call) -> Optional[PendingFix]:
        task = single_task(index, block, self._resolve)
        if task is None or task.wait is not wait:
            return None
        return run_with_timeout_fix(self.ctx, task)

    def _wait(self, node: cst.Call) -> Optional[Tuple[str, Any, str]]:
        """(how the message names the call, a test on the pool's futures, "task"/"tasks")
        for a wait with a timeout; None for anything else."""
        if has_star_kwargs(node):
            return None
        func = node.func
        qualname = self._resolve(func)
        code = self.ctx.module.code_for_node
        if qualname in (WAIT, AS_COMPLETED):
            timeout = argument(node, "timeout", 1)
            futures = argument(node, "fs", 0)
            if futures is None or _no_timeout(timeout):
                return None
            short = qualname.rsplit(".", 1)[1]
            return f"{short}()", lambda pool, name: pool.is_collection(futures.value), "tasks"
        if qualname == "asyncio.wait_for":
            inner = argument(node, "fut", 0)
            if inner is None or _no_timeout(argument(node, "timeout", 1)):
                return None
            executor = _run_in_executor_pool(inner.value)
            if executor is None:
                return None
            return "asyncio.wait_for()", lambda pool, name: executor == name, "task"
        if not isinstance(func, cst.Attribute):
            return None
        method = func.attr.value
        if method in ("result", "exception"):
            if _no_timeout(argument(node, "timeout", 0)):
                return None
            receiver = func.value
            label = f"{code(func)}()"
            if isinstance(receiver, cst.Call):  # ``ex.submit(fn, ...).result()``
                label = f"{code(receiver.func)}(...).{method}()"
            return label, lambda pool, name: pool.is_future(receiver), "task"
        if method == "map" and isinstance(func.value, cst.Name):
            if _no_timeout(keyword(node, "timeout")):
                return None
            receiver_name = func.value.value
            return f"{code(func)}()", lambda pool, name: receiver_name == name, "tasks"
        return None

    def _enclosing_pools(self) -> Tuple[Optional[_Owner], List[Tuple[cst.With, cst.WithItem, str, bool]]]:
        """The body that owns the current node, and the pool ``with`` blocks whose body
        holds it (innermost first), each with whether a ``while`` loop lies in between."""
        blocks: List[Tuple[cst.With, cst.WithItem, str, bool]] = []
        polling = False
        stack = self.ctx.stack
        for position in range(len(stack) - 2, -1, -1):
            node, child = stack[position], stack[position + 1]
            if isinstance(node, cst.While) and child is node.body:
                polling = True
            elif isinstance(node, cst.With) and child is node.body:
                for item in node.items:
                    target = item.asname.name if item.asname is not None else None
                    if isinstance(target, cst.Name) and pool_kind(self._resolve, item.item) in EXECUTOR_KINDS:
                        blocks.append((node, item, target.value, polling))
            elif isinstance(node, (cst.Lambda, cst.ClassDef)) and child is node.body:
                return None, []
            elif isinstance(node, cst.FunctionDef) and child is node.body or isinstance(node, cst.Module):
                return node, blocks  # type: ignore[return-value]
        return None, []


def _no_timeout(found: Optional[cst.Arg]) -> bool:
    return found is None or is_none(found.value)


def _run_in_executor_pool(node: cst.BaseExpression) -> Optional[str]:
    if (
        isinstance(node, cst.Call)
        and isinstance(node.func, cst.Attribute)
        and node.func.attr.value == "run_in_executor"
        and node.args
        and isinstance(node.args[0].value, cst.Name)
    ):
        return node.args[0].value.value
    return None
