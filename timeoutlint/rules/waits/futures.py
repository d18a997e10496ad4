"""TL301: waiting on a future or an ``AsyncResult`` with no timeout."""

from __future__ import annotations

from typing import Optional

import libcst as cst

from timeoutlint.analysis.bindings import assigned_names
from timeoutlint.analysis.definitions import all_params
from timeoutlint.analysis.known import EXECUTOR_TYPES
from timeoutlint.analysis.waits import Wait
from timeoutlint.ftypes import Applicability
from timeoutlint.rule import Attr, FixAvailability, Invalid, Valid, Word
from timeoutlint.rules.waits._omitted import OmittedTimeout

_DEFAULT = {"default-timeout": 30}
_POOL = "from concurrent.futures import ThreadPoolExecutor\nPOOL = ThreadPoolExecutor()\n"


class FutureWaitWithoutTimeout(OmittedTimeout):
    """
    ## What it does
    Checks for `Future.result()`, `Future.exception()`, `concurrent.futures.wait(fs)` and
    `concurrent.futures.as_completed(fs)`, and for `AsyncResult.get()`/`.wait()` of a
    `multiprocessing` pool, called without a timeout on objects known to be of those types
    (from `executor.submit(...)`, `pool.apply_async(...)`, an annotation, an attribute set
    in `__init__` ...).

    ## Why is this bad?
    The caller blocks until the work finishes. When the task hangs (a stuck socket, a
    deadlock, a worker process killed by the OOM killer) the caller hangs with it, and so
    does whatever waits on the caller. With a timeout the wait raises `TimeoutError`
    (`multiprocessing.TimeoutError` for `AsyncResult.get()`), and the caller can cancel the
    future, report and go on.

    ## Example
    ```python
    from concurrent.futures import ThreadPoolExecutor

    POOL = ThreadPoolExecutor()

    def fetch_all(urls):
        futures = [POOL.submit(fetch, url) for url in urls]
        return [future.result() for future in futures]
    ```

    ## Use instead
    ```python
    from concurrent.futures import ThreadPoolExecutor

    POOL = ThreadPoolExecutor()

    def fetch_all(urls):
        futures = [POOL.submit(fetch, url) for url in urls]
        return [future.result(timeout=30) for future in futures]
    ```

    ## Fix safety
    The fix inserts `timeout=<default-timeout>` and is offered only when `default-timeout`
    is set (a fix never invents a value). It is unsafe: the wait now raises `TimeoutError`
    after that many seconds where it used to wait. `AsyncResult.wait()` gets no fix: it
    returns silently when its timeout expires, so a fix would turn a hang into carrying on
    as if the result were ready.

    A future known to be done is not a wait and is not reported: one yielded by
    `as_completed(...)`, one from the done set of `wait(...)`, one whose `done()` was
    checked by the enclosing `if` (or comprehension condition), and the future a
    `add_done_callback` callback receives. Neither is a future of unknown type (a
    parameter without annotation), nor an `asyncio.Future`, whose `result()` never blocks,
    nor a wait in the branch taken when the function's own timeout parameter says forever
    (`if timeout is None: return fut.result()`). An explicit `timeout=None` is TL305's.

    Waits inside a `with ThreadPoolExecutor() as ex:` block are not reported either:
    leaving the block waits for every task whatever the wait's timeout, so a timeout there
    bounds nothing (the pool made per call is TL102's finding, the timeout it defeats
    TL103's). Futures bound inside such a block and waited on after it are done.

    ## Options
    - `default-timeout` (top-level setting): the number of seconds the fix inserts.
    - `blocking-calls` (in `[tool.timeoutlint.rules.TL301]`): more callables that wait, as
      `[{name = "mypkg.jobs.Job.result", timeout = "timeout", position = 0}]` (`name` is a
      qualified function name or `module.Class.method`; `position` is optional).

    ## References
    - [concurrent.futures.Future.result](https://docs.python.org/3/library/concurrent.futures.html#concurrent.futures.Future.result)
    - [multiprocessing AsyncResult.get](https://docs.python.org/3/library/multiprocessing.html#multiprocessing.pool.AsyncResult.get)
    """

    code = "TL301"
    name = "future-wait-without-timeout"
    message = "{callee} waits for the work with no timeout: a hung task blocks the caller forever"
    fix_title = "Pass `timeout=<default-timeout>`"
    fix_availability = FixAvailability.SOMETIMES
    applicability = Applicability.UNSAFE
    triggers = (Attr("result"), Attr("exception"), Word("wait"), Word("as_completed"), Attr("get"))

    VALID = [
        Valid(_POOL + "f = POOL.submit(print)\nf.result(timeout=5)\n", why="timeout given"),
        Valid(_POOL + "f = POOL.submit(print)\nf.result(5)\n", why="positional timeout"),
        Valid(_POOL + "f = POOL.submit(print)\nf.result(**opts)\n", why="**kwargs may carry one"),
        Valid(_POOL + "f = POOL.submit(print)\nf.result(timeout=None)\n", why="explicit None is TL305"),
        Valid(
            "from concurrent.futures import as_completed\ndef f(fs):\n    for done in as_completed(fs, timeout=9):\n"
            "        done.result()\n",
            why="as_completed yields done futures",
        ),
        Valid(
            "import concurrent.futures as cf\ndef f(fs):\n    done, _ = cf.wait(fs, timeout=5)\n    for d in done:\n"
            "        d.result()\n",
            why="the done set of wait()",
        ),
        Valid(_POOL + "f = POOL.submit(print)\nif f.done():\n    f.result()\n", why="known to be done"),
        Valid(_POOL + "fs = [POOL.submit(print)]\nok = [f.result() for f in fs if f.done()]\n", why="filtered on done()"),
        Valid("def f(fut):\n    return fut.result()\n", why="fut is not known to be a Future"),
        Valid(
            "from concurrent.futures import ThreadPoolExecutor, as_completed\ndef f(xs):\n"
            "    with ThreadPoolExecutor() as ex:\n        for d in as_completed([ex.submit(len, x) for x in xs]):\n"
            "            d.result()\n",
            why="the with exit waits anyway: a timeout would bound nothing",
        ),
        Valid(
            "from concurrent.futures import ThreadPoolExecutor\ndef f(x):\n    with ThreadPoolExecutor() as ex:\n"
            "        fut = ex.submit(len, x)\n    return fut.result()\n",
            why="done once the with block is left",
        ),
        Valid("import asyncio\nasync def f():\n    t = asyncio.ensure_future(g())\n    await t\n    t.result()\n", why="asyncio.Future.result() does not block"),
        Valid("def f(parts, d, k):\n    return ','.join(parts), d.get(k)\n", why="neither is a wait"),
        Valid(
            "from concurrent.futures import Future\ndef _done(fut: Future) -> None:\n    print(fut.result())\n"
            "def watch(fut: Future) -> None:\n    fut.add_done_callback(_done)\n",
            why="a done callback receives a done future",
        ),
    ]
    INVALID = [
        Invalid(
            _POOL + "f = POOL.submit(print)\nf.result()\n",
            fixed=_POOL + "f = POOL.submit(print)\nf.result(timeout=30)\n",
            settings=_DEFAULT,
        ),
        Invalid(_POOL + "f = POOL.submit(print)\nf.exception()\n", why="no default-timeout: no fix"),
        Invalid(
            "import concurrent.futures as cf\ndef f(fs):\n    cf.wait(fs)\n",
            fixed="import concurrent.futures as cf\ndef f(fs):\n    cf.wait(fs, timeout=30)\n",
            settings=_DEFAULT,
        ),
        Invalid(
            "from concurrent.futures import as_completed\ndef f(fs):\n    for d in as_completed(fs):\n        d.result()\n",
            fixed="from concurrent.futures import as_completed\ndef f(fs):\n    for d in as_completed(fs, timeout=30):\n        d.result()\n",
            settings=_DEFAULT,
        ),
        Invalid(
            "from multiprocessing import Pool\ndef f(pool: Pool):\n    r = pool.apply_async(len, ('ab',))\n    return r.get()\n",
            fixed="from multiprocessing import Pool\ndef f(pool: Pool):\n    r = pool.apply_async(len, ('ab',))\n    return r.get(timeout=30)\n",
            settings=_DEFAULT,
        ),
        Invalid(
            "from multiprocessing import Pool\ndef f(pool: Pool):\n    r = pool.map_async(len, ['ab'])\n    r.wait()\n",
            settings=_DEFAULT,
            why="wait() returns silently on timeout: no fix",
        ),
        Invalid(
            "from concurrent.futures import Future\ndef f(fut: Future) -> None:\n    if not fut.done():\n        fut.result()\n",
            fixed="from concurrent.futures import Future\ndef f(fut: Future) -> None:\n    if not fut.done():\n        fut.result(timeout=30)\n",
            settings=_DEFAULT,
            why="known not to be done",
        ),
    ]

    def __init__(self, ctx: object) -> None:
        super().__init__(ctx)  # type: ignore[arg-type]
        self._callbacks: Optional[frozenset[str]] = None

    def exempt(self, call: cst.Call, wait: Wait) -> bool:
        if self._in_executor_block() or self._after_executor_block(call):
            return True
        func = call.func
        if not isinstance(func, cst.Attribute):
            return False
        receiver = self.ctx.module.code_for_node(func.value)
        return self._checked_done(receiver) or self._done_callback_param(func.value)

    def _is_executor_with(self, node: cst.CSTNode) -> bool:
        return isinstance(node, cst.With) and any(self.ctx.type_of(item.item) in EXECUTOR_TYPES for item in node.items)

    def _in_executor_block(self) -> bool:
        """Inside ``with ThreadPoolExecutor() as ex:``: leaving the block waits for every
        task whatever timeout the wait has, so a timeout here bounds nothing (the pool made
        per call is TL102's, the timeout it defeats TL103's)."""
        for node in reversed(self.ctx.stack):
            if isinstance(node, (cst.FunctionDef, cst.Lambda, cst.ClassDef)):
                return False
            if self._is_executor_with(node):
                return True
        return False

    def _after_executor_block(self, call: cst.Call) -> bool:
        """The futures waited on were bound inside an earlier ``with <executor>:`` block of
        this function: leaving it waited for them, so they are done."""
        names = self._waited_names(call)
        if not names:
            return False
        stack = self.ctx.stack
        for index in range(len(stack) - 1, 0, -1):
            block, statement = stack[index - 1], stack[index]
            if isinstance(block, (cst.FunctionDef, cst.Lambda, cst.ClassDef)):
                return False
            if not isinstance(block, (cst.IndentedBlock, cst.Module)) or statement not in block.body:
                continue
            for earlier in block.body[: block.body.index(statement)]:  # type: ignore[arg-type]
                if self._is_executor_with(earlier) and names & _bound_in(earlier.body):  # type: ignore[attr-defined]
                    return True
        return False

    def _waited_names(self, call: cst.Call) -> set[str]:
        """The local names the wait's futures come from: the receiver (``fut.result()``) or
        the first argument (``wait(fs)``), and the iterable of a loop binding either."""
        func = call.func
        target = func.value if isinstance(func, cst.Attribute) else (call.args[0].value if call.args else None)
        if not isinstance(target, cst.Name):
            return set()
        names = {target.value}
        for node in self.ctx.stack:
            loops: list[tuple[cst.BaseExpression, cst.BaseExpression]] = []
            if isinstance(node, cst.For):
                loops.append((node.target, node.iter))
            elif isinstance(node, (cst.ListComp, cst.SetComp, cst.GeneratorExp, cst.DictComp)):
                comp_for: Optional[cst.CompFor] = node.for_in
                while comp_for is not None:
                    loops.append((comp_for.target, comp_for.iter))
                    comp_for = comp_for.inner_for_in
            for loop_target, iterable in loops:
                if isinstance(loop_target, cst.Name) and loop_target.value in names and isinstance(iterable, cst.Name):
                    names.add(iterable.value)
        return names

    def _checked_done(self, receiver: str) -> bool:
        """In the body of ``if <receiver>.done():`` or a comprehension filtered on it."""
        stack = self.ctx.stack
        for index in range(len(stack) - 1, 0, -1):
            parent, child = stack[index - 1], stack[index]
            if isinstance(parent, (cst.FunctionDef, cst.ClassDef)):
                return False
            if isinstance(parent, cst.If) and child is parent.body and self._tests_done(parent.test, receiver):
                return True
            if isinstance(parent, (cst.ListComp, cst.SetComp, cst.GeneratorExp, cst.DictComp)):
                comp_for: Optional[cst.CompFor] = parent.for_in
                while comp_for is not None:
                    if any(self._tests_done(condition.test, receiver) for condition in comp_for.ifs):
                        return True
                    comp_for = comp_for.inner_for_in
        return False

    def _tests_done(self, test: cst.BaseExpression, receiver: str) -> bool:
        """``<receiver>.done()``, alone or as one operand of ``and``."""
        if isinstance(test, cst.BooleanOperation) and isinstance(test.operator, cst.And):
            return self._tests_done(test.left, receiver) or self._tests_done(test.right, receiver)
        return (
            isinstance(test, cst.Call)
            and isinstance(test.func, cst.Attribute)
            and test.func.attr.value == "done"
            and not test.args
            and self.ctx.module.code_for_node(test.func.value) == receiver
        )

    def _done_callback_param(self, receiver: cst.BaseExpression) -> bool:
        """The future parameter of a function passed to ``add_done_callback`` in this file."""
        function = self.ctx.current_function()
        if function is None or not isinstance(receiver, cst.Name):
            return False
        if receiver.value not in {param.name.value for param in all_params(function.params)}:
            return False
        return function.name.value in self._done_callbacks()

    def _done_callbacks(self) -> frozenset[str]:
        if self._callbacks is None:
            names: set[str] = set()
            if "add_done_callback" in self.ctx.source:
                for found in _find_callbacks(self.ctx.whole_module()):
                    names.add(found)
            self._callbacks = frozenset(names)
        return self._callbacks


