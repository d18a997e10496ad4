"""TL203: a synchronous wait inside ``async def``, which stalls the event loop."""

from __future__ import annotations

import re
from typing import Any, Optional

import libcst as cst

from timeoutlint.analysis.testrunner import is_test_path
from timeoutlint.analysis.waits import (
    USER_RULES,
    WAIT_MODULES,
    user_modules,
    FUTURES,
    NETWORK,
    SUBPROCESSES,
    THREADS,
    ZERO,
    connects,
    critical_section,
    does_not_block,
    find_wait,
    literal_kind,
)
from timeoutlint.context import PendingFix
from timeoutlint.ftypes import Applicability
from timeoutlint.rule import FixAvailability, Invalid, Rule, Valid, Word

_PEER_NOQA = re.compile(r"noqa\s*:[^#]*\bASYNC2\d\d\b", re.IGNORECASE)
_SYNC_KINDS = frozenset({FUTURES, THREADS, SUBPROCESSES, NETWORK})
_SLEEP = "time.sleep"
# Waits that must stay on the thread that holds the lock: no ``to_thread`` fix.
_THREAD_BOUND = frozenset({"RLock.acquire()", "Condition.acquire()", "Condition.wait()", "Condition.wait_for()"})
# Where an ``await`` expression needs no parentheses.
_BARE = (cst.Expr, cst.Assign, cst.AnnAssign, cst.AugAssign, cst.Return, cst.Arg, cst.Element, cst.StarredElement, cst.WithItem)


