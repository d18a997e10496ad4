"""TL202: ``asyncio.wait`` / ``as_completed`` with the timeout omitted, and task groups with
no timeout scope around them."""

from __future__ import annotations

from typing import Optional

import libcst as cst

from timeoutlint.analysis.bounds import opens_bound
from timeoutlint.analysis.callargs import format_seconds, has_star_kwargs, keyword
from timeoutlint.context import PendingFix
from timeoutlint.ftypes import Applicability
from timeoutlint.rule import FixAvailability, Invalid, Valid, Word
from timeoutlint.rules.aio._bounded import CallerBound, timeout_scope_fix

_WAITS = {"asyncio.wait": "asyncio.wait()", "asyncio.as_completed": "asyncio.as_completed()"}
# anyio and trio task groups are left alone: in structured concurrency the caller owns the
# deadline (a cancel scope around the call), and trio's docs tell functions not to take a
# timeout at all; on the shared corpus every one of their 318 task groups was that shape.
TASK_GROUPS = {
    "asyncio.TaskGroup": "asyncio.TaskGroup()",
    "asyncio.taskgroups.TaskGroup": "asyncio.TaskGroup()",
}
_DEFAULT = {"default-timeout": 30}
_PY311 = {"default-timeout": 30, "target-version": "py311"}