def _find_callbacks(module: cst.Module) -> list[str]:
    """The names (``cb``, ``self._on_done`` -> ``_on_done``) passed to ``add_done_callback``."""
    found: list[str] = []

    class _Finder(cst.CSTVisitor):
        def visit_Call(self, node: cst.Call) -> None:
            func = node.func
            if isinstance(func, cst.Attribute) and func.attr.value == "add_done_callback" and node.args:
                value = node.args[0].value
                if isinstance(value, cst.Name):
                    found.append(value.value)
                elif isinstance(value, cst.Attribute):
                    found.append(value.attr.value)

    module.visit(_Finder())
    return found


def _bound_in(body: cst.BaseSuite) -> set[str]:
    """The names a block binds by assignment (``fut = ex.submit(...)``, ``fs = [...]``) or
    fills (``fs.append(ex.submit(...))``)."""
    found: set[str] = set()

    class _Finder(cst.CSTVisitor):
        def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
            found.update(assigned_names(node.target))

        def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
            found.update(assigned_names(node.target))

        def visit_Call(self, node: cst.Call) -> None:
            func = node.func
            if isinstance(func, cst.Attribute) and func.attr.value in ("append", "add", "extend") and isinstance(func.value, cst.Name):
                found.add(func.value.value)

        def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
            return False

    body.visit(_Finder())
    return found

