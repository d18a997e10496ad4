"""TL204: tasks left running after the caller stopped waiting for them."""

from __future__ import annotations

from typing import Optional

import libcst as cst

from timeoutlint.analysis.callargs import keyword
from timeoutlint.analysis.definitions import all_params
from timeoutlint.analysis.waits import NONE, literal_kind
from timeoutlint.context import PendingFix
from timeoutlint.ftypes import Applicability
from timeoutlint.rule import FixAvailability, Invalid, Rule, Valid
from timeoutlint.rules.aio.task_waits import TASK_GROUPS
from timeoutlint.rules.aio._tasks import calls_cancel, last_small, mentions_word, root, uses, walk

_WAIT = "asyncio.wait"
_GATHER = "asyncio.gather"
_WAIT_FOR = "asyncio.wait_for"
_CREATES = frozenset({"asyncio.create_task", "asyncio.ensure_future"})
_TIMEOUTS = frozenset({"builtins.TimeoutError", "asyncio.TimeoutError", "asyncio.exceptions.TimeoutError"})
# Uses of a task set that hand it on: somebody else may cancel or await it.
_HARMLESS_CALLS = frozenset({"builtins.len", "builtins.bool", "builtins.print"})
_FUNCTIONS = (cst.FunctionDef, cst.Lambda)


