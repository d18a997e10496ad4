"""Timeout scopes: is this point of the code under a bound that will cancel or interrupt it?

Shared by the asyncio rules (TL201/TL202 ask "is this gather bounded?") and, later, by
TL404 (which compares an inner timeout with the scope around it). A bound is:

- a ``with`` / ``async with`` item that opens a timeout scope with a finite deadline:
  ``asyncio.timeout(10)`` / ``timeout_at``, ``async_timeout.timeout``, anyio
  ``fail_after`` / ``move_on_after`` / ``fail_at`` / ``move_on_at`` /
  ``CancelScope(deadline=...)``, trio's same five, the runtime ``Budget.async_timeout()``,
  and the scopes a user names in the ``timeout-scopes`` option;
- the first argument of ``asyncio.wait_for(aw, timeout)`` with a finite timeout, and the
  awaitables passed to ``asyncio.wait`` / ``as_completed`` with a finite ``timeout=``;
- a function decorated to run under a timeout: tornado's ``@gen_test``,
  ``@pytest.mark.timeout(N)``.

A scope given ``None`` (or infinity) bounds nothing: that is TL305's finding. Scopes are
looked for from the node outwards up to the enclosing function: a bound set by the caller
is the project pass's question (``caller_bounded``).
"""

from __future__ import annotations

from typing import Any, Iterable, Optional, Sequence

import libcst as cst

from timeoutlint.analysis.callargs import argument
from timeoutlint.analysis.waits import INF, NONE, literal_kind

TIMEOUT_SCOPES_OPTION = "timeout-scopes"

# Scope constructor -> (deadline parameter, its position; None: keyword only).
SCOPES: dict[str, tuple[str, Optional[int]]] = {
    "asyncio.timeout": ("delay", 0),
    "asyncio.timeout_at": ("when", 0),
    "asyncio.timeouts.timeout": ("delay", 0),
    "asyncio.timeouts.timeout_at": ("when", 0),
    "async_timeout.timeout": ("delay", 0),
    "async_timeout.timeout_at": ("deadline", 0),
    "anyio.fail_after": ("delay", 0),
    "anyio.move_on_after": ("delay", 0),
    "anyio.fail_at": ("deadline", 0),
    "anyio.move_on_at": ("deadline", 0),
    "anyio.CancelScope": ("deadline", None),
    "trio.fail_after": ("seconds", 0),
    "trio.move_on_after": ("seconds", 0),
    "trio.fail_at": ("deadline", 0),
    "trio.move_on_at": ("deadline", 0),
    "trio.CancelScope": ("deadline", None),
}
WAIT_FOR = "asyncio.wait_for"
# ``asyncio.wait(aws, timeout=T)`` / ``as_completed(aws, timeout=T)``: the caller stops
# waiting for what it passes them after T (TL204 asks whether it cancels them).
_TIMED_WAITS = frozenset({"asyncio.wait", "asyncio.as_completed"})
# Decorators that run the function under a timeout: tornado's ``gen_test`` (5 s unless
# told otherwise), ``pytest.mark.timeout(N)``.
_BOUNDING_DECORATORS = frozenset({"tornado.testing.gen_test", "pytest.mark.timeout"})
_BUDGET_HELPER = "async_timeout"
_FUNCTIONS = (cst.FunctionDef, cst.Lambda)


def check_timeout_scopes(value: Any) -> Optional[str]:
    """The problem with a ``timeout-scopes`` option value, or None when it is well formed."""
    example = 'timeout-scopes = ["mypkg.deadlines.scope"]'
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        return f"expected a list of qualified names, e.g. {example}"
    for item in value:
        parts = item.split(".")
        if len(parts) < 2 or not all(part.isidentifier() for part in parts):
            return f"{item!r} is not a qualified name such as 'mypkg.deadlines.scope'"
    return None


def user_scopes(ctx: Any, codes: Iterable[str]) -> frozenset[str]:
    """The scopes the ``timeout-scopes`` option of these rules names."""
    found: set[str] = set()
    for code in codes:
        found.update(ctx.settings.options_for(code).get(TIMEOUT_SCOPES_OPTION, ()))
    return frozenset(found)


def _finite(node: cst.BaseExpression, qualified_name: Any) -> bool:
    return literal_kind(node, qualified_name) not in (NONE, INF)


def opens_bound(ctx: Any, expression: cst.BaseExpression, extra: frozenset[str] = frozenset()) -> bool:
    """Does ``with <expression>:`` open a timeout scope with a finite deadline?"""
    if not isinstance(expression, cst.Call):
        return False
    qualname = ctx.qualified_name(expression.func)
    if qualname in extra:
        return True
    if qualname in SCOPES:
        name, position = SCOPES[qualname]
        given = argument(expression, name, position)
        return given is not None and _finite(given.value, ctx.qualified_name)
    func = expression.func
    if isinstance(func, cst.Attribute) and func.attr.value == _BUDGET_HELPER:
        receiver = ctx.type_of(func.value)
        budget = f"{ctx.settings.budget_import}.Budget"
        return receiver in (budget, "timeoutlint.runtime.Budget", "timeoutlint.runtime.budget.Budget")
    return False


def bounding_wait_for(ctx: Any, call: cst.Call, arg: cst.Arg) -> bool:
    """Is ``arg`` the awaitable of ``asyncio.wait_for(aw, <finite>)``?"""
    if ctx.qualified_name(call.func) != WAIT_FOR:
        return False
    awaitable = argument(call, "fut", 0)
    if awaitable is not arg:
        return False
    timeout = argument(call, "timeout", 1)
    return timeout is not None and _finite(timeout.value, ctx.qualified_name)


def bounding_wait(ctx: Any, call: cst.Call) -> bool:
    """``asyncio.wait(..., timeout=<finite>)`` / ``as_completed(..., timeout=<finite>)``."""
    if ctx.qualified_name(call.func) not in _TIMED_WAITS:
        return False
    timeout = argument(call, "timeout", None)
    return timeout is not None and _finite(timeout.value, ctx.qualified_name)


def bounding_decorator(ctx: Any, function: cst.FunctionDef) -> bool:
    for decorator in function.decorators:
        node = decorator.decorator
        if isinstance(node, cst.Call):
            if ctx.qualified_name(node.func) in _BOUNDING_DECORATORS and not any(
                literal_kind(arg.value) in (NONE, INF) for arg in node.args
            ):
                return True
        elif ctx.qualified_name(node) == "tornado.testing.gen_test":
            return True
    return False


def is_bounded(ctx: Any, stack: Sequence[cst.CSTNode], extra: frozenset[str] = frozenset()) -> bool:
    """Is the innermost node of ``stack`` under a bound of its own function?"""
    for index in range(len(stack) - 1, 0, -1):
        parent, child = stack[index - 1], stack[index]
        if isinstance(parent, cst.FunctionDef):
            return bounding_decorator(ctx, parent)
        if isinstance(parent, _FUNCTIONS):
            return False
        if isinstance(parent, cst.With) and child is parent.body:
            if any(opens_bound(ctx, item.item, extra) for item in parent.items):
                return True
        if isinstance(parent, cst.Call) and isinstance(child, cst.Arg):
            if bounding_wait_for(ctx, parent, child) or bounding_wait(ctx, parent):
                return True
    return False
