"""Futures (TL105, TL106): what a timeout handler does with the future it gave up on, and
whether it catches the timeout at all."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Sequence, Tuple

import libcst as cst

from timeoutlint.context import ImportNeed, PendingFix, PendingReport
from timeoutlint.ftypes import Applicability
from timeoutlint.rule import FixAvailability, Invalid, Rule, Valid
from timeoutlint.rules.executors._bodies import Body
from timeoutlint.rules.executors._futures_common import (
    binds,
    cancellations,
    mentions,
    named,
    raised_timeout,
    timed_future_wait,
)
from timeoutlint.rules.executors._handlers import ASYNCIO, BUILTIN, EXACT, FUTURES, NO, UNKNOWN, contains_raise, handlers_met

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
    triggers = ("result", "exception")

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
        for root in [*roots, self.ctx.module]:
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


@dataclass
class _Missed:
    """A TL106 handler: the builtin TimeoutError it names, and what it fails to catch."""

    element: cst.BaseExpression
    kinds: Dict[str, str] = field(default_factory=dict)  # kind -> the call raising it
    dependencies: List[Any] = field(default_factory=list)


_KIND_LABELS = {FUTURES: "concurrent.futures.TimeoutError", ASYNCIO: "asyncio.TimeoutError"}
_KIND_IMPORTS = {FUTURES: ("concurrent.futures", "TimeoutError"), ASYNCIO: ("asyncio", "TimeoutError")}


class TimeoutErrorAliasMismatch(Rule):
    """
    ## What it does
    Checks for `except TimeoutError` (the builtin) around a call whose timeout raises
    `concurrent.futures.TimeoutError` or `asyncio.TimeoutError`, when the target version is
    older than Python 3.11. The calls:

    - `concurrent.futures.TimeoutError`: `fut.result(timeout)` and `fut.exception(timeout)`
      of a known future, `concurrent.futures.as_completed(fs, timeout=...)`,
      `executor.map(..., timeout=...)` of a known executor;
    - `asyncio.TimeoutError`: `asyncio.wait_for(aw, timeout)`,
      `asyncio.as_completed(aws, timeout=...)`, `async_timeout.timeout(delay)`.

    Only calls in the `try` body itself count (not in nested functions, lambdas or
    generator expressions, which run later; an iterator must be consumed there, as the
    `for` of a loop or by `list()`, an awaitable awaited, `async_timeout` entered by its
    `async with`), and only when the timeout reaches the handler:
    a handler before it that catches the right class (or `Exception`) stops it, and so does
    a later handler of the same `try` that names the right class.

    ## Why is this bad?
    Until Python 3.11, `concurrent.futures.TimeoutError` and `asyncio.TimeoutError` are
    their own classes, not subclasses of the builtin `TimeoutError`. The handler looks
    right, passes review, and works on 3.11 and later — but on 3.9 and 3.10 the timeout
    goes straight past it, as an unexpected exception.

    `concurrent.futures.wait()` and `asyncio.wait()` are not concerned: they return the
    unfinished futures instead of raising. `asyncio.timeout()` exists only from 3.11.

    ## Example
    ```python
    import asyncio

    async def fetch(client, url):
        try:
            return await asyncio.wait_for(client.get(url), 10)
        except TimeoutError:
            return None
    ```

    ## Use instead
    ```python
    import asyncio

    async def fetch(client, url):
        try:
            return await asyncio.wait_for(client.get(url), 10)
        except (TimeoutError, asyncio.TimeoutError):
            return None
    ```

    ## Fix safety
    The fix adds the class the call raises next to `TimeoutError` —
    `except (TimeoutError, concurrent.futures.TimeoutError):` — reusing an existing import
    (`import concurrent.futures`, `from concurrent import futures`) or adding one. It is
    safe: the handler still catches everything it caught before (replacing `TimeoutError`
    would stop it catching a builtin `TimeoutError` raised by other code in the `try`),
    now also catches the timeout it was written for, and on 3.11 and later, where the two
    names are one class, the code behaves exactly as before.

    ## Options
    - `target-version` (top-level setting): the rule is active below `py311`.

    ## References
    - [concurrent.futures.TimeoutError](https://docs.python.org/3/library/concurrent.futures.html#concurrent.futures.TimeoutError) (an alias of `TimeoutError` since 3.11)
    - [asyncio.TimeoutError](https://docs.python.org/3/library/asyncio-exceptions.html#asyncio.TimeoutError) (an alias of `TimeoutError` since 3.11)
    """

    code = "TL106"
    name = "timeout-error-alias-mismatch"
    message = "Before Python 3.11 `except TimeoutError` does not catch {raised}"
    fix_title = "Also catch the class the call raises"
    fix_availability = FixAvailability.ALWAYS
    applicability = Applicability.SAFE
    triggers = ("TimeoutError",)

    _SUBMIT = "import concurrent.futures\nex = concurrent.futures.ThreadPoolExecutor()\nfut = ex.submit(f)\n"
    VALID = [
        Valid(_SUBMIT + "try:\n    fut.result(timeout=5)\nexcept TimeoutError:\n    pass\n", settings=_PY311, why="same class on 3.11"),
        Valid(_SUBMIT + "try:\n    fut.result(timeout=5)\nexcept concurrent.futures.TimeoutError:\n    pass\n"),
        Valid(_SUBMIT + "try:\n    fut.result(timeout=5)\nexcept (TimeoutError, concurrent.futures.TimeoutError):\n    pass\n"),
        Valid(_SUBMIT + "try:\n    fut.result(timeout=5)\nexcept Exception:\n    pass\n"),
        Valid(_SUBMIT + "try:\n    fut.result()\nexcept TimeoutError:\n    pass\n", why="no timeout"),
        Valid("try:\n    sock.recv(10)\nexcept TimeoutError:\n    pass\n", why="no such call in the try body"),
        Valid(
            _SUBMIT + "try:\n    def later():\n        return fut.result(timeout=5)\nexcept TimeoutError:\n    pass\n",
            why="a call in a nested function",
        ),
        Valid(
            "import asyncio\nTimeoutError = asyncio.TimeoutError\nasync def f(aw):\n    try:\n        await asyncio.wait_for(aw, 1)\n"
            "    except TimeoutError:\n        pass\n",
            why="TimeoutError rebound",
        ),
        Valid(
            "import concurrent.futures\ndef f(fs):\n    try:\n        concurrent.futures.wait(fs, timeout=5)\n    except TimeoutError:\n        pass\n",
            why="wait() does not raise on timeout",
        ),
        Valid(
            _SUBMIT + "try:\n    fut.result(timeout=5)\nexcept TimeoutError:\n    a()\nexcept concurrent.futures.TimeoutError:\n    b()\n",
            why="a later handler names the right class",
        ),
    ]
    INVALID = [
        Invalid(
            _SUBMIT + "try:\n    fut.result(timeout=5)\nexcept TimeoutError:\n    pass\n",
            fixed=_SUBMIT + "try:\n    fut.result(timeout=5)\nexcept (TimeoutError, concurrent.futures.TimeoutError):\n    pass\n",
        ),
        Invalid(
            "import asyncio\nasync def f(aw):\n    try:\n        return await asyncio.wait_for(aw, 1)\n"
            "    except (ValueError, TimeoutError) as exc:\n        log(exc)\n",
            fixed="import asyncio\nasync def f(aw):\n    try:\n        return await asyncio.wait_for(aw, 1)\n"
            "    except (ValueError, TimeoutError, asyncio.TimeoutError) as exc:\n        log(exc)\n",
            settings={"target-version": "py310"},
        ),
        Invalid(
            "from concurrent.futures import ThreadPoolExecutor, as_completed\ndef f(fs):\n    try:\n"
            "        for done in as_completed(fs, timeout=5):\n            done.result()\n    except TimeoutError:\n        pass\n",
            fixed="from concurrent.futures import ThreadPoolExecutor, as_completed\nimport concurrent.futures\ndef f(fs):\n    try:\n"
            "        for done in as_completed(fs, timeout=5):\n            done.result()\n"
            "    except (TimeoutError, concurrent.futures.TimeoutError):\n        pass\n",
        ),
        Invalid(
            _SUBMIT + "try:\n    fut.result(timeout=5)\nexcept TimeoutError:\n    a()\nexcept Exception:\n    b()\n",
            fixed=_SUBMIT + "try:\n    fut.result(timeout=5)\nexcept (TimeoutError, concurrent.futures.TimeoutError):\n    a()\nexcept Exception:\n    b()\n",
            why="the timeout would reach the generic handler",
        ),
    ]

    def __init__(self, ctx: Any) -> None:
        super().__init__(ctx)
        self._pending: Dict[cst.ExceptHandler, _Missed] = {}

    def visit_Call(self, node: cst.Call) -> None:
        if self.ctx.target_version >= (3, 11):
            return
        kind = raised_timeout(self.ctx, node)
        if kind is None:
            return
        dependencies = list(self.ctx.resolver.dependencies)
        met = list(handlers_met(self.ctx, kind, self.ctx.target_version))
        last = met[-1] if met else None
        for entry in met:
            if entry.verdict != NO or entry.types is None:
                continue
            if last is not None and last.try_node is entry.try_node and last.verdict in (EXACT, UNKNOWN):
                continue  # a later handler of this try takes care of it
            builtin = next((element for element, qualname in entry.types if qualname == BUILTIN), None)
            if builtin is None:
                continue
            missed = self._pending.setdefault(entry.handler, _Missed(builtin))
            missed.kinds.setdefault(kind, _call_label(self, node))
            missed.dependencies += dependencies

    def leave_Try(self, node: cst.Try) -> None:
        for handler in node.handlers:
            missed = self._pending.pop(handler, None)
            if missed is None:
                continue
            kinds = [kind for kind in (FUTURES, ASYNCIO) if kind in missed.kinds]
            raised = " or ".join(f"the `{_KIND_LABELS[kind]}` raised by `{missed.kinds[kind]}`" for kind in kinds)
            message = self.message.format(raised=raised)
            fix = self._fix(handler, missed.element, kinds)
            self.ctx.reports.append(PendingReport(self, missed.element, None, message, fix, missed.dependencies))

    def _fix(self, handler: cst.ExceptHandler, element: cst.BaseExpression, kinds: List[str]) -> Optional[PendingFix]:
        added: List[cst.BaseExpression] = []
        imports: List[ImportNeed] = []
        for kind in kinds:
            reference = self.ctx.reference(*_KIND_IMPORTS[kind])
            if reference is None:
                return None
            expression, need = reference
            added.append(expression)
            if need is not None:
                imports.append(need)
        old = handler.type
        assert old is not None
        new: cst.BaseExpression
        if isinstance(old, cst.Tuple):
            new = _insert_after(old, element, added)
        else:
            bare = old.with_changes(lpar=[], rpar=[])
            elements = [cst.Element(bare)] + [cst.Element(expression) for expression in added]
            new = cst.Tuple(elements, lpar=old.lpar or [cst.LeftParen()], rpar=old.rpar or [cst.RightParen()])
        return PendingFix(self.fix_title or "", Applicability.SAFE, [(old, new)], imports)


def _stripped(comma: cst.Comma) -> cst.Comma:
    """The comma with the comment and blank lines after it removed (to copy its layout)."""
    after = comma.whitespace_after
    if isinstance(after, cst.ParenthesizedWhitespace):
        return comma.with_changes(whitespace_after=after.with_changes(first_line=cst.TrailingWhitespace(), empty_lines=[]))
    return comma


def _insert_after(old: cst.Tuple, element: cst.BaseExpression, added: List[cst.BaseExpression]) -> cst.Tuple:
    """The tuple with ``added`` right after ``element``, in the tuple's own layout; a
    comment after ``element`` stays after it."""
    elements = list(old.elements)
    index = next(i for i, item in enumerate(elements) if item.value is element)
    current = elements[index]
    if index < len(elements) - 1:
        assert isinstance(current.comma, cst.Comma)
        separator = _stripped(current.comma)
        inserted = [cst.Element(expression, comma=separator) for expression in added]
        return old.with_changes(elements=elements[: index + 1] + inserted + elements[index + 1 :])
    previous = elements[index - 1].comma if index > 0 else None
    separator = _stripped(previous) if isinstance(previous, cst.Comma) else cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
    inserted = [cst.Element(expression, comma=separator) for expression in added[:-1]]
    trailing = current.comma
    closing = old.rpar[0].whitespace_before if len(old.rpar) == 1 else None
    between = separator.whitespace_after
    if (
        isinstance(trailing, cst.Comma)
        and isinstance(closing, cst.ParenthesizedWhitespace)
        and isinstance(between, cst.ParenthesizedWhitespace)
    ):
        # ``TimeoutError,  # comment`` then ``)`` on its own line: the comment stays on
        # the first line, the new element goes on a line of its own before the ``)``
        own_line = between.with_changes(first_line=closing.first_line, empty_lines=closing.empty_lines)
        current = current.with_changes(comma=trailing.with_changes(whitespace_after=own_line))
        inserted.append(cst.Element(added[-1], comma=trailing))
        rpar = old.rpar[0].with_changes(whitespace_before=closing.with_changes(first_line=cst.TrailingWhitespace(), empty_lines=[]))
        return old.with_changes(elements=elements[:index] + [current] + inserted, rpar=[rpar])
    inserted.append(cst.Element(added[-1], comma=trailing))  # a trailing comma stays last
    return old.with_changes(elements=elements[:index] + [current.with_changes(comma=separator)] + inserted)


def _call_label(rule: Rule, call: cst.Call) -> str:
    func = call.func
    qualname = rule.ctx.qualified_name(func)
    if qualname is not None:
        return f"{qualname}()"
    if isinstance(func, cst.Attribute):
        return f"{rule.ctx.module.code_for_node(func.value)}.{func.attr.value}()"
    return f"{rule.ctx.module.code_for_node(func)}()"

