"""TL201: ``await asyncio.gather(...)`` with no timeout around it."""

from __future__ import annotations

from typing import Any, Optional

import libcst as cst

from timeoutlint.analysis.bounds import bounding_wait_for, opens_bound
from timeoutlint.analysis.definitions import is_docstring
from timeoutlint.ftypes import Applicability
from timeoutlint.rule import FixAvailability, Invalid, Valid, Word
from timeoutlint.rules.aio._bounded import CallerBound, bound_fix

GATHER = "asyncio.gather"
_DEFAULT = {"default-timeout": 30}
_PY311 = {"default-timeout": 30, "target-version": "py311"}


class GatherWithoutTimeout(CallerBound):
    """
    ## What it does
    Checks for `await asyncio.gather(...)` with no timeout scope around it: no
    `asyncio.timeout()` / `timeout_at()`, `asyncio.wait_for()`, `async_timeout.timeout()`,
    anyio or trio `fail_after` / `move_on_after` / `fail_at` / `move_on_at` /
    `CancelScope(deadline=...)`, `Budget.async_timeout()`, or a scope named in the
    `timeout-scopes` option. Also a gather stored in a variable and awaited later, and one
    returned to callers who await it.

    A bound set by the caller counts: a coroutine function whose every call site in the
    project awaits it under a scope (or passes it to `wait_for`), directly or through
    callers so bounded, across modules, is bounded. So is a coroutine run as the
    program's entry point (`asyncio.run(main())`, `loop.run_until_complete(main())`,
    `anyio.run(main)`): a gather there waits for the program's own work, which is
    deliberate, and the user stops it with Ctrl-C.

    ## Why is this bad?
    `gather` finishes when the last of its awaitables does. One that never finishes (a
    network read that never returns, an SSE stream that never sends) hangs the caller, and
    everything awaiting it, forever. Nothing times out, nothing is logged.

    ## Example
    ```python
    import asyncio

    async def fetch_all(client, urls):
        return await asyncio.gather(*(client.get(url) for url in urls))
    ```

    ## Use instead
    ```python
    import asyncio

    async def fetch_all(client, urls):
        async with asyncio.timeout(30):
            return await asyncio.gather(*(client.get(url) for url in urls))
    ```

    ## Fix safety
    The fix wraps the statement in `async with asyncio.timeout(T):` when the target
    version is 3.11 or later, and otherwise the gather in `asyncio.wait_for(...,
    timeout=T)`; `T` is the configured `default-timeout` and there is no fix without it.
    It is unsafe: a gather that used to wait as long as it took now raises `TimeoutError`.
    A gather returned to the callers gets no fix: the bound belongs where it is awaited.

    Not reported: a gather inside any recognised scope; a gather whose every awaitable is
    bounded on its own (`gather(*(asyncio.wait_for(c, 5) for c in coros))`, or calls of a
    coroutine function of the same file whose whole body is `return await
    asyncio.wait_for(...)` or one timeout scope); a "drain"
    gather after the tasks were cancelled (`for t in tasks: t.cancel()` then `await
    asyncio.gather(*tasks, return_exceptions=True)`, in a `finally` or not): bounding a
    cleanup cuts it short; a gather passed on unawaited (to `ensure_future`, `shield`,
    `run_until_complete`); test code of a project whose pytest configuration sets
    pytest-timeout's `timeout` (the plugin ends every test that hangs).

    ## Options
    - `default-timeout` (top-level setting): the seconds the fix uses.
    - `timeout-scopes` (in `[tool.timeoutlint.rules.TL201]` or `.TL202`): more context
      managers that bound what runs inside them, as qualified names
      (`["mypkg.deadlines.scope"]`); the scopes named in either table serve both rules.

    ## References
    - [asyncio.gather](https://docs.python.org/3/library/asyncio-task.html#asyncio.gather)
    - [asyncio.timeout](https://docs.python.org/3/library/asyncio-task.html#asyncio.timeout)
    """

    code = "TL201"
    name = "gather-without-timeout"
    message = "`await asyncio.gather(...)` has no timeout: one task that never finishes hangs this forever"
    fix_title = "Bound it with `default-timeout` seconds"
    fix_availability = FixAvailability.SOMETIMES
    applicability = Applicability.UNSAFE
    # Also the call sites a bound set by the caller needs (``await f()`` under a scope).
    triggers = (Word("gather"),)  # (the call sites its callers bound are read apart: ``caller_bounded``)

    VALID = [
        Valid(
            "import asyncio\nasync def f(cs):\n    async with asyncio.timeout(10):\n        return await asyncio.gather(*cs)\n",
            why="inside a timeout scope",
        ),
        Valid("import asyncio\nasync def f(cs):\n    return await asyncio.wait_for(asyncio.gather(*cs), 10)\n", why="wait_for"),
        Valid(
            "import anyio, asyncio\nasync def f(cs):\n    with anyio.fail_after(5):\n        await asyncio.gather(*cs)\n",
            why="an anyio scope",
        ),
        Valid(
            "import asyncio\nasync def f(cs):\n    await asyncio.gather(*(asyncio.wait_for(c, 5) for c in cs))\n",
            why="each awaitable bounded",
        ),
        Valid(
            "import asyncio\nasync def f(cs):\n    async def bounded(c):\n        return await asyncio.wait_for(c, 5)\n"
            "    return await asyncio.gather(*[bounded(c) for c in cs])\n",
            why="each awaitable is a wrapper that bounds itself",
        ),
        Valid(
            "import asyncio\nasync def stop(tasks):\n    for t in tasks:\n        t.cancel()\n"
            "    await asyncio.gather(*tasks, return_exceptions=True)\n",
            why="a drain after cancelling",
        ),
        Valid(
            "import asyncio\nasync def work(cs):\n    await asyncio.gather(*cs)\n"
            "async def main(cs):\n    async with asyncio.timeout(9):\n        await work(cs)\n",
            why="every caller bounds it",
        ),
        Valid(
            "import asyncio\nfrom tornado.testing import gen_test\n@gen_test\nasync def test_all():\n"
            "    await asyncio.gather(asyncio.sleep(1))\n",
            why="tornado's gen_test runs the test under a 5 s timeout",
        ),
        Valid(
            "import asyncio\ndef fetch(cs):\n    return asyncio.gather(*cs)\n"
            "async def poll(cs):\n    done, _ = await asyncio.wait([fetch(cs)], timeout=5)\n    return done\n",
            why="the only caller stops waiting after 5 s",
        ),
        Valid(
            "import asyncio\nasync def main():\n    await asyncio.gather(asyncio.sleep(1))\nasyncio.run(main())\n",
            why="the program's entry point",
        ),
        Valid("import asyncio\ndef f(loop, cs):\n    return asyncio.ensure_future(asyncio.gather(*cs))\n", why="not awaited here"),
        Valid(
            "import asyncio\nasync def f(cs):\n    async with asyncio.timeout(None):\n        pass\n",
            why="no gather (the None is TL305's)",
        ),
    ]
    INVALID = [
        Invalid(
            "import asyncio\nasync def f(cs):\n    results = await asyncio.gather(*cs)\n    return results\n",
            fixed="import asyncio\nasync def f(cs):\n    results = await asyncio.wait_for(asyncio.gather(*cs), timeout=30)\n    return results\n",
            settings=_DEFAULT,
        ),
        Invalid(
            "import asyncio\nasync def f(cs):\n    # all of them\n    results = await asyncio.gather(*cs)\n    return results\n",
            fixed="import asyncio\nasync def f(cs):\n    # all of them\n    async with asyncio.timeout(30):\n"
            "        results = await asyncio.gather(*cs)\n    return results\n",
            settings=_PY311,
        ),
        Invalid("import asyncio\nasync def f(cs):\n    await asyncio.gather(*cs)\n", why="no default-timeout: no fix"),
        Invalid(
            "import asyncio\nasync def f(cs):\n    pending = asyncio.gather(*cs)\n    return await pending\n",
            fixed="import asyncio\nasync def f(cs):\n    pending = asyncio.gather(*cs)\n    return await asyncio.wait_for(pending, timeout=30)\n",
            settings=_DEFAULT,
            why="stored, awaited later",
        ),
        Invalid("import asyncio\ndef start(cs):\n    return asyncio.gather(*cs)\n", why="returned to callers: no fix"),
        Invalid(
            "import asyncio\nasync def work(cs):\n    await asyncio.gather(*cs)\n"
            "async def main(cs):\n    async with asyncio.timeout(9):\n        await work(cs)\n"
            "async def other(cs):\n    await work(cs)\n",
            why="one caller does not bound it",
        ),
        Invalid(
            "import asyncio as aio\nasync def f(cs):\n    async with aio.timeout(None):\n        await aio.gather(*cs)\n",
            why="a scope of None bounds nothing",
        ),
    ]

    def __init__(self, ctx: Any) -> None:
        super().__init__(ctx)
        # Gathers stored in a variable, by (function, name): awaited later.
        self._stored: dict[tuple[int, str], cst.Call] = {}

    def visit_Call(self, node: cst.Call) -> None:
        super().visit_Call(node)
        if self.ctx.qualified_name(node.func) != GATHER:
            return
        parent = self.ctx.parent()
        if isinstance(parent, cst.Await):
            if not self._moot(node):
                self.flag(node, self.message, bound_fix(self, node))
        elif isinstance(parent, cst.Assign) and len(parent.targets) == 1 and isinstance(parent.targets[0].target, cst.Name):
            self._stored[(id(self.ctx.current_function()), parent.targets[0].target.value)] = node
        elif isinstance(parent, cst.Return) and not self._moot(node):
            message = "`asyncio.gather(...)` is returned to callers that await it with no timeout: one task that never finishes hangs them forever"
            self.flag(node, message, None)

    def visit_Await(self, node: cst.Await) -> None:
        value = node.expression
        if not isinstance(value, cst.Name):
            return
        gather = self._stored.get((id(self.ctx.current_function()), value.value))
        if gather is not None and not self._moot(gather):
            self.flag(node, self.message, bound_fix(self, value))

    def _moot(self, gather: cst.Call) -> bool:
        return self.bounded_here() or _each_bounded(self, gather) or self.drains()