class AsyncWaitWithoutTimeout(CallerBound):
    """
    ## What it does
    Checks for `await asyncio.wait(...)` and `asyncio.as_completed(...)` with the timeout
    omitted, and for `async with asyncio.TaskGroup()` with no timeout scope around it — the
    same scopes and the same bound set by every caller as TL201 (see there).

    ## Why is this bad?
    Each of them waits until its tasks finish: `asyncio.wait` until all (or the first) are
    done, `as_completed` until the next one is, a task group until every task started in
    it has ended. One task that never finishes hangs the caller forever.

    ## Example
    ```python
    import asyncio

    async def first_reply(replicas, query):
        tasks = [asyncio.create_task(r.ask(query)) for r in replicas]
        for next_done in asyncio.as_completed(tasks):
            return await next_done
    ```

    ## Use instead
    ```python
    import asyncio

    async def first_reply(replicas, query):
        tasks = [asyncio.create_task(r.ask(query)) for r in replicas]
        try:
            for next_done in asyncio.as_completed(tasks, timeout=10):
                return await next_done
        finally:
            for task in tasks:
                task.cancel()
    ```

    ## Fix safety
    With `default-timeout` set and a target of 3.11 or later, an `asyncio.TaskGroup` block
    is wrapped in `async with asyncio.timeout(T):`; on a timeout the scope cancels the
    group, and the group cancels its tasks. The fix is unsafe: a wait that took as long as
    it took now raises `TimeoutError`. `asyncio.wait(...)` and `as_completed(...)` get no
    fix: on a timeout neither cancels the tasks it was given, so a bound added for you
    would turn a hang into tasks left running (TL204's fault). Pass `timeout=` and cancel
    what is still pending, or use a `TaskGroup`.

    Not reported: a timeout given (an explicit `None` is TL305's), a wait right after
    the tasks were cancelled (a drain, as in TL201), a call with
    `**kwargs`, anything inside a recognised scope or bounded by every caller, test code
    run under pytest-timeout's configured `timeout` (as for TL201), anyio
    `create_task_group()` and trio `open_nursery()` (in structured concurrency the caller
    owns the deadline, a cancel scope around the call: trio's docs tell functions not to
    take timeouts, and a nursery without one is how such code is written), and a
    consumer awaiting `queue.get()` or `event.wait()`: waiting forever for the next job
    is how asyncio workers are written.

    ## Options
    - `default-timeout` (top-level setting): the seconds the fix uses.
    - `timeout-scopes` (in `[tool.timeoutlint.rules.TL202]` or `.TL201`): more context
      managers that bound what runs inside them, as qualified names; the scopes named in
      either table serve both rules.

    ## References
    - [asyncio.wait](https://docs.python.org/3/library/asyncio-task.html#asyncio.wait)
    - [asyncio.TaskGroup](https://docs.python.org/3/library/asyncio-task.html#task-groups)
    """

    code = "TL202"
    name = "async-wait-without-timeout"
    message = "{callee} waits for its tasks with no timeout: one that never finishes hangs this forever"
    fix_title = "Bound it with `default-timeout` seconds"
    fix_availability = FixAvailability.SOMETIMES
    applicability = Applicability.UNSAFE
    triggers = (Word("wait"), Word("as_completed"), Word("TaskGroup"))  # (call sites: ``caller_bounded``)

    VALID = [
        Valid("import asyncio\nasync def f(ts):\n    return await asyncio.wait(ts, timeout=5)\n", why="timeout given"),
        Valid(
            "import asyncio\nasync def f(ts):\n    for d in asyncio.as_completed(ts, timeout=5):\n        await d\n",
            why="timeout given",
        ),
        Valid("import asyncio\nasync def f(ts):\n    return await asyncio.wait(ts, timeout=None)\n", why="explicit None: TL305's"),
        Valid(
            "import asyncio\nasync def f(ts):\n    async with asyncio.timeout(9):\n        await asyncio.wait(ts)\n",
            why="inside a scope",
        ),
        Valid(
            "import asyncio\nasync def f(cs):\n    async with asyncio.timeout(9), asyncio.TaskGroup() as tg:\n"
            "        for c in cs:\n            tg.create_task(c)\n",
            why="the scope is the first item",
        ),
        Valid(
            "import asyncio\nasync def stop(ts):\n    for t in ts:\n        t.cancel()\n    await asyncio.wait(ts)\n",
            why="a drain after cancelling",
        ),
        Valid(
            "import anyio\nasync def f(fs):\n    async with anyio.create_task_group() as tg:\n        for f in fs:\n"
            "            tg.start_soon(f)\n",
            why="structured concurrency: the caller's cancel scope owns the deadline",
        ),
        Valid(
            "import asyncio\nasync def worker(q: asyncio.Queue):\n    while True:\n        job = await q.get()\n",
            why="a worker waits for its next job",
        ),
    ]
    INVALID = [
        Invalid(
            "import asyncio\nasync def f(ts):\n    for d in asyncio.as_completed(ts):\n        await d\n",
            settings=_DEFAULT,
            why="no fix: on a timeout the tasks would run on",
        ),
        Invalid(
            "import asyncio\nasync def f(ts):\n    done, _ = await asyncio.wait(ts)\n    return done\n",
            settings=_DEFAULT,
            why="no fix: on a timeout the tasks would run on",
        ),
        Invalid(
            "import asyncio\nasync def f(cs):\n    async with asyncio.TaskGroup() as tg:\n        for c in cs:\n"
            "            tg.create_task(c)\n",
            fixed="import asyncio\nasync def f(cs):\n    async with asyncio.timeout(30):\n"
            "        async with asyncio.TaskGroup() as tg:\n            for c in cs:\n                tg.create_task(c)\n",
            settings=_PY311,
        ),
        Invalid("import asyncio\nasync def f(ts):\n    await asyncio.wait(ts)\n", why="no default-timeout: no fix"),
    ]

    def visit_Call(self, node: cst.Call) -> None:
        super().visit_Call(node)
        qualname = self.ctx.qualified_name(node.func)
        if qualname not in _WAITS or keyword(node, "timeout") is not None or has_star_kwargs(node):
            return
        if qualname == "asyncio.wait" and not isinstance(self.ctx.parent(), cst.Await):
            return
        if self.bounded_here() or self.drains():
            return
        # No fix: on a timeout neither ``asyncio.wait`` nor ``as_completed`` cancels the tasks,
        # so a bound added here would turn a hang into tasks left running (TL204's fault);
        # what to do with them is the author's call.
        self.flag(node, self.message.format(callee=_WAITS[qualname]), None)

    def visit_With(self, node: cst.With) -> None:
        if node.asynchronous is None:
            return
        for index, item in enumerate(node.items):
            call = item.item
            qualname = self.ctx.qualified_name(call.func) if isinstance(call, cst.Call) else None
            if qualname not in TASK_GROUPS:
                continue
            if self.bounded_here() or any(opens_bound(self.ctx, earlier.item, self.scopes()) for earlier in node.items[:index]):
                return
            fix = self._group_fix(node) if TASK_GROUPS[qualname] == "asyncio.TaskGroup()" and len(node.items) == 1 else None
            self.flag(item, self.message.format(callee=TASK_GROUPS[qualname]), fix, statement=node)
            return

    def _group_fix(self, group: cst.With) -> Optional[PendingFix]:
        """``async with asyncio.timeout(T):`` around the task group's block."""
        seconds = self.ctx.settings.default_timeout
        if seconds is None or self.ctx.target_version < (3, 11) or not isinstance(self.ctx.parent(), cst.IndentedBlock):
            return None
        title = f"Wrap it in `async with asyncio.timeout({format_seconds(seconds)})` (the configured default-timeout)"
        return timeout_scope_fix(self, group, title)
