"""TL404: an inner timeout that can never fire, because an enclosing one is no longer —
or one of two nested settings of one configuration that does not fit inside the other."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Sequence

import libcst as cst

from timeoutlint.analysis.bounds import SCOPES, WAIT_FOR
from timeoutlint.analysis.callargs import argument, format_seconds, keyword
from timeoutlint.analysis.constants import binding_counts, static_number
from timeoutlint.rule import Invalid, Rule, Valid
from timeoutlint.rules.budgets._timeout_pairs import (
    BY_LIBRARY,
    BY_QUALNAME,
    KEYS,
    Pair,
    imported_libraries,
    margin,
)

# Scopes whose deadline is a number of seconds from now (not a clock reading).
_RELATIVE_SCOPES = frozenset(name for name, (param, _) in SCOPES.items() if param in ("delay", "seconds"))
# anyio and trio cancel scopes: level-triggered (an await in a ``finally`` under an expired
# scope is cancelled too), entered with a plain ``with``, and able to shield their body.
_CANCEL_SCOPE_LIBRARIES = ("anyio.", "trio.")
_SHIELDING = frozenset({"anyio.CancelScope", "trio.CancelScope"}) | frozenset(
    name for name in _RELATIVE_SCOPES if name.startswith(_CANCEL_SCOPE_LIBRARIES)
)
_GATHER = "asyncio.gather"
# pymongo's client-side operation timeout: a nested one is capped by the one around it
# ("the deadline can only be shortened, not extended"), in sync and async code alike.
_PYMONGO_TIMEOUT = "pymongo.timeout"
_SHIELD = "asyncio.shield"
_ASYNC_WAIT = "asyncio.wait"
_HTTP_METHODS = frozenset({"get", "post", "put", "patch", "delete", "head", "options", "request", "stream", "send"})
_AIOHTTP_SESSION = "aiohttp.ClientSession"
_AIOHTTP_REQUEST = frozenset({"aiohttp.request", "aiohttp.client.request"})
_AIOHTTP_TIMEOUT = frozenset({"aiohttp.ClientTimeout", "aiohttp.client.ClientTimeout"})
_AIOHTTP_FIELDS = ("total", "connect", "sock_read", "sock_connect")
_HTTPX_TIMEOUT = "httpx.Timeout"
_HTTPX_PHASES = ("connect", "read", "write", "pool")
_BUDGET_HELPER = "async_timeout"
_STOPS = (cst.FunctionDef, cst.Lambda, cst.ClassDef)
_HANDLERS = (cst.ExceptHandler, cst.ExceptStarHandler, cst.Finally)
_COMPREHENSIONS = (cst.GeneratorExp, cst.ListComp, cst.SetComp)
_UNPACKED = (cst.GeneratorExp, cst.ListComp)
_SHOWN_LENGTH = 40


@dataclass(frozen=True)
class _Timeout:
    """A timeout found in the code: where to report it, how to name it, its seconds."""

    node: cst.CSTNode
    text: str
    seconds: float
    # `` (120 s)`` when the code does not show the number itself (``2 * MINUTE``)
    suffix: str = ""


class InnerTimeoutExceedsOuter(Rule):
    """
    ## What it does
    Checks for a timeout that can never fire because an enclosing timeout of the same task
    is no longer, with both known statically (number literals, constant arithmetic such as
    `5 * 60`, and module-level names assigned once to such a number):

    - the inner one: the `timeout=` of `asyncio.wait_for()`, `asyncio.wait()`, a method of an
      `httpx.AsyncClient` or an `aiohttp.ClientSession` (a number, `httpx.Timeout(...)` or
      `aiohttp.ClientTimeout(...)`: its shortest bound counts), or a nested timeout scope;
    - the enclosing one: `async with asyncio.timeout(N)`, `async_timeout.timeout(N)`, anyio
      and trio `fail_after(N)` / `move_on_after(N)`, the awaitable of `asyncio.wait_for(aw,
      N)`, and `async with budget.async_timeout()` of a `budget = Budget(N)` of the function.
    - `with pymongo.timeout(N)` inside `with pymongo.timeout(M)`, sync or async: pymongo caps
      a nested deadline by the one around it.

    The inner call must run in the task the scope bounds: awaited, entered with
    `async with`, or passed to `asyncio.gather` or `asyncio.wait_for` that is.

    It also checks two settings of one configuration where one runs inside the other, given
    together in one call or one dict literal: `aiohttp.ClientTimeout(connect=, sock_connect=,
    sock_read=)` against its `total` (and `sock_connect` against `connect`), `urllib3.Timeout(
    connect=, read=)` against `total`, tornado's `connect_timeout` against `request_timeout`
    (`HTTPRequest`, `fetch`), `pika.ConnectionParameters(socket_timeout=)` against
    `stack_timeout`, and celery's `soft_time_limit` against `time_limit` (also as
    `task_soft_time_limit`/`task_time_limit`, the `CELERY_`/`CELERYD_` setting names, and the
    `soft=`/`hard=` of `app.control.time_limit()`). The
    inner setting must be shorter than the outer one; celery's soft limit must come at least
    1 s (or a tenth of the soft limit, when that is shorter) before the hard limit, so that
    the task has time to handle `SoftTimeLimitExceeded` before the worker is killed.

    ## Why is this bad?
    The enclosing scope expires first (or at the same moment), so the inner bound never
    acts: the code reads as if the call were given 30 seconds while it is given 10, the
    inner timeout's error handling is dead code, and the error raised is the outer scope's.
    Usually one of the two numbers was changed without the other. For celery, a soft limit
    not below the hard one means the task is killed without warning — exactly what the soft
    limit was set to avoid.

    ## Example
    ```python
    import asyncio

    async def fetch(client, url):
        async with asyncio.timeout(10):
            return await asyncio.wait_for(client.get(url), timeout=30)
    ```

    ## Use instead
    ```python
    import asyncio

    async def fetch(client, url):
        async with asyncio.timeout(30):
            return await asyncio.wait_for(client.get(url), timeout=10)
    ```

    ## Fix safety
    There is no fix: whether the inner timeout should shrink, the outer one grow, or one of
    them go is the author's decision.

    Not reported:
    - a timeout that is not a number known here (a parameter, an attribute, a call, a name
      assigned more than once, `None`), zero or negative;
    - an inner timeout shorter than every enclosing one (each call judged on its own: a
      scope of 10 s around calls with `timeout=5` and `timeout=8` is fine);
    - a scope of the caller, or of an enclosing function (a nested `def` or `lambda` runs
      later, perhaps outside it); a call passed to `asyncio.create_task()`,
      `asyncio.shield()`, `asyncio.to_thread()` or stored for later: it does not run under
      the scope;
    - a blocking call in an async function (`requests.get(url, timeout=30)`): an asyncio
      scope cannot interrupt it, so its own timeout is the one that acts (TL203 reports the
      blocking call);
    - under an asyncio scope (or `wait_for`), an inner call in an `except` or `finally`
      block of its body: asyncio cancels once, and cleanup code runs on after the deadline
      under its own timeout (anyio and trio scopes cancel it too, and are still checked);
    - an anyio/trio scope with `shield=True`, inner or in between: it shields its body from
      the scopes around it;
    - a scope entered `as cm` whose body calls `cm.reschedule()` or sets `cm.deadline`;
    - `with budget.phase(...)`: a phase measures its block, it does not interrupt it.

    ## References
    - [asyncio.timeout](https://docs.python.org/3/library/asyncio-task.html#asyncio.timeout)
    - [anyio: cancellation and timeouts](https://anyio.readthedocs.io/en/stable/cancellation.html)
    - [aiohttp: ClientTimeout](https://docs.aiohttp.org/en/stable/client_reference.html#aiohttp.ClientTimeout)
    - [celery: time limits](https://docs.celeryq.dev/en/stable/userguide/workers.html#time-limits)
    """

    code = "TL404"
    name = "inner-timeout-exceeds-outer"
    message = "`{inner}`{inner_seconds} is not shorter than the enclosing `{outer}`{outer_seconds}: the inner timeout never fires"
    triggers = ("timeout", "Timeout", "time_limit", "TIME_LIMIT", "wait_for", "fail_after", "move_on_after")

    VALID = [
        Valid(
            "import asyncio\nasync def f(client, u):\n    async with asyncio.timeout(30):\n"
            "        await asyncio.wait_for(client.get(u), 10)\n",
            why="the inner bound is shorter",
        ),
        Valid(
            "import asyncio\nasync def f(a, b):\n    async with asyncio.timeout(10):\n"
            "        await asyncio.wait_for(a, 3)\n        await asyncio.wait_for(b, 8)\n",
            why="timeouts that differ per call, each shorter",
        ),
        Valid(
            "import asyncio\nasync def f(aw, t):\n    async with asyncio.timeout(10):\n        await asyncio.wait_for(aw, t)\n",
            why="not a literal",
        ),
        Valid(
            "import asyncio, requests\nasync def f(u):\n    async with asyncio.timeout(10):\n"
            "        requests.get(u, timeout=30)\n",
            why="a blocking call: the scope cannot interrupt it",
        ),
        Valid(
            "import asyncio\nasync def f(aw):\n    async with asyncio.timeout(10):\n"
            "        task = asyncio.create_task(asyncio.wait_for(aw, 30))\n    return await task\n",
            why="a task runs outside the scope",
        ),
        Valid(
            "import asyncio\nasync def f(aw):\n    async with asyncio.timeout(10):\n"
            "        await asyncio.shield(asyncio.wait_for(aw, 30))\n",
            why="shielded",
        ),
        Valid(
            "import asyncio\nasync def f(aw, cleanup):\n    async with asyncio.timeout(10):\n"
            "        try:\n            await aw\n        finally:\n            await asyncio.wait_for(cleanup(), 30)\n",
            why="asyncio cancels once: the cleanup runs on under its own timeout",
        ),
        Valid(
            "import anyio\nasync def f():\n    with anyio.move_on_after(10):\n"
            "        with anyio.fail_after(30, shield=True):\n            await anyio.sleep(20)\n",
            why="the inner scope shields itself",
        ),
        Valid(
            "from celery import shared_task\n@shared_task(soft_time_limit=50, time_limit=60)\ndef job():\n    pass\n",
            why="10 s to clean up",
        ),
        Valid(
            "import aiohttp\nt = aiohttp.ClientTimeout(total=30, sock_connect=10)\n",
            why="connecting fits in the total",
        ),
        Valid(
            "def configure(app):\n    app.task(soft_time_limit=60, time_limit=60)\n",
            why="no celery import: the names are not known to be celery's",
        ),
    ]
    INVALID = [
        Invalid(
            "import asyncio\nasync def f(client, u):\n    async with asyncio.timeout(10):\n"
            "        await asyncio.wait_for(client.get(u), 30)\n"
        ),
        Invalid(
            "import httpx\nimport asyncio\nasync def f(u):\n    async with httpx.AsyncClient() as client:\n"
            "        async with asyncio.timeout(10):\n            return await client.get(u, timeout=10)\n",
            why="equal: the inner one never fires first",
        ),
        Invalid(
            "import anyio\nMINUTE = 60\nasync def f():\n    with anyio.move_on_after(MINUTE):\n"
            "        with anyio.fail_after(2 * MINUTE):\n            await anyio.sleep(1)\n",
            why="a nested scope, module constants",
        ),
        Invalid(
            "import asyncio\nasync def f(client, urls):\n    return await asyncio.wait_for(\n"
            "        asyncio.gather(*(asyncio.wait_for(client.get(u), 30) for u in urls)), 20)\n",
            why="gathered under wait_for",
        ),
        Invalid(
            "import asyncio\nfrom timeoutlint.runtime import Budget\nasync def f(aw):\n    budget = Budget(10)\n"
            "    async with budget.async_timeout():\n        await asyncio.wait_for(aw, 15)\n",
            why="the budget's scope is at most its total",
        ),
        Invalid(
            "from celery import Celery\napp = Celery()\n@app.task(soft_time_limit=60, time_limit=60)\ndef job():\n    pass\n",
            why="the soft limit never fires before the hard one",
        ),
        Invalid(
            "import celery\nCONF = {'task_soft_time_limit': 299.5, 'task_time_limit': 300}\n",
            why="0.5 s to clean up is less than the 1 s margin",
        ),
        Invalid("import aiohttp\nt = aiohttp.ClientTimeout(total=10, connect=30)\n"),
    ]

    # -- inner timeouts under an enclosing one ----------------------------------------------

    def visit_Call(self, node: cst.Call) -> None:
        qualname = self.ctx.qualified_name(node.func)
        self._check_pairs(node, qualname)
        if qualname == _PYMONGO_TIMEOUT:
            self._check_pymongo(node)
            return
        if not self.ctx.in_async_function():
            return
        inner = self._inner(node, qualname)
        if inner is None:
            return
        self._compare(inner, self._enclosing(self.ctx.stack))

    def _compare(self, inner: _Timeout, outers: Sequence[_Timeout]) -> None:
        """Report ``inner`` when the tightest of the bounds around it is no longer."""
        if not outers:
            return
        outer = min(outers, key=lambda bound: bound.seconds)
        if inner.seconds >= outer.seconds:
            message = self.message.format(inner=inner.text, inner_seconds=inner.suffix, outer=outer.text, outer_seconds=outer.suffix)
            self.report(inner.node, message)

    def _check_pymongo(self, call: cst.Call) -> None:
        """``with pymongo.timeout(N):`` inside ``with pymongo.timeout(M):`` with N >= M."""
        stack = self.ctx.stack
        if len(stack) < 3 or not isinstance(stack[-2], cst.WithItem) or stack[-2].item is not call:
            return
        inner = self._pymongo_timeout(call)
        if inner is None:
            return
        outers: list[_Timeout] = []
        with_ = stack[-3]
        assert isinstance(with_, cst.With)
        items = list(with_.items)
        earlier = [item.item for item in items[: items.index(stack[-2])]]  # type: ignore[arg-type]
        for index in range(len(stack) - 3, 0, -1):
            parent, child = stack[index - 1], stack[index]
            if isinstance(parent, _STOPS):
                break
            if isinstance(parent, cst.With) and child is parent.body:
                earlier.extend(item.item for item in parent.items)
        for expression in earlier:
            if isinstance(expression, cst.Call) and self.ctx.qualified_name(expression.func) == _PYMONGO_TIMEOUT:
                found = self._pymongo_timeout(expression)
                if found is not None:
                    outers.append(found)
        self._compare(inner, outers)

    def _pymongo_timeout(self, call: cst.Call) -> Optional[_Timeout]:
        given = argument(call, "seconds", 0)
        return self._timeout(call, _shown(self._code(call)), given.value) if given is not None else None

    def _inner(self, call: cst.Call, qualname: Optional[str]) -> Optional[_Timeout]:
        """The bound ``call`` sets on what it waits for, when it is a number known here."""
        if qualname in _RELATIVE_SCOPES:
            if qualname.startswith(_CANCEL_SCOPE_LIBRARIES) and _shields(call):
                return None
            return self._scope_timeout(call, qualname)
        if qualname == WAIT_FOR:
            return self._argument_timeout(argument(call, "timeout", 1), "asyncio.wait_for()")
        if qualname == _ASYNC_WAIT:
            return self._argument_timeout(keyword(call, "timeout"), "asyncio.wait()")
        if qualname in _AIOHTTP_REQUEST:
            return self._client_timeout(call, _AIOHTTP_SESSION, "aiohttp.request()")
        func = call.func
        if qualname is None and isinstance(func, cst.Attribute) and func.attr.value in _HTTP_METHODS:
            receiver = self.ctx.type_of(func.value)
            if receiver in ("httpx.AsyncClient", _AIOHTTP_SESSION):
                return self._client_timeout(call, receiver, f"{receiver.rsplit('.', 1)[-1]}.{func.attr.value}()")
        return None

    def _scope_timeout(self, call: cst.Call, qualname: str) -> Optional[_Timeout]:
        name, position = SCOPES[qualname]
        given = argument(call, name, position)
        if given is None:
            return None
        return self._timeout(call, _shown(self._code(call)), given.value)

    def _argument_timeout(self, given: Optional[cst.Arg], label: str) -> Optional[_Timeout]:
        if given is None:
            return None
        return self._timeout(given, f"timeout={_shown(self._code(given.value))}` of `{label}", given.value)

    def _timeout(self, node: cst.CSTNode, text: str, value: cst.BaseExpression, seconds: Optional[float] = None) -> Optional[_Timeout]:
        if seconds is None:
            seconds = self._seconds(value)
        if seconds is None:
            return None
        shown = format_seconds(seconds)
        suffix = "" if self._code(value).strip() == shown else f" ({shown} s)"
        return _Timeout(node, text, seconds, suffix)

    def _client_timeout(self, call: cst.Call, client: str, label: str) -> Optional[_Timeout]:
        given = keyword(call, "timeout")
        if given is None:
            return None
        value = given.value
        seconds = self._seconds(value)
        if seconds is None and isinstance(value, cst.Call):
            constructor = self.ctx.qualified_name(value.func)
            if client == _AIOHTTP_SESSION and constructor in _AIOHTTP_TIMEOUT:
                seconds = self._shortest(value, [(field, index) for index, field in enumerate(_AIOHTTP_FIELDS)], None)
            elif client == "httpx.AsyncClient" and constructor == _HTTPX_TIMEOUT:
                default = argument(value, "timeout", 0)
                seconds = self._shortest(value, [(phase, None) for phase in _HTTPX_PHASES], default)
        if seconds is None:
            return None
        return self._timeout(given, f"timeout={_shown(self._code(value))}` of `{label}", value, seconds)

    def _shortest(
        self, call: cst.Call, fields: Sequence[tuple[str, Optional[int]]], default: Optional[cst.Arg]
    ) -> Optional[float]:
        """The shortest finite bound a timeout object sets, when every part is known:
        ``httpx.Timeout(30, connect=5)`` is 5, ``aiohttp.ClientTimeout(total=30)`` 30."""
        if any(arg.star for arg in call.args):
            return None
        found: list[float] = []
        for name, position in fields:
            given = argument(call, name, position)
            if given is None:
                given = default
            if given is None or _is_none(given.value):
                continue
            seconds = self._seconds(given.value)
            if seconds is None:
                return None
            found.append(seconds)
        return min(found) if found else None

    def _enclosing(self, stack: Sequence[cst.CSTNode]) -> list[_Timeout]:
        """The bounds around the call at the end of ``stack`` that it runs under: the walk
        goes up while the call is awaited by this task (directly, or through the gather or
        wait_for awaiting it), collecting scopes, up to the enclosing function."""
        bounds: list[_Timeout] = []
        awaited = False  # is the node the walk stands on awaited by the task yet?
        in_handler = False
        index = len(stack) - 1
        while index > 0:
            parent, child = stack[index - 1], stack[index]
            if isinstance(parent, _STOPS):
                break
            if isinstance(parent, _HANDLERS):
                in_handler = True
            if isinstance(parent, cst.Await):
                awaited = True
            elif isinstance(parent, cst.WithItem) and child is parent.item and index >= 2:
                with_ = stack[index - 2]
                assert isinstance(with_, cst.With)
                if not (with_.asynchronous is not None or self._is_cancel_scope(child)):
                    return bounds  # a plain ``with`` of something else: not awaited
                awaited = True
                items = list(with_.items)
                for item in items[: items.index(parent)]:
                    if self._collect(bounds, item, with_, in_handler):
                        return bounds
                index -= 1  # the With itself: its body is not where the call is
            elif isinstance(parent, cst.Arg):
                if parent.value is not child:
                    return bounds
            elif isinstance(parent, cst.Call) and isinstance(child, cst.Arg):
                qualname = self.ctx.qualified_name(parent.func)
                if qualname == _SHIELD:
                    return bounds
                if not awaited:
                    if qualname == WAIT_FOR and argument(parent, "fut", 0) is child:
                        self._collect_wait_for(bounds, parent)
                    elif not (qualname == _GATHER and child.keyword is None):
                        return bounds  # created for later (a task, a thread, a list ...)
            elif isinstance(parent, _COMPREHENSIONS) and child is parent.elt:
                grandparent = stack[index - 2] if index >= 2 else None
                if awaited:
                    if isinstance(parent, cst.GeneratorExp):
                        return bounds  # an async generator runs when consumed, maybe later
                elif not (isinstance(parent, _UNPACKED) and isinstance(grandparent, cst.Arg) and grandparent.star == "*"):
                    return bounds  # awaitables kept for later
            elif isinstance(parent, (cst.CompFor, cst.CompIf, cst.DictComp)):
                return bounds
            elif not awaited:
                return bounds  # stored, returned or passed on unawaited
            elif isinstance(parent, cst.With) and child is parent.body:
                for item in parent.items:
                    if self._collect(bounds, item, parent, in_handler):
                        return bounds
            index -= 1
        return bounds

    def _collect(self, bounds: list[_Timeout], item: cst.WithItem, with_: cst.With, in_handler: bool) -> bool:
        """Add the bound ``item`` opens around the body of ``with_``; True when it shields
        the body from the scopes further out."""
        expression = item.item
        if not isinstance(expression, cst.Call):
            return False
        qualname = self.ctx.qualified_name(expression.func)
        cancel_scope = qualname is not None and qualname.startswith(_CANCEL_SCOPE_LIBRARIES)
        bound: Optional[_Timeout] = None
        if qualname in _RELATIVE_SCOPES:
            bound = self._scope_timeout(expression, qualname)
        elif qualname is None:
            bound = self._budget_scope(expression)
        if not cancel_scope and with_.asynchronous is None:
            bound = None  # ``asyncio.timeout()`` and the budget's scope need ``async with``
        if bound is not None and not (in_handler and not cancel_scope) and not _moved(self, item, with_):
            bounds.append(bound)
        return qualname in _SHIELDING and _shields(expression)

    def _collect_wait_for(self, bounds: list[_Timeout], call: cst.Call) -> None:
        given = argument(call, "timeout", 1)
        if given is None:
            return
        text = f"{self._code(call.func)}(..., {'timeout=' if given.keyword else ''}{_shown(self._code(given.value))})"
        bound = self._timeout(call, text, given.value)
        if bound is not None:
            bounds.append(bound)

    def _budget_scope(self, call: cst.Call) -> Optional[_Timeout]:
        """``budget.async_timeout()`` of ``budget = Budget(<number>)`` of this function (or
        ``Budget(<number>).async_timeout()``): a scope of at most the budget's total."""
        func = call.func
        if not isinstance(func, cst.Attribute) or func.attr.value != _BUDGET_HELPER:
            return None
        receiver = func.value
        created: Optional[cst.BaseExpression] = receiver
        if isinstance(receiver, cst.Name):
            created = self._local_value(receiver.value)
        if not isinstance(created, cst.Call) or self.ctx.qualified_name(created.func) not in self._budget_classes():
            return None
        total = argument(created, "total", 0)
        if total is None:
            return None
        return self._timeout(call, f"{_shown(self._code(call))}` of `Budget({_shown(self._code(total.value))})", total.value)

    def _local_value(self, name: str) -> Optional[cst.BaseExpression]:
        """What ``name = <value>`` assigns, when it is the only binding of the name in the
        function being visited."""
        function = self.ctx.current_function()
        if function is None or binding_counts(function)[name] != 1:
            return None
        finder = _SoleAssignment(name)
        function.body.visit(finder)
        return finder.value

    def _budget_classes(self) -> frozenset[str]:
        configured = f"{self.ctx.settings.budget_import}.Budget"
        return frozenset({configured, "timeoutlint.runtime.Budget", "timeoutlint.runtime.budget.Budget"})

    def _is_cancel_scope(self, expression: cst.BaseExpression) -> bool:
        if not isinstance(expression, cst.Call):
            return False
        qualname = self.ctx.qualified_name(expression.func)
        return qualname is not None and qualname in _RELATIVE_SCOPES and qualname.startswith(_CANCEL_SCOPE_LIBRARIES)

    # -- nested settings of one configuration ---------------------------------------------------

    def visit_Dict(self, node: cst.Dict) -> None:
        keys: dict[str, tuple[cst.DictElement, bool]] = {}
        for element in node.elements:
            if not isinstance(element, cst.DictElement):
                # ``{**base}`` may replace the keys written before it
                keys = {key: (found, True) for key, (found, _) in keys.items()}
                continue
            key = element.key
            if isinstance(key, cst.SimpleString):
                value = key.evaluated_value
                if isinstance(value, str) and value in KEYS:
                    keys[value] = (element, False)
        if len(keys) < 2:
            return
        values = {key: element.value for key, (element, replaced) in keys.items() if not replaced}
        nodes: dict[str, cst.CSTNode] = {key: element for key, (element, _) in keys.items()}
        for entry in BY_LIBRARY:
            if entry.mappings and entry.library in imported_libraries(self.ctx):
                for pair in entry.pairs:
                    self._check_pair(pair, values, nodes, quoted=True)

    def _check_pairs(self, call: cst.Call, qualname: Optional[str]) -> None:
        settings = BY_QUALNAME.get(qualname or "")
        if settings is not None:
            self._check_call(call, settings.pairs, f" of `{settings.label}`")
            return
        if not any(arg.keyword is not None and arg.keyword.value in KEYS for arg in call.args):
            return
        func = call.func
        method = func.attr.value if isinstance(func, cst.Attribute) else func.value if isinstance(func, cst.Name) else None
        for entry in BY_LIBRARY:
            if entry.methods is not None and method not in entry.methods:
                continue
            if entry.library in imported_libraries(self.ctx):
                self._check_call(call, entry.pairs, "")

    def _check_call(self, call: cst.Call, pairs: Sequence[Pair], label: str) -> None:
        for pair in pairs:
            inner = argument(call, pair.inner, pair.inner_position)
            outer = argument(call, pair.outer, pair.outer_position)
            if inner is None or outer is None:
                continue
            self._check_pair(pair, {pair.inner: inner.value, pair.outer: outer.value}, {pair.inner: inner}, label=label)

    def _check_pair(
        self,
        pair: Pair,
        values: dict[str, cst.BaseExpression],
        nodes: dict[str, cst.CSTNode],
        quoted: bool = False,
        label: str = "",
    ) -> None:
        if pair.inner not in values or pair.outer not in values:
            return
        inner = self._seconds(values[pair.inner])
        outer = self._seconds(values[pair.outer])
        if inner is None or outer is None:
            return
        left = outer - inner
        if left > 0 and not (pair.margin and left < margin(inner)):
            return
        inner_text = _setting(pair.inner, self._code(values[pair.inner]), quoted)
        outer_text = _setting(pair.outer, self._code(values[pair.outer]), quoted)
        if left > 0:
            message = (
                f"`{inner_text}`{label} comes only {format_seconds(round(left, 3))} s before `{outer_text}`: {pair.why}; "
                f"leave at least {format_seconds(round(margin(inner), 3))} s"
            )
        else:
            message = f"`{inner_text}`{label} is not shorter than `{outer_text}`: {pair.why}"
        self.report(nodes[pair.inner], message)

    # -- helpers --------------------------------------------------------------------------

    def _seconds(self, node: cst.BaseExpression) -> Optional[float]:
        """A positive number of seconds known here (zero and negative values mean
        "no limit" or "already expired" to some APIs: neither is compared)."""
        seconds = static_number(self.ctx, node)
        return seconds if seconds is not None and seconds > 0 else None

    def _code(self, node: cst.CSTNode) -> str:
        return self.ctx.module.code_for_node(node)


class _SoleAssignment(cst.CSTVisitor):
    """The value of ``name = <value>`` (a single plain target) in a function body, outside
    the functions and classes nested in it."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name
        self.value: Optional[cst.BaseExpression] = None

    def visit_Assign(self, node: cst.Assign) -> None:
        if len(node.targets) == 1:
            target = node.targets[0].target
            if isinstance(target, cst.Name) and target.value == self.name:
                self.value = node.value

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        return False

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        return False


def _shields(call: cst.Call) -> bool:
    """``shield=True`` (or anything but a literal ``False``)."""
    given = keyword(call, "shield")
    return given is not None and not (isinstance(given.value, cst.Name) and given.value.value == "False")


def _moved(rule: Rule, item: cst.WithItem, with_: cst.With) -> bool:
    """``with scope as cm:`` whose body moves the deadline (``cm.reschedule(...)``,
    ``cm.deadline = ...``): the number it was opened with is not the bound."""
    if item.asname is None or not isinstance(item.asname.name, cst.Name):
        return False
    name = item.asname.name.value
    body = rule.ctx.module.code_for_node(with_.body)
    return f"{name}.reschedule(" in body or f"{name}.deadline" in body or f"{name}.shield" in body


def _is_none(node: cst.BaseExpression) -> bool:
    return isinstance(node, cst.Name) and node.value == "None"


def _setting(name: str, value: str, quoted: bool) -> str:
    return f"'{name}': {value}" if quoted else f"{name}={value}"


def _shown(text: str) -> str:
    """Code as shown in a message: one line, at most ~40 characters."""
    text = " ".join(text.split())
    return text if len(text) <= _SHOWN_LENGTH else text[: _SHOWN_LENGTH - 3] + "..."