class TimedOutTasksLeftRunning(Rule):
    """
    ## What it does
    Checks for tasks that keep running after the code waiting for them gave up:
    - after `done, pending = await asyncio.wait(tasks, timeout=T)` the pending tasks are
      never cancelled (nor handed on: returned, stored, passed to a call);
    - a handler of the `TimeoutError` of `await asyncio.wait_for(...)` returns while tasks
      the function created for the same job (`asyncio.create_task(...)` before the `try`)
      are neither cancelled nor awaited there;
    - `await asyncio.gather(...)` of tasks the code created itself (names bound to
      `create_task(...)`, or a list filled with them, `self.task_list` included), without
      `return_exceptions=True` and with no `.cancel()` in an enclosing `except`/`finally`:
      when one task fails, gather raises at once and the others run on.

    ## Why is this bad?
    A task nobody awaits or cancels runs on, unowned, after the caller gave up: it holds
    connections and memory, writes results nobody reads, and its exception is only logged
    as "Task exception was never retrieved" at garbage collection. It is the fault of a
    goroutine that runs on after its `select` timed out. `asyncio.TaskGroup` (3.11+)
    cancels the siblings for you.

    ## Example
    ```python
    import asyncio

    async def first_answer(replicas, query):
        tasks = [asyncio.create_task(r.ask(query)) for r in replicas]
        done, pending = await asyncio.wait(tasks, timeout=5, return_when=asyncio.FIRST_COMPLETED)
        return [t.result() for t in done]
    ```

    ## Use instead
    ```python
    import asyncio

    async def first_answer(replicas, query):
        tasks = [asyncio.create_task(r.ask(query)) for r in replicas]
        done, pending = await asyncio.wait(tasks, timeout=5, return_when=asyncio.FIRST_COMPLETED)
        for task in pending:
            task.cancel()
        return [t.result() for t in done]
    ```

    ## Fix safety
    For `asyncio.wait` whose pending set has a name, the fix cancels it right after the
    wait (`for task in pending: task.cancel()`). It is unsafe: work that used to finish in
    the background is now cancelled. The other shapes have no fix: which tasks to cancel,
    and where, is the author's call (a `TaskGroup`, or a `finally` that cancels the rest).

    Not reported: tasks the function did not make here (a parameter, an attribute such as
    `self._pending_tasks`, a set a helper returns: their owner may cancel them), pending
    tasks that are cancelled anywhere in the function (also through the list they came
    from), handed on (returned, stored on an attribute, passed to a call
    such as another `asyncio.wait` in a loop), `asyncio.wait` without a timeout (it waits
    for all: TL202's), and gathers with `return_exceptions=True`, inside a `TaskGroup`, or
    in a `try` whose `except`/`finally` cancels.

    ## References
    - [asyncio.wait](https://docs.python.org/3/library/asyncio-task.html#asyncio.wait)
    - [asyncio.gather](https://docs.python.org/3/library/asyncio-task.html#asyncio.gather)
    - [asyncio.TaskGroup](https://docs.python.org/3/library/asyncio-task.html#task-groups)
    """

    code = "TL204"
    name = "timed-out-tasks-left-running"
    message = "the tasks still pending when `asyncio.wait(..., timeout=...)` returns are never cancelled: they run on, unowned, after the caller gave up"
    fix_title = "Cancel the pending tasks"
    fix_availability = FixAvailability.SOMETIMES
    applicability = Applicability.UNSAFE
    triggers = ("create_task", "ensure_future", "asyncio.wait")

    VALID = [
        Valid(
            "import asyncio\nasync def f(ts):\n    done, pending = await asyncio.wait(ts, timeout=5)\n"
            "    for t in pending:\n        t.cancel()\n    return done\n",
            why="cancelled",
        ),
        Valid(
            "import asyncio\nasync def f(ts):\n    pending = ts\n    while pending:\n"
            "        done, pending = await asyncio.wait(pending, timeout=5)\n",
            why="waited on again",
        ),
        Valid(
            "import asyncio\nasync def f(ts):\n    done, pending = await asyncio.wait(ts, timeout=5)\n    return done, pending\n",
            why="handed on to the caller",
        ),
        Valid(
            "import asyncio\nasync def f(ts):\n    try:\n        done, _ = await asyncio.wait(ts, timeout=5)\n"
            "    finally:\n        for t in ts:\n            t.cancel()\n",
            why="cancelled through the list",
        ),
        Valid("import asyncio\nasync def f(ts):\n    done, pending = await asyncio.wait(ts)\n", why="no timeout: waits for all"),
        Valid(
            "import asyncio\nasync def f(ts):\n    done, _ = await asyncio.wait(ts, timeout=5)\n    return done\n",
            why="the caller's tasks: the caller may cancel them",
        ),
        Valid(
            "import asyncio\nasync def f(cs):\n    ts = [asyncio.create_task(c) for c in cs]\n"
            "    return await asyncio.gather(*ts, return_exceptions=True)\n",
            why="return_exceptions: gather waits for all",
        ),
        Valid(
            "import asyncio\nasync def f(cs):\n    ts = [asyncio.create_task(c) for c in cs]\n    try:\n"
            "        return await asyncio.gather(*ts)\n    finally:\n        for t in ts:\n            t.cancel()\n",
            why="the rest cancelled in finally",
        ),
        Valid("import asyncio\nasync def f(cs):\n    return await asyncio.gather(*cs)\n", why="not tasks of its own"),
        Valid(
            "import asyncio\nasync def f(a, b):\n    ta = asyncio.create_task(a())\n    tb = asyncio.create_task(b())\n    try:\n"
            "        return await asyncio.wait_for(asyncio.gather(ta, tb, return_exceptions=True), 3)\n"
            "    except asyncio.TimeoutError:\n        return None\n",
            why="wait_for cancels the gather, and the gather both tasks",
        ),
    ]
    INVALID = [
        Invalid(
            "import asyncio\nasync def f(cs):\n    ts = [asyncio.create_task(c) for c in cs]\n"
            "    done, pending = await asyncio.wait(ts, timeout=5)\n    return done\n",
            fixed="import asyncio\nasync def f(cs):\n    ts = [asyncio.create_task(c) for c in cs]\n"
            "    done, pending = await asyncio.wait(ts, timeout=5)\n    for task in pending:\n        task.cancel()\n    return done\n",
        ),
        Invalid(
            "import asyncio\nasync def f(cs):\n    ts = [asyncio.create_task(c) for c in cs]\n"
            "    done, _ = await asyncio.wait(ts, timeout=5)\n    return done\n",
            why="pending thrown away: no fix",
        ),
        Invalid(
            "import asyncio\nasync def f(a, b):\n    ta = asyncio.create_task(a())\n    tb = asyncio.create_task(b())\n"
            "    try:\n        return await asyncio.wait_for(ta, 5)\n    except asyncio.TimeoutError:\n        return None\n",
            why="tb runs on after the timeout",
        ),
        Invalid(
            "import asyncio\nasync def f(a, b):\n    ta = asyncio.create_task(a())\n    tb = asyncio.create_task(b())\n"
            "    return await asyncio.wait_for(asyncio.gather(ta, tb), 30)\n",
            why="a timeout cancels both, a failure of one leaves the other running",
        ),
        Invalid(
            "import asyncio\nclass Op:\n    def __init__(self):\n        self.task_list = []\n"
            "    def submit(self, fn):\n        self.task_list.append(asyncio.create_task(fn()))\n"
            "    async def join(self):\n        return await asyncio.gather(*self.task_list)\n",
            why="one failure leaves the other tasks running",
        ),
    ]

    def visit_Call(self, node: cst.Call) -> None:
        qualname = self.ctx.qualified_name(node.func)
        if qualname == _WAIT and isinstance(self.ctx.parent(), cst.Await):
            self._check_wait(node)
        elif qualname == _GATHER and (isinstance(self.ctx.parent(), cst.Await) or self._awaited_through_wait_for()):
            self._check_gather(node)

    def visit_ExceptHandler(self, node: cst.ExceptHandler) -> None:
        if self._catches_timeout(node.type):
            self._check_handler(node)

    def _awaited_through_wait_for(self) -> bool:
        """``await asyncio.wait_for(asyncio.gather(...), T)``: a failed task still leaves
        the others running (only a timeout cancels them)."""
        stack = self.ctx.stack
        if len(stack) < 4 or not isinstance(stack[-2], cst.Arg):
            return False
        call, awaited = stack[-3], stack[-4]
        return (
            isinstance(call, cst.Call)
            and self.ctx.qualified_name(call.func) == _WAIT_FOR
            and call.args[0] is stack[-2]
            and isinstance(awaited, cst.Await)
        )

    # -- asyncio.wait(..., timeout=T) ----------------------------------------------------

    def _check_wait(self, call: cst.Call) -> None:
        timeout = keyword(call, "timeout")
        if timeout is None or literal_kind(timeout.value) == NONE:
            return
        function = self._function()
        line = self.ctx.enclosing_statement()
        if function is None or line is None:
            return
        assign = line.body[0] if len(line.body) == 1 else None
        if not (isinstance(assign, cst.Assign) and len(assign.targets) == 1):
            return
        target = assign.targets[0].target
        if not (isinstance(target, (cst.Tuple, cst.List)) and len(target.elements) == 2):
            return
        pending = target.elements[1].value
        sources = [root(call.args[0].value)] if call.args else []
        if sources and sources[0] in {param.name.value for param in all_params(function.params)}:
            return  # the caller's tasks: the caller may well cancel them
        if isinstance(pending, cst.Name) and sources and sources[0] == pending.value:
            return  # ``done, pending = await asyncio.wait(pending, ...)``: waited on again in a loop
        if not call.args or not self._made_here(call.args[0].value, function):
            return  # tasks kept elsewhere (``self._pending_tasks``, a helper's set): owned there
        names = [name for name in sources if name is not None]
        pending_name = pending.value if isinstance(pending, cst.Name) and pending.value != "_" else None
        if pending_name is not None:
            names.append(pending_name)
        if any(self._cancelled_or_handed_on(function, name, assign) for name in names):
            return
        fix = self._cancel_fix(line, pending_name, function) if pending_name is not None else None
        self.report(call, self.message, fix)

    def _made_here(self, tasks: cst.BaseExpression, function: cst.FunctionDef) -> bool:
        """Tasks this function made: ``[create_task(...) ...]`` inline, or a local name
        bound to such a list (or filled with ``append(create_task(...))``)."""
        if isinstance(tasks, (cst.List, cst.Set, cst.ListComp, cst.SetComp)):
            elements = [tasks.elt] if isinstance(tasks, (cst.ListComp, cst.SetComp)) else [e.value for e in tasks.elements]
            return bool(elements) and all(self._creates(element) for element in elements)
        if not isinstance(tasks, cst.Name):
            return False
        for node in walk(function.body):
            if isinstance(node, cst.Assign) and any(root(t.target) == tasks.value for t in node.targets):
                if not isinstance(node.value, cst.Name) and self._made_here(node.value, function):
                    return True
            if (
                isinstance(node, cst.Call)
                and isinstance(node.func, cst.Attribute)
                and node.func.attr.value in ("append", "add")
                and root(node.func.value) == tasks.value
                and node.args
                and self._creates(node.args[0].value)
            ):
                return True
        return False

    def _cancel_fix(self, line: cst.SimpleStatementLine, pending: str, function: cst.FunctionDef) -> Optional[PendingFix]:
        parent = self.ctx.stack[self.ctx.stack.index(line) - 1]
        if not isinstance(parent, cst.IndentedBlock):
            return None
        text = self.ctx.module.code_for_node(function)
        loop_name = next((name for name in ("task", "leftover", "pending_task", "_task") if not mentions_word(text, name)), None)
        if loop_name is None:
            return None
        loop = cst.parse_statement(f"for {loop_name} in {pending}:\n    {loop_name}.cancel()\n")
        return PendingFix(self.fix_title, Applicability.UNSAFE, [(line, cst.FlattenSentinel([line, loop]))])

    def _cancelled_or_handed_on(self, function: cst.FunctionDef, name: str, binding: cst.CSTNode) -> bool:
        """Is the task set ``name`` cancelled somewhere in the function, or handed on?"""
        for use, parents in uses(function, name):
            if any(node is binding for node in parents):
                continue
            statement = next((n for n in reversed(parents) if isinstance(n, cst.SimpleStatementLine)), None)
            if statement is not None and ".cancel(" in self.ctx.module.code_for_node(statement):
                return True  # ``pending.pop().cancel()``
            parent = parents[-1] if parents else None
            if isinstance(parent, cst.For) and use is parent.iter:
                loop_var = root(parent.target)
                if loop_var is not None and calls_cancel(parent.body, loop_var):
                    return True
                continue
            if isinstance(parent, cst.CompFor) and use is parent.iter:
                loop_var = root(parent.target)
                comprehension = parents[-2] if len(parents) >= 2 else None
                if loop_var is not None and comprehension is not None and calls_cancel(comprehension, loop_var):
                    return True
                continue
            if isinstance(parent, cst.Attribute) and use is parent.value:
                continue  # ``pending.clear()``, ``len`` via method: no hand-off
            if isinstance(parent, cst.Arg):
                call = parents[-2] if len(parents) >= 2 else None
                if isinstance(call, cst.Call) and self.ctx.qualified_name(call.func) in _HARMLESS_CALLS:
                    continue
                return True
            if isinstance(parent, (cst.Return, cst.Yield, cst.Assign, cst.AugAssign, cst.Element, cst.StarredElement, cst.AnnAssign)):
                return True
        return False

    # -- await asyncio.gather(*own_tasks) ----------------------------------------------------

    def _check_gather(self, call: cst.Call) -> None:
        flag = keyword(call, "return_exceptions")
        if flag is not None and not (isinstance(flag.value, cst.Name) and flag.value.value == "False"):
            return
        gathered = [arg for arg in call.args if arg.keyword is None]
        if not gathered or not all(self._own_tasks(arg) for arg in gathered):
            return
        if self._cancelling_handler_around() or self._in_task_group():
            return
        message = "if one of these tasks fails, `asyncio.gather` raises at once and leaves the others running: nobody cancels or awaits them"
        self.report(call, message)

    def _own_tasks(self, arg: cst.Arg) -> bool:
        """``*tasks`` of a list filled with ``create_task(...)``, or a name bound to one."""
        code = self.ctx.module.code_for_node(arg.value)
        scope: cst.CSTNode = self._class() if code.startswith("self.") else self._function()  # type: ignore[assignment]
        if scope is None:
            return False
        for node in walk(scope):
            if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and node.func.attr.value == "append":
                if self.ctx.module.code_for_node(node.func.value) == code and node.args and self._creates(node.args[0].value):
                    return arg.star == "*"
            if isinstance(node, cst.Assign) and len(node.targets) == 1:
                if self.ctx.module.code_for_node(node.targets[0].target) != code:
                    continue
                value = node.value
                if arg.star == "*" and isinstance(value, (cst.ListComp, cst.List)):
                    elements = [value.elt] if isinstance(value, cst.ListComp) else [e.value for e in value.elements]
                    if elements and all(self._creates(e) for e in elements):
                        return True
                if not arg.star and self._creates(value):
                    return True
        return False

    def _creates(self, node: cst.BaseExpression) -> bool:
        if not isinstance(node, cst.Call):
            return False
        if self.ctx.qualified_name(node.func) in _CREATES:
            return True
        return isinstance(node.func, cst.Attribute) and node.func.attr.value == "create_task"

    def _cancelling_handler_around(self) -> bool:
        for node in reversed(self.ctx.stack):
            if isinstance(node, _FUNCTIONS):
                return False
            if isinstance(node, cst.Try):
                parts: list[cst.CSTNode] = list(node.handlers)
                if node.finalbody is not None:
                    parts.append(node.finalbody)
                if any(".cancel(" in self.ctx.module.code_for_node(part) for part in parts):
                    return True
        return False

    def _in_task_group(self) -> bool:
        for node in reversed(self.ctx.stack):
            if isinstance(node, _FUNCTIONS):
                return False
            if isinstance(node, cst.With) and any(
                isinstance(item.item, cst.Call) and self.ctx.qualified_name(item.item.func) in TASK_GROUPS for item in node.items
            ):
                return True
        return False

    # -- except TimeoutError around wait_for, with siblings left behind ---------------------

    def _check_handler(self, handler: cst.ExceptHandler) -> None:
        stack = self.ctx.stack
        index = len(stack) - 1
        try_ = stack[index - 1] if index >= 1 else None
        block = stack[index - 2] if index >= 2 else None
        if not isinstance(try_, cst.Try) or not isinstance(block, cst.IndentedBlock) or try_ not in block.body:
            return
        waited = [call for call in walk(try_.body) if isinstance(call, cst.Call) and self.ctx.qualified_name(call.func) == _WAIT_FOR]
        body = handler.body.body if isinstance(handler.body, cst.IndentedBlock) else ()
        if not waited or not body or not isinstance(last_small(body[-1]), cst.Return):
            return
        handler_code = self.ctx.module.code_for_node(handler)
        if ".cancel(" in handler_code or (try_.finalbody is not None and ".cancel(" in self.ctx.module.code_for_node(try_.finalbody)):
            return
        # Every task named in what wait_for waits on is cancelled with it on timeout
        # (``wait_for(asyncio.gather(t1, t2), 5)`` cancels the gather, and the gather its tasks).
        waited_names = {node.value for call in waited if call.args for node in walk(call.args[0].value) if isinstance(node, cst.Name)}
        siblings = []
        for earlier in block.body[: list(block.body).index(try_)]:
            small = last_small(earlier)
            if isinstance(small, cst.Assign) and len(small.targets) == 1 and isinstance(small.targets[0].target, cst.Name):
                name = small.targets[0].target.value
                if self._creates(small.value) and name not in waited_names and not mentions_word(handler_code, name):
                    siblings.append(name)
        if siblings:
            listed = ", ".join(f"`{name}`" for name in siblings)
            verb = "keeps" if len(siblings) == 1 else "keep"
            message = f"the timeout is handled and the function returns, but {listed} {verb} running: cancel the sibling tasks of the job"
            self.report(handler.type or handler, message, statement=handler)

    def _catches_timeout(self, type_: Optional[cst.BaseExpression]) -> bool:
        if type_ is None:
            return False
        types = [element.value for element in type_.elements] if isinstance(type_, cst.Tuple) else [type_]
        return any(self.ctx.qualified_name(t) in _TIMEOUTS for t in types)

    # -- helpers -----------------------------------------------------------------------------

    def _function(self) -> Optional[cst.FunctionDef]:
        return next((n for n in reversed(self.ctx.stack) if isinstance(n, cst.FunctionDef)), None)

    def _class(self) -> Optional[cst.ClassDef]:
        return next((n for n in reversed(self.ctx.stack) if isinstance(n, cst.ClassDef)), None)

