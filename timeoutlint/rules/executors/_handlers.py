"""Which ``except`` clauses an exception raised at the node being visited meets, in order.

Used by the future rules (TL105, TL106). Only the ``try`` statements whose *body* holds
the node count (an exception raised in a handler, ``else`` or ``finally`` goes past its own
``try``), and only within the node's function: the walk stops at a function, lambda,
class or generator expression (code there runs later, when it is called or iterated).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator, List, Optional, Sequence, Tuple

import libcst as cst

from timeoutlint.context import FileContext

FUTURES = "concurrent.futures.TimeoutError"
ASYNCIO = "asyncio.TimeoutError"
BUILTIN = "builtins.TimeoutError"

_BROAD = frozenset({"builtins.BaseException", "builtins.Exception"})
_OSERROR = frozenset({"builtins.OSError", "builtins.EnvironmentError", "builtins.IOError"})
# From Python 3.11 on these all name the builtin TimeoutError (socket.timeout from 3.10).
_UNIFIED = frozenset({BUILTIN, FUTURES, ASYNCIO, "socket.timeout"})
_BOUNDARIES = (cst.FunctionDef, cst.Lambda, cst.ClassDef, cst.GeneratorExp, cst.TryStar)

EXACT = "exact"  # names the timeout class (or an alias of it on this version)
BROAD = "broad"  # catches it without naming it: Exception, BaseException, bare except
UNKNOWN = "unknown"  # an expression we cannot resolve: it may catch it
NO = "no"


def catches(qualname: Optional[str], kind: str, version: Tuple[int, int]) -> str:
    """Whether ``except <qualname>`` catches the ``kind`` timeout (FUTURES or ASYNCIO)."""
    if qualname is None:
        return UNKNOWN
    if version >= (3, 11):
        if qualname in _UNIFIED:
            return EXACT
        return BROAD if qualname in _BROAD or qualname in _OSERROR else NO
    if qualname == kind:
        return EXACT
    return BROAD if qualname in _BROAD else NO


def handler_types(ctx: FileContext, handler: cst.ExceptHandler) -> Optional[List[Tuple[cst.BaseExpression, Optional[str]]]]:
    """The classes an ``except`` names, each with its qualified name (None: bare except)."""
    if handler.type is None:
        return None
    expression = handler.type
    elements: Sequence[cst.BaseExpression]
    if isinstance(expression, cst.Tuple):
        if any(isinstance(element, cst.StarredElement) for element in expression.elements):
            return [(expression, None)]
        elements = [element.value for element in expression.elements]
    else:
        elements = [expression]
    return [(element, ctx.qualified_name(element)) for element in elements]


@dataclass
class Met:
    """A handler the exception meets: ``verdict`` is the strongest of its classes."""

    try_node: cst.Try
    handler: cst.ExceptHandler
    types: Optional[List[Tuple[cst.BaseExpression, Optional[str]]]]
    verdict: str


def enclosing_trys(stack: Sequence[cst.CSTNode]) -> Iterator[cst.Try]:
    """The ``try`` statements whose body holds ``stack[-1]``, innermost first."""
    for index in range(len(stack) - 1, 0, -1):
        parent, child = stack[index - 1], stack[index]
        if isinstance(parent, _BOUNDARIES):
            return
        if isinstance(parent, cst.Try) and child is parent.body:
            yield parent


def handlers_met(ctx: FileContext, kind: str, version: Tuple[int, int]) -> Iterator[Met]:
    """The handlers a ``kind`` timeout raised at the current node meets, in order, up to
    and including the first that catches it (or may: an unresolvable class)."""
    order = {EXACT: 3, BROAD: 2, UNKNOWN: 1, NO: 0}
    for try_node in enclosing_trys(ctx.stack):
        for handler in try_node.handlers:
            types = handler_types(ctx, handler)
            if types is None:
                verdict = BROAD
            else:
                verdicts = [catches(qualname, kind, version) for _, qualname in types]
                verdict = max(verdicts, key=order.__getitem__)
            yield Met(try_node, handler, types, verdict)
            if verdict != NO:
                return


def contains_raise(node: cst.CSTNode) -> bool:
    """A ``raise`` statement in ``node``, outside nested functions and classes."""
    stack: List[cst.CSTNode] = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, cst.Raise):
            return True
        if current is not node and isinstance(current, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
            continue
        stack.extend(current.children)
    return False