def _each_bounded(rule: CallerBound, gather: cst.Call) -> bool:
    """Every awaitable of the gather is ``asyncio.wait_for(..., <finite>)`` itself."""
    if not any(arg.keyword is None for arg in gather.args):
        return False
    for arg in gather.args:
        if arg.keyword is not None:
            continue
        value: Optional[cst.BaseExpression] = arg.value
        if arg.star == "*" and isinstance(value, (cst.GeneratorExp, cst.ListComp)):
            value = value.elt
        elif arg.star:
            return False
        if not isinstance(value, cst.Call):
            return False
        if not ((value.args and bounding_wait_for(rule.ctx, value, value.args[0])) or _bounded_wrapper(rule, value)):
            return False
    return True


def _bounded_wrapper(rule: CallerBound, call: cst.Call) -> bool:
    """A call of a coroutine function of this file (nested in the enclosing function, or
    at module level) whose whole body is bounded: ``return await asyncio.wait_for(...,
    <finite>)``, or one ``async with asyncio.timeout(...)`` block."""
    if not isinstance(call.func, cst.Name):
        return False
    name = call.func.value
    places: list[cst.BaseSuite] = [rule.ctx.module]  # type: ignore[list-item]
    enclosing = rule.ctx.current_function()
    if enclosing is not None:
        places.insert(0, enclosing.body)
    for place in places:
        for statement in place.body:  # type: ignore[attr-defined]
            if isinstance(statement, cst.FunctionDef) and statement.name.value == name and statement.asynchronous:
                return _wholly_bounded(rule, statement)
    return False


def _wholly_bounded(rule: CallerBound, function: cst.FunctionDef) -> bool:
    body = [s for s in function.body.body if not is_docstring(s)] if isinstance(function.body, cst.IndentedBlock) else []
    if len(body) != 1:
        return False
    only = body[0]
    if isinstance(only, cst.With):
        return any(opens_bound(rule.ctx, item.item, rule.scopes()) for item in only.items)
    if isinstance(only, cst.SimpleStatementLine) and len(only.body) == 1 and isinstance(only.body[0], cst.Return):
        value = only.body[0].value
        if isinstance(value, cst.Await):
            value = value.expression
        return isinstance(value, cst.Call) and bool(value.args) and bounding_wait_for(rule.ctx, value, value.args[0])
    return False

