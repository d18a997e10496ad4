"""TL105: what a timeout handler does with the future it gave up on (TL106, whether it
catches the timeout at all, is in ``timeout_alias``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Sequence, Tuple

import libcst as cst

from timeoutlint.context import PendingFix, PendingReport
from timeoutlint.ftypes import Applicability
from timeoutlint.rule import Attr, FixAvailability, Invalid, Rule, Valid
from timeoutlint.rules.executors._bodies import Body
from timeoutlint.rules.executors._futures_common import (
    binds,
    cancellations,
    mentions,
    named,
    timed_future_wait,
)
from timeoutlint.rules.executors._handlers import EXACT, FUTURES, contains_raise, handlers_met

_LOOPS = (cst.For, cst.While)
_SCOPES = (cst.FunctionDef, cst.Lambda, cst.ClassDef, cst.Module)
_PY311 = {"target-version": "py311"}


@dataclass
class _Abandoned:
    """A timeout handler of TL105 and the futures it leaves running."""

    futures: List[Tuple[str, cst.BaseExpression]] = field(default_factory=list)
    fixable: bool = True
    dependencies: List[Any] = field(default_factory=list)


class TimedOutFutureNotCancelled(Rule):
    """
    ## What it does
    Checks for a handler of the timeout of `fut.result(timeout=...)` that neither cancels
    the future nor re-raises. `fut` must be known to come from `executor.submit(...)` on a
    known executor (every binding of the name is such a call, or the call is the receiver
    itself); `fut.exception(timeout=...)` counts too.

    The handler is the first `except` clause the timeout meets that names its class:
    `concurrent.futures.TimeoutError`, and from Python 3.11 (the target version) also the
    builtin `TimeoutError`, `asyncio.TimeoutError` and `socket.timeout`, which are the same
    class there. A handler that calls `fut.cancel()`, raises (anything), or mentions the
    future at all (it may hand it to someone who owns it) is fine, and so is a function
    that cancels the future elsewhere (a `finally:`, after the `try`) or shuts its executor
    down with `cancel_futures=True`.

    ## Why is this bad?
    `result(timeout=...)` gives up *waiting*; it does not stop the work. The task stays in
    the executor's queue, or keeps running, with nobody left to read its result or see its
    exception: a timed-out request is still sent, a retry runs next to the original, the
    queue fills with work nobody wants. `fut.cancel()` removes a task that has not started
    yet (and returns `False` for one that has, which then needs its own way to stop).

    ## Example
    ```python
    from concurrent.futures import ThreadPoolExecutor, TimeoutError

    pool = ThreadPoolExecutor()

    def lookup(key):
        fut = pool.submit(fetch, key)
        try:
            return fut.result(timeout=5)
        except TimeoutError:
            return None
    ```

    ## Use instead
    ```python
    from concurrent.futures import ThreadPoolExecutor, TimeoutError

    pool = ThreadPoolExecutor()

    def lookup(key):
        fut = pool.submit(fetch, key)
        try:
            return fut.result(timeout=5)
        except TimeoutError:
            fut.cancel()
            return None
    ```

    ## Fix safety
    The fix inserts `fut.cancel()` as the first statement of the handler (a handler whose
    body is only `pass` gets `fut.cancel()` in place of the `pass`; comments stay where
    they are). It is unsafe: a task that had not started no longer runs at all, which is
    the point, but code may rely on its side effects.

    There is no fix when the future has no name (`pool.submit(f).result(timeout=5)`), or
    when it is bound in the `try` body after other statements (a `TimeoutError` from one of
    those would reach the handler before the future exists).

    Not reported: a future the loop around the `try` waits on again (`while True: try:
    fut.result(timeout=1) ...`), futures of unknown type or origin — those from
    `as_completed()` or the done set of `wait()`, which are already finished, and a future
    passed in or stored on `self`, which may be a bare `Future()` another thread completes
    (cancelling it would make its `set_result()` raise `InvalidStateError`) — and a
    `result()` without a timeout.

    ## References
    - [Future.cancel](https://docs.python.org/3/library/concurrent.futures.html#concurrent.futures.Future.cancel)
    - [Future.result](https://docs.python.org/3/library/concurrent.futures.html#concurrent.futures.Future.result)
    """

    code = "TL105"
    name = "timed-out-future-not-cancelled"
    message = "On timeout this handler neither cancels {futures} nor re-raises: the work runs on, unowned"
    fix_title = "Cancel the future in the handler"
    fix_availability = FixAvailability.SOMETIMES
    applicability = Applicability.UNSAFE
    triggers = (Attr("result"), Attr("exception"))

    _SUBMIT = "from concurrent import futures\nex = futures.ThreadPoolExecutor()\n"
    VALID = [
        Valid(_SUBMIT + "fut = ex.submit(f)\ntry:\n    fut.result(timeout=5)\nexcept futures.TimeoutError:\n    fut.cancel()\n"),
        Valid(_SUBMIT + "fut = ex.submit(f)\ntry:\n    fut.result(timeout=5)\nexcept futures.TimeoutError:\n    raise\n"),
        Valid(
            _SUBMIT + "fut = ex.submit(f)\ntry:\n    fut.result(timeout=5)\nexcept futures.TimeoutError as e:\n"
            "    raise RuntimeError('slow') from e\n",
            why="re-raised as another error",
        ),
        Valid(
            _SUBMIT + "def f(fs):\n    for fut in futures.as_completed(fs):\n        try:\n            fut.result(timeout=1)\n"
            "        except futures.TimeoutError:\n            pass\n",
            why="futures from as_completed are finished (and of unknown type)",
        ),
        Valid(_SUBMIT + "fut = ex.submit(f)\ntry:\n    fut.result()\nexcept futures.TimeoutError:\n    pass\n", why="no timeout"),
        Valid("from concurrent import futures\ntry:\n    fut.result(timeout=5)\nexcept futures.TimeoutError:\n    pass\n", why="unknown future"),
        Valid(_SUBMIT + "fut = ex.submit(f)\ntry:\n    fut.result(timeout=5)\nexcept TimeoutError:\n    pass\n", why="py39: builtin TimeoutError does not catch it (TL106)"),
        Valid(
            _SUBMIT + "fut = ex.submit(f)\nwhile True:\n    try:\n        fut.result(timeout=1)\n        break\n"
            "    except futures.TimeoutError:\n        check_interrupt()\n",
            why="the loop waits on the same future again",
        ),
        Valid(
            _SUBMIT + "fut = ex.submit(f)\ntry:\n    fut.result(timeout=5)\nexcept futures.TimeoutError:\n    pending.append(fut)\n",
            why="the future is handed on",
        ),
        Valid(
            _SUBMIT + "fut = ex.submit(f)\ntry:\n    fut.result(timeout=5)\nexcept futures.TimeoutError:\n    log()\nfinally:\n    fut.cancel()\n",
            why="cancelled in finally",
        ),
        Valid(_SUBMIT + "fut = ex.submit(f)\ntry:\n    fut.result(timeout=5)\nexcept Exception:\n    pass\n", why="a broad handler: not a timeout handler"),
        Valid(
            _SUBMIT + "fut = ex.submit(f)\ntry:\n    fut.result(timeout=5)\nexcept TimeoutError:\n    fut.cancel()\n",
            settings=_PY311,
        ),
    ]
    INVALID = [
        Invalid(
            _SUBMIT + "fut = ex.submit(f)\ntry:\n    fut.result(timeout=5)\nexcept futures.TimeoutError:\n    pass\n",
            fixed=_SUBMIT + "fut = ex.submit(f)\ntry:\n    fut.result(timeout=5)\nexcept futures.TimeoutError:\n    fut.cancel()\n",
        ),
        Invalid(
            _SUBMIT + "def get(key):\n    fut = ex.submit(load, key)\n    try:\n        return fut.result(5)\n"
            "    except TimeoutError:  # give up\n        # fall back to the cache\n        return cache[key]\n",
            fixed=_SUBMIT + "def get(key):\n    fut = ex.submit(load, key)\n    try:\n        return fut.result(5)\n"
            "    except TimeoutError:  # give up\n        fut.cancel()\n        # fall back to the cache\n        return cache[key]\n",
            settings=_PY311,
        ),
        Invalid(
            _SUBMIT + "try:\n    value = ex.submit(f).result(timeout=5)\nexcept futures.TimeoutError:\n    value = None\n",
            why="the future has no name: no fix",
        ),
        Invalid(
            _SUBMIT + "def f(jobs):\n    for job in jobs:\n        fut = ex.submit(job)\n        try:\n            fut.result(timeout=5)\n"
            "        except futures.TimeoutError: log(job)\n",
            fixed=_SUBMIT + "def f(jobs):\n    for job in jobs:\n        fut = ex.submit(job)\n        try:\n            fut.result(timeout=5)\n"
            "        except futures.TimeoutError: fut.cancel(); log(job)\n",
            why="a new future each iteration",
        ),
        Invalid(
            "import asyncio\nfrom concurrent import futures\nex = futures.ThreadPoolExecutor()\n"
            "try:\n    prepare()\n    fut = ex.submit(f)\n    fut.result(timeout=5)\nexcept (asyncio.TimeoutError, OSError):\n    pass\n",
            settings=_PY311,
            why="bound after another statement of the try: no fix",
        ),
    ]

    def __init__(self, ctx: Any) -> None:
        super().__init__(ctx)
        self._pending: Dict[cst.ExceptHandler, _Abandoned] = {}
        self._bodies: Dict[cst.CSTNode, Body] = {}

    def visit_Call(self, node: cst.Call) -> None:
        future = timed_future_wait(self.ctx, node)
        if future is None:
            return
        dependencies = list(self.ctx.resolver.dependencies)
        met = list(handlers_met(self.ctx, FUTURES, self.ctx.target_version))
        if not met or met[-1].verdict != EXACT:
            return
        handler, try_node = met[-1].handler, met[-1].try_node
        if contains_raise(handler.body):
            return
        if not self._submitted(future):
            return
        name = named(future)
        if name is not None and not self._abandons(name, handler, try_node):
            return
        abandoned = self._pending.setdefault(handler, _Abandoned())
        abandoned.dependencies += dependencies
        text = f"`{name}`" if name else f"the future of `{self.ctx.module.code_for_node(future)}`"
        if all(text != seen for seen, _ in abandoned.futures):
            abandoned.futures.append((text, future))
        if name is None or _bound_late(try_node, name):
            abandoned.fixable = False

    def _submitted(self, future: cst.BaseExpression) -> bool:
        """The future comes from ``executor.submit(...)``: every binding of its name says so.
        A future of unknown origin (a parameter, an attribute) may be a bare ``Future()``
        that another thread completes — cancelling it would make ``set_result()`` raise."""
        if isinstance(future, cst.Call):
            return _is_submit(future)
        if not isinstance(future, cst.Name):
            return False
        roots = [n for n in reversed(self.ctx.stack) if isinstance(n, (cst.FunctionDef, cst.Lambda))]
        for root in [*roots, self.ctx.whole_module()]:  # (the module: all of its bindings)
            if root not in self._bodies:
                self._bodies[root] = Body(root)  # type: ignore[arg-type]
            body = self._bodies[root]
            if future.value in body.declared_global:
                continue
            if body.bound[future.value]:
                values = body.values.get(future.value, [])
                return bool(values) and all(isinstance(v, cst.Call) and _is_submit(v) for v in values)
        return False

    def _abandons(self, name: str, handler: cst.ExceptHandler, try_node: cst.Try) -> bool:
        """Whether the handler leaves the future ``name`` behind, as far as we can see."""
        if mentions(handler.body, name):
            return False
        stack = self.ctx.stack
        scope = next(node for node in reversed(stack) if isinstance(node, _SCOPES))
        cancelled = cancellations(scope)
        if name in cancelled or "*" in cancelled:
            return False
        inside = stack[stack.index(try_node) :: -1]
        for node in inside:
            if isinstance(node, _SCOPES):
                break
            if isinstance(node, _LOOPS) and not binds(node, name):
                return False  # the next iteration may wait on the same future again
        return True

    def leave_Try(self, node: cst.Try) -> None:
        for handler in node.handlers:
            abandoned = self._pending.pop(handler, None)
            if abandoned is None:
                continue
            label = " and ".join(text for text, _ in abandoned.futures)
            message = self.message.format(futures=label)
            fix = self._fix(handler, [text.strip("`") for text, _ in abandoned.futures]) if abandoned.fixable else None
            where = handler.type if handler.type is not None else handler
            self.ctx.reports.append(PendingReport(self, where, None, message, fix, abandoned.dependencies))

    def _fix(self, handler: cst.ExceptHandler, futures: Sequence[str]) -> PendingFix:
        calls = [cst.Expr(cst.parse_expression(f"{name}.cancel()")) for name in futures]
        body = handler.body
        new_body: cst.BaseSuite
        if isinstance(body, cst.IndentedBlock):
            statements: List[cst.BaseStatement] = list(body.body)
            first = statements[0]
            lines = [cst.SimpleStatementLine([call]) for call in calls]
            if isinstance(first, cst.SimpleStatementLine) and len(statements) == 1 and _only_pass(first.body):
                statements = [first.with_changes(body=[calls[0]]), *lines[1:]]
            else:
                statements = [*lines, *statements]
            new_body = body.with_changes(body=statements)
        else:
            assert isinstance(body, cst.SimpleStatementSuite)
            smalls: List[cst.BaseSmallStatement] = list(body.body)
            separator = cst.Semicolon(whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace(" "))
            inserted = [call.with_changes(semicolon=separator) for call in calls]
            if _only_pass(smalls):
                inserted[-1] = calls[-1].with_changes(semicolon=smalls[0].semicolon)
                smalls = []
            new_body = body.with_changes(body=inserted + smalls)
        return PendingFix(self.fix_title or "", Applicability.UNSAFE, [(body, new_body)])


def _is_submit(call: cst.Call) -> bool:
    return isinstance(call.func, cst.Attribute) and call.func.attr.value == "submit"


def _only_pass(smalls: Sequence[cst.BaseSmallStatement]) -> bool:
    return len(smalls) == 1 and isinstance(smalls[0], cst.Pass)


def _bound_late(try_node: cst.Try, name: str) -> bool:
    """``name`` is bound in the try body by a statement other than the first one."""
    statements = list(try_node.body.body) if isinstance(try_node.body, cst.IndentedBlock) else list(try_node.body.body)
    return any(binds(statement, name) for statement in statements[1:])
