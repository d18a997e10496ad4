"""What the future rules need to know about calls and names: which calls wait on a
``concurrent.futures.Future`` with a timeout, which raise an asyncio timeout, and where a
name or ``self.x`` chain is mentioned, bound or cancelled in a block of code."""

from __future__ import annotations

from typing import Iterator, List, Optional, Set

import libcst as cst

from timeoutlint.analysis.callargs import argument, keyword
from timeoutlint.context import FileContext
from timeoutlint.rules.executors._handlers import ASYNCIO, FUTURES
from timeoutlint.analysis.bindings import dotted_name
from timeoutlint.analysis.known import FUTURE, PROCESS_POOL, THREAD_POOL

EXECUTORS = frozenset({THREAD_POOL, PROCESS_POOL})
_NESTED = (cst.FunctionDef, cst.ClassDef, cst.Lambda)


def is_none(node: Optional[cst.CSTNode]) -> bool:
    return isinstance(node, cst.Name) and node.value == "None"


def _given(arg: Optional[cst.Arg]) -> bool:
    """A timeout argument that is there and is not the literal ``None``."""
    return arg is not None and not arg.star and not is_none(arg.value)


def timed_future_wait(ctx: FileContext, call: cst.Call) -> Optional[cst.BaseExpression]:
    """The future of ``fut.result(timeout)`` / ``fut.exception(timeout)`` (a known
    ``concurrent.futures.Future`` and a timeout that is not ``None``), else None."""
    func = call.func
    if not isinstance(func, cst.Attribute) or func.attr.value not in ("result", "exception"):
        return None
    if not _given(argument(call, "timeout", 0)):
        return None
    if ctx.type_of(func.value) != FUTURE:
        return None
    return func.value


def raised_timeout(ctx: FileContext, call: cst.Call) -> Optional[str]:
    """Which timeout class ``call`` raises (FUTURES or ASYNCIO) when its timeout expires
    *here*: iterators must be consumed, awaitables awaited, context managers entered right
    where they are made (``it = as_completed(fs, timeout=5)`` raises nothing yet)."""
    if timed_future_wait(ctx, call) is not None:
        return FUTURES
    func = call.func
    if isinstance(func, cst.Attribute) and func.attr.value == "map":
        if _given(keyword(call, "timeout")) and ctx.type_of(func.value) in EXECUTORS and _consumed(ctx):
            return FUTURES
        return None
    qualname = ctx.qualified_name(func)
    if qualname == "concurrent.futures.as_completed" and _given(argument(call, "timeout", 1)) and _consumed(ctx):
        return FUTURES
    if qualname == "asyncio.wait_for" and _given(argument(call, "timeout", 1)) and _awaited(ctx):
        return ASYNCIO
    if qualname == "asyncio.as_completed" and _given(keyword(call, "timeout")) and _consumed(ctx):
        return ASYNCIO
    if qualname in ("async_timeout.timeout", "async_timeout.timeout_at") and isinstance(ctx.parent(), cst.WithItem):
        if _given(argument(call, "delay" if qualname.endswith("timeout") else "deadline", 0)):
            return ASYNCIO
    return None


_CONSUMERS = frozenset(
    f"builtins.{name}" for name in ("list", "tuple", "set", "frozenset", "sorted", "dict", "next", "sum", "min", "max", "any", "all")
)


def _consumed(ctx: FileContext) -> bool:
    """The iterator made by the current call is iterated where it is made: the ``for`` of
    a loop or a list/set/dict comprehension, or the argument of ``list()``, ``next()``..."""
    stack = ctx.stack
    parent = stack[-2] if len(stack) >= 2 else None
    call = stack[-1]
    if isinstance(parent, cst.For):
        return parent.iter is call
    if isinstance(parent, cst.CompFor) and parent.iter is call:
        return len(stack) >= 3 and isinstance(stack[-3], (cst.ListComp, cst.SetComp, cst.DictComp))
    if isinstance(parent, cst.Arg) and len(stack) >= 3 and isinstance(stack[-3], cst.Call):
        return ctx.qualified_name(stack[-3].func) in _CONSUMERS
    return False


def _awaited(ctx: FileContext) -> bool:
    """The awaitable made by the current call is awaited (or run) where it is made."""
    stack = ctx.stack
    parent = stack[-2] if len(stack) >= 2 else None
    if isinstance(parent, cst.Await):
        return True
    if isinstance(parent, cst.Arg) and len(stack) >= 3 and isinstance(stack[-3], cst.Call):
        runner = stack[-3].func
        if isinstance(runner, cst.Attribute) and runner.attr.value == "run_until_complete":
            return True
        return ctx.qualified_name(runner) == "asyncio.run"
    return False


def named(expression: cst.BaseExpression) -> Optional[str]:
    """``fut`` or ``self._fut``: a future a fix can name again; None for ``ex.submit(f)``."""
    return dotted_name(expression)


def _names(node: cst.CSTNode, skip_nested: bool) -> Iterator[str]:
    """Dotted names (``a``, ``a.b``, ``a.b.c``) mentioned in ``node``; the ``attr`` of an
    attribute is never a name of its own."""
    stack: List[cst.CSTNode] = [node]
    while stack:
        current = stack.pop()
        if skip_nested and current is not node and isinstance(current, _NESTED):
            continue
        if isinstance(current, cst.Attribute):
            text = dotted_name(current)
            if text is not None:
                yield text
            stack.append(current.value)
            continue
        if isinstance(current, cst.Name):
            yield current.value
            continue
        stack.extend(current.children)


def mentions(node: cst.CSTNode, name: str) -> bool:
    return any(found == name for found in _names(node, skip_nested=False))


def _targets(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    if isinstance(node, cst.Assign):
        for target in node.targets:
            yield target.target
    elif isinstance(node, (cst.AnnAssign, cst.AugAssign, cst.NamedExpr, cst.For, cst.CompFor)):
        yield node.target
    elif isinstance(node, cst.AsName):
        yield node.name


def _flat(target: cst.CSTNode) -> Iterator[str]:
    if isinstance(target, (cst.Tuple, cst.List)):
        for element in target.elements:
            yield from _flat(element.value)
    elif isinstance(target, cst.StarredElement):
        yield from _flat(target.value)
    else:
        text = dotted_name(target)
        if text is not None:
            yield text


def binds(node: cst.CSTNode, name: str) -> bool:
    """Whether ``node`` (re)binds ``name`` (a name or ``self.x`` chain), nested scopes apart."""
    stack: List[cst.CSTNode] = [node]
    while stack:
        current = stack.pop()
        if current is not node and isinstance(current, _NESTED):
            continue
        for target in _targets(current):
            if name in _flat(target):
                return True
        stack.extend(current.children)
    return False


def cancellations(node: cst.CSTNode) -> Set[str]:
    """Receivers of ``x.cancel()`` in ``node``; ``"*"`` for ``shutdown(cancel_futures=True)``."""
    found: Set[str] = set()
    stack: List[cst.CSTNode] = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, cst.Call) and isinstance(current.func, cst.Attribute):
            method = current.func.attr.value
            if method == "cancel":
                receiver = dotted_name(current.func.value)
                if receiver is not None:
                    found.add(receiver)
            elif method == "shutdown":
                flag = keyword(current, "cancel_futures")
                if flag is not None and not (isinstance(flag.value, cst.Name) and flag.value.value == "False"):
                    found.add("*")
        stack.extend(current.children)
    return found
