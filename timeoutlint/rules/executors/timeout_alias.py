"""TL106: ``except TimeoutError`` that, before Python 3.11, does not catch the timeout of
the call in its ``try`` body, also when the call is inside a function of this file that
the body calls (see ``_escapes``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

import libcst as cst

from timeoutlint.context import ImportNeed, PendingFix, PendingReport
from timeoutlint.ftypes import Applicability
from timeoutlint.rule import FixAvailability, Invalid, Rule, Valid
from timeoutlint.rules.executors._escapes import Escapes
from timeoutlint.rules.executors._futures_common import raised_timeout
from timeoutlint.rules.executors._handlers import ASYNCIO, BUILTIN, EXACT, FUTURES, NO, UNKNOWN, handlers_met

_PY311 = {"target-version": "py311"}


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

    The call may also be inside a function or method of this file that the `try` body
    calls (`fetch()`, `self.fetch()`, `await client.get()` on a value of a class of this
    file), directly or through further such calls, when no handler on the way catches
    it. Generators, decorated functions and coroutines that are not awaited there are not
    followed: calling them does not run their body.

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
        Valid(
            "import concurrent.futures\n\ndef wait_row(fut: concurrent.futures.Future):\n    try:\n        return fut.result(timeout=5)\n"
            "    except concurrent.futures.TimeoutError:\n        return None\n\n"
            "def load(fut):\n    try:\n        return wait_row(fut)\n    except TimeoutError:\n        return None\n",
            why="the called function catches its own timeout",
        ),
        Valid(
            "import asyncio\n\nasync def get(aw):\n    return await asyncio.wait_for(aw, 1)\n\n"
            "def start(aw):\n    try:\n        return get(aw)\n    except TimeoutError:\n        return None\n",
            why="a coroutine made, not awaited: it runs later",
        ),
        Valid(
            "import concurrent.futures\n\ndef rows(futs: list[concurrent.futures.Future]):\n    for fut in futs:\n"
            "        yield fut.result(timeout=5)\n\ndef load(futs):\n    try:\n        return rows(futs)\n    except TimeoutError:\n"
            "        return None\n",
            why="a generator: calling it runs nothing",
        ),
        Valid(
            "def load(fetch):\n    try:\n        return fetch()\n    except TimeoutError:\n        return None\n",
            why="a callable that is not known",
        ),
    ]
    _WAITS = "import concurrent.futures\n\ndef wait_row(fut: concurrent.futures.Future):\n    return fut.result(timeout=5)\n\n"
    INVALID = [
        Invalid(
            _WAITS + "def load(fut):\n    try:\n        return wait_row(fut)\n    except TimeoutError:\n        return None\n",
            fixed=_WAITS + "def load(fut):\n    try:\n        return wait_row(fut)\n"
            "    except (TimeoutError, concurrent.futures.TimeoutError):\n        return None\n",
            why="the wait is in a function the try body calls",
        ),
        Invalid(
            "import asyncio\n\nclass Client:\n    async def _get(self, aw):\n        return await asyncio.wait_for(aw, 1)\n\n"
            "    async def get(self, aw):\n        return await self._get(aw)\n\n"
            "    async def safe_get(self, aw):\n        try:\n            return await self.get(aw)\n        except TimeoutError:\n"
            "            return None\n",
            fixed="import asyncio\n\nclass Client:\n    async def _get(self, aw):\n        return await asyncio.wait_for(aw, 1)\n\n"
            "    async def get(self, aw):\n        return await self._get(aw)\n\n"
            "    async def safe_get(self, aw):\n        try:\n            return await self.get(aw)\n"
            "        except (TimeoutError, asyncio.TimeoutError):\n            return None\n",
            why="through two awaited methods",
        ),
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
            fixed=("import concurrent.futures\n"
                "from concurrent.futures import ThreadPoolExecutor, as_completed\n"
                "def f(fs):\n"
                "    try:\n"
                "        for done in as_completed(fs, timeout=5):\n"
                "            done.result()\n"
                "    except (TimeoutError, concurrent.futures.TimeoutError):\n"
                "        pass\n"),
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
        self._escapes = Escapes(ctx)

    def visit_Call(self, node: cst.Call) -> None:
        version = self.ctx.target_version
        if version >= (3, 11):
            return
        kind = raised_timeout(self.ctx, node)
        if kind is None:
            self._escapes.note_call(node, _call_label(self, node), version)
            return
        met = list(handlers_met(self.ctx, kind, version))
        label = _call_label(self, node)
        self._escapes.note_wait(kind, label, met)
        self._missed(kind, label, met, list(self.ctx.resolver.dependencies))

    def _missed(self, kind: str, label: str, met: List[Any], dependencies: List[Any]) -> None:
        """Note the builtin-``TimeoutError`` handlers a ``kind`` timeout goes past."""
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
            missed.kinds.setdefault(kind, label)
            missed.dependencies += dependencies

    def leave_Module(self, node: cst.Module) -> None:
        # Calls of this file's functions in a ``try`` body: what their waits raise.
        for site in self._escapes.sites:
            raised = self._escapes.raised(site.callee)
            if raised and self._escapes.runs_body(site):
                for kind, inner in raised.items():
                    self._missed(kind, f"{site.label}` → `{inner}", site.met[kind], site.dependencies)
        for handler, missed in self._pending.items():
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
    if qualname is not None and qualname not in rule.ctx.resolver.functions:
        return f"{qualname}()"  # a library call, by the name that documents it
    if isinstance(func, cst.Attribute):
        return f"{rule.ctx.module.code_for_node(func.value)}.{func.attr.value}()"
    return f"{rule.ctx.module.code_for_node(func)}()"