class BlockingWaitInAsyncFunction(Rule):
    """
    ## What it does
    Checks for synchronous waits inside `async def`: `Future.result()` of a
    `concurrent.futures` future, `Thread.join()`, `queue.Queue.get()`, `Event.wait()`,
    `Lock.acquire()` and the other thread primitives, `time.sleep()`, `subprocess.run()` and
    `Popen.wait()`/`communicate()`, `requests.*`, `urllib.request.urlopen()` and the other
    network calls TL304 knows, on receivers known to be of those types (also the user's
    `blocking-calls` of TL301-TL304). A call in a nested sync function or lambda is not in
    the coroutine and is not reported, nor is a callable passed (uncalled) to
    `asyncio.to_thread()` or `run_in_executor()`.

    ## Why is this bad?
    A coroutine runs on the event loop's thread. A synchronous wait blocks that thread, so
    every other task of the loop stalls until it returns: timeouts do not fire, other
    requests are not served, heartbeats are missed. With no timeout the whole service
    hangs; with one it still freezes for that long. Unlike Ruff's ASYNC2xx rules, this one
    sees the concurrency primitives and receivers of known type, not just calls by name.

    ## Example
    ```python
    import time
    import requests

    async def poll(url):
        time.sleep(1)
        return requests.get(url, timeout=10).json()
    ```

    ## Use instead
    ```python
    import asyncio
    import requests

    async def poll(url):
        await asyncio.sleep(1)
        return (await asyncio.to_thread(requests.get, url, timeout=10)).json()
    ```

    ## Fix safety
    The fix is unsafe: `time.sleep(x)` becomes `await asyncio.sleep(x)`, `fut.result()` of
    a `concurrent.futures` future `await asyncio.wrap_future(fut)`, and any other wait
    `await asyncio.to_thread(<callable>, <arguments>)`, which runs it on a worker thread
    (context variables copied) while the loop goes on — other tasks now run in between,
    which is the point and also a change. No fix inside a generator expression (an await
    would make it an async generator), nor for `RLock.acquire()` and `Condition` waits,
    which must stay on the thread that holds the lock.

    Not reported: a critical section (`lock.acquire()` with `lock.release()` in the same
    function, and `with lock:`), which waits only for another thread's critical section;
    test code (`test_*.py`, `conftest.py`, files under `tests/`), which
    mixes threads and the loop on purpose to test them; a line that already silences the
    same finding under flake8-async's or Ruff's name (`# noqa: ASYNC251`); `time.sleep(0)`, non-blocking calls (`q.get(block=False)`,
    `lock.acquire(False)`), `asyncio`'s own primitives (awaited), and receivers of unknown
    type.

    ## References
    - [Developing with asyncio: running blocking code](https://docs.python.org/3/library/asyncio-dev.html#running-blocking-code)
    - [asyncio.to_thread](https://docs.python.org/3/library/asyncio-task.html#asyncio.to_thread)
    """

    code = "TL203"
    name = "blocking-wait-in-async-function"
    message = "{callee} blocks the event loop inside `async def`: every other task stalls until it returns"
    fix_title = "Await it without blocking the loop"
    fix_availability = FixAvailability.SOMETIMES
    applicability = Applicability.UNSAFE
    triggers = ("async def",)
    requires = (*WAIT_MODULES, Word("time"))  # (``time.sleep`` and what ``find_wait`` can know)

    @classmethod
    def requires_for(cls, settings: Any) -> tuple[str, ...]:
        return cls.requires + user_modules(settings, USER_RULES)

    VALID = [
        Valid("import time\ndef f():\n    time.sleep(1)\n", why="not a coroutine"),
        Valid("import time\nasync def f():\n    def g():\n        time.sleep(1)\n    return g\n", why="a nested sync function"),
        Valid("import asyncio, time\nasync def f():\n    await asyncio.to_thread(time.sleep, 1)\n", why="passed to to_thread"),
        Valid(
            "import asyncio, requests\nasync def f(loop, u):\n    await loop.run_in_executor(None, lambda: requests.get(u, timeout=5))\n",
            why="in a lambda run on an executor",
        ),
        Valid("import asyncio\nasync def f(q: asyncio.Queue):\n    return await q.get()\n", why="asyncio's queue"),
        Valid("import queue\nasync def f(q: queue.Queue):\n    return q.get(block=False)\n", why="non-blocking"),
        Valid("import time\nasync def f():\n    time.sleep(0)\n", why="sleep(0) returns at once"),
        Valid(
            "import threading\nLOCK = threading.Lock()\nasync def f(d):\n    LOCK.acquire()\n    try:\n        d.clear()\n"
            "    finally:\n        LOCK.release()\n",
            why="a critical section",
        ),
        Valid("async def f(t):\n    t.join()\n", why="t of unknown type"),
        Valid("import time\nasync def f():\n    time.sleep(0.001)  # noqa: ASYNC251\n", why="silenced under Ruff's code"),
    ]
    INVALID = [
        Invalid(
            "import time\nasync def f():\n    time.sleep(1)\n",
            fixed=("from asyncio import sleep\n"
                "async def f():\n"
                "    await sleep(1)\n"),
        ),
        Invalid(
            "import asyncio\nimport requests\nasync def f(u):\n    return requests.get(u, timeout=5).json()\n",
            fixed="import asyncio\nimport requests\nasync def f(u):\n    return (await asyncio.to_thread(requests.get, u, timeout=5)).json()\n",
        ),
        Invalid(
            "import asyncio\nfrom concurrent.futures import Future\nasync def f(fut: Future):\n    return fut.result()\n",
            fixed="import asyncio\nfrom concurrent.futures import Future\nasync def f(fut: Future):\n    return await asyncio.wrap_future(fut)\n",
        ),
        Invalid(
            "import asyncio, threading\nasync def f(t: threading.Thread):\n    t.join(5)\n",
            fixed="import asyncio, threading\nasync def f(t: threading.Thread):\n    await asyncio.to_thread(t.join, 5)\n",
        ),
        Invalid(
            "import subprocess\nasync def f():\n    return subprocess.run(['ls'], timeout=5)\n",
            fixed="import subprocess\nfrom asyncio import to_thread\nasync def f():\n    return await to_thread(subprocess.run, ['ls'], timeout=5)\n",
            why="the import is added",
        ),
        Invalid(
            "import threading\nasync def f(lock: threading.RLock):\n    lock.acquire()\n",
            why="an RLock must be released by the thread that took it: no fix",
        ),
        Invalid(
            "import asyncio, queue\nasync def f(q: queue.Queue):\n    return sum(q.get() for _ in range(3))\n",
            why="inside a generator expression: no fix",
        ),
    ]

    def __init__(self, ctx: Any) -> None:
        super().__init__(ctx)
        self._tests = is_test_path(ctx.path)

    def visit_Call(self, node: cst.Call) -> None:
        if self._tests or self._silenced_for_peers():
            return
        function = next((n for n in reversed(self.ctx.stack) if isinstance(n, (cst.FunctionDef, cst.Lambda))), None)
        if not isinstance(function, cst.FunctionDef) or function.asynchronous is None:
            return
        if self.ctx.qualified_name(node.func) == _SLEEP:
            if node.args and literal_kind(node.args[0].value) == ZERO:
                return
            self.report(node, self.message.format(callee="time.sleep()"), self._sleep_fix(node))
            return
        wait = find_wait(self.ctx, node)
        if wait is None or wait.rule not in _SYNC_KINDS or not wait.blocks or isinstance(self.ctx.parent(), cst.Await):
            return
        if does_not_block(wait, node) or not connects(wait, node):
            return
        if wait.label.endswith(".acquire()") and critical_section(self.ctx, node):
            return  # waits only for another thread's critical section
        self.report(node, self.message.format(callee=wait.label), self._thread_fix(node, wait.label))

    def _silenced_for_peers(self) -> bool:
        """``# noqa: ASYNC251`` (or another flake8-async/Ruff ASYNC2xx code, the same
        finding under their name) on the statement's line."""
        line = self.ctx.enclosing_statement()
        comment = line.trailing_whitespace.comment if line is not None else None
        return comment is not None and _PEER_NOQA.search(comment.value) is not None

    def _fixable_here(self) -> bool:
        return not any(isinstance(n, cst.GeneratorExp) for n in self.ctx.stack)

    def _awaited(self, value: cst.BaseExpression) -> cst.Await:
        parenthesised = not isinstance(self.ctx.parent(), _BARE)
        parens = {"lpar": [cst.LeftParen()], "rpar": [cst.RightParen()]} if parenthesised else {}
        return cst.Await(value, **parens)  # type: ignore[arg-type]

    def _sleep_fix(self, call: cst.Call) -> Optional[PendingFix]:
        reference = self.ctx.reference("asyncio", "sleep") if self._fixable_here() else None
        if reference is None:
            return None
        expression, need = reference
        awaited = self._awaited(call.with_changes(func=expression))
        return PendingFix("Use `await asyncio.sleep(...)`", Applicability.UNSAFE, [(call, awaited)], [need] if need else [])

    def _thread_fix(self, call: cst.Call, label: str) -> Optional[PendingFix]:
        if label in _THREAD_BOUND or not self._fixable_here():
            return None
        func = call.func
        if label == "Future.result()" and not call.args and isinstance(func, cst.Attribute):
            reference = self.ctx.reference("asyncio", "wrap_future")
            if reference is None:
                return None
            expression, need = reference
            awaited = self._awaited(cst.Call(expression, [cst.Arg(func.value)]))
            return PendingFix("Use `await asyncio.wrap_future(...)`", Applicability.UNSAFE, [(call, awaited)], [need] if need else [])
        reference = self.ctx.reference("asyncio", "to_thread")
        if reference is None:
            return None
        expression, need = reference
        args = [cst.Arg(func, comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))] if call.args else [cst.Arg(func)]
        awaited = self._awaited(cst.Call(expression, args + list(call.args)))
        return PendingFix("Run it with `await asyncio.to_thread(...)`", Applicability.UNSAFE, [(call, awaited)], [need] if need else [])
