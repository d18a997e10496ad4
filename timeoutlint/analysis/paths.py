"""Where nodes sit in a function body, and what that says about the order they run in.

A *path* is the chain of ``(node, field, index)`` steps from a function down to a node (the
field of the parent that holds the child, and its index when the field is a sequence). Two
paths tell whether one node can run after the other (not in exclusive branches, not after a
``return``), and a path tells whether a loop repeats its node. Nested functions, lambdas
and classes are not entered: their code runs when they are called, not in order.
"""

from __future__ import annotations

import dataclasses
from typing import Callable, Iterator, List, Optional, Sequence, Tuple

import libcst as cst

Step = Tuple[cst.CSTNode, str, Optional[int]]
Path = Tuple[Step, ...]

COMPREHENSIONS = (cst.ListComp, cst.SetComp, cst.DictComp, cst.GeneratorExp)
_OWN_CODE = (cst.FunctionDef, cst.Lambda, cst.ClassDef)
_TERMINATORS = (cst.Return, cst.Raise)
_LOOP_EXITS = (cst.Break, cst.Continue)


def children(node: cst.CSTNode) -> Iterator[tuple[str, Optional[int], cst.CSTNode]]:
    """The child nodes of ``node`` in source order, with the field holding each."""
    for field in dataclasses.fields(node):
        value = getattr(node, field.name)
        if isinstance(value, cst.CSTNode):
            yield field.name, None, value
        elif isinstance(value, (list, tuple)):
            for index, item in enumerate(value):
                if isinstance(item, cst.CSTNode):
                    yield field.name, index, item


def walk(function: cst.CSTNode, visit: Callable[[cst.CSTNode, Path], None]) -> None:
    """Call ``visit(node, path)`` for every node of ``function``'s own code, in source
    order (nested functions, lambdas and classes are visited but not entered)."""
    stack: List[Tuple[cst.CSTNode, Path]] = [(function, ())]
    while stack:
        node, path = stack.pop()
        visit(node, path)
        if path and isinstance(node, _OWN_CODE):
            continue
        below = [(child, path + ((node, field, index),)) for field, index, child in children(node)]
        stack.extend(reversed(below))


def _common(a: Path, b: Path) -> int:
    """How many leading steps the two paths share: at that depth both pass through the
    same node, through different children."""
    count = 0
    for step_a, step_b in zip(a, b):
        if step_a[0] is not step_b[0] or step_a[1:] != step_b[1:]:
            break
        count += 1
    return count


def _exclusive(node: cst.CSTNode, first: Step, second: Step) -> bool:
    """Do the two children of ``node`` (``first`` before ``second``) never both run in one
    pass: the two sides of an ``if``, two handlers of a ``try``, two ``case``\\ s?"""
    field_a, field_b = first[1], second[1]
    if isinstance(node, (cst.If, cst.IfExp)):
        return field_a == "body" and field_b == "orelse"
    if isinstance(node, (cst.Try, cst.TryStar)):
        return field_a == "handlers" and field_b in ("handlers", "orelse")
    if isinstance(node, cst.Match):
        return field_a == "cases" and field_b == "cases"
    return False


def is_retry(node: cst.CSTNode, first: Step, second: Step) -> bool:
    """``first`` in the body of a ``try``, ``second`` in one of its handlers: the second
    runs only when the first failed."""
    return isinstance(node, (cst.Try, cst.TryStar)) and first[1] == "body" and second[1] == "handlers"


def _loop_of(path: Path, depth: int) -> Optional[int]:
    """The depth of the innermost loop holding ``path[depth]``'s node in its body."""
    for index in range(depth - 1, -1, -1):
        node, field, _ = path[index]
        if isinstance(node, (cst.For, cst.While)) and field == "body":
            return index
    return None


def _small_statements(statements: Sequence[cst.CSTNode]) -> Iterator[cst.CSTNode]:
    for statement in statements:
        if isinstance(statement, cst.SimpleStatementLine):
            yield from statement.body
        elif isinstance(statement, cst.BaseSmallStatement):
            yield statement


def leaves_after(path: Path, start: int, stop: Optional[int] = None) -> bool:
    """Does control leave, once the node at the end of ``path`` has run, before the end of
    the code at depth ``start``? True when its own small statement, or a later statement
    of a block between it and ``start``, is a ``return``/``raise`` — or a
    ``break``/``continue`` of a loop at or above ``start``. At depth ``start`` itself only
    the statements before index ``stop`` are read (the node the question is about)."""
    for depth in range(len(path) - 1, start - 1, -1):
        node, field, index = path[depth]
        if index is None or field != "body":
            continue
        end = stop if depth == start else None
        if isinstance(node, (cst.SimpleStatementLine, cst.SimpleStatementSuite)):
            smalls = list(node.body[index:end])
        elif isinstance(node, (cst.IndentedBlock, cst.Module)):
            smalls = list(_small_statements(node.body[index + 1 : end]))
        else:
            continue
        if any(isinstance(small, _TERMINATORS) for small in smalls):
            return True
        if any(isinstance(small, _LOOP_EXITS) for small in smalls):
            loop = _loop_of(path, depth)
            if loop is not None and loop <= start:
                return True
    return False


def may_follow(first: Path, second: Path) -> bool:
    """Can the node at the end of ``second`` run after the one at the end of ``first`` (which
    comes earlier in the source) in one run of the function? No when they sit in exclusive
    branches, when the second is in a handler of the ``try`` whose body holds the first (a
    retry: see :func:`is_retry`), or when control leaves after the first (``return``,
    ``raise``, or ``break``/``continue`` out of a loop holding both)."""
    shared = _common(first, second)
    if shared >= len(first) or shared >= len(second):
        return True  # one holds the other: ``a(b(t), timeout=t)``
    node, step_a, step_b = first[shared][0], first[shared], second[shared]
    if _exclusive(node, step_a, step_b) or is_retry(node, step_a, step_b):
        return False
    stop = step_b[2] if step_a[1] == step_b[1] else None
    return not leaves_after(first, shared, stop)


def repeating_loop(path: Path) -> Optional[int]:
    """The depth of the innermost ``for`` loop or comprehension that runs the node at the
    end of ``path`` more than once (its body, not the iterable it evaluates once), or None.
    ``while`` loops are not counted: their end does not depend on the items of a
    collection, so a wait in them is a poll, not one step of a sequence."""
    for depth in range(len(path) - 1, -1, -1):
        node, field, _ = path[depth]
        if isinstance(node, cst.While) and field == "body":
            return None
        if isinstance(node, cst.For) and field == "body":
            return depth if node.asynchronous is None else None
        if isinstance(node, COMPREHENSIONS):
            if field == "for_in" and depth + 1 < len(path) and path[depth + 1][1] in ("iter", "target"):
                continue  # the outermost iterable: evaluated once
            return depth
    return None


def branches_within(path: Path, start: int) -> bool:
    """Does the node at the end of ``path`` sit, below depth ``start``, in code that may not
    run exactly once when the statement runs: a nested block, a branch of a conditional
    expression, the right side of ``and``/``or``, a loop, a comprehension or a lambda? (The
    header of a compound statement — an ``if`` test, ``with`` items, a ``for`` iterable —
    runs once.)"""
    for node, field, _ in path[start + 1 :]:
        if isinstance(node, (cst.IndentedBlock, cst.SimpleStatementSuite, cst.While, cst.Lambda) + COMPREHENSIONS):
            return True
        if isinstance(node, cst.IfExp) and field in ("body", "orelse"):
            return True
        if isinstance(node, cst.BooleanOperation) and field == "right":
            return True
        if isinstance(node, (cst.If, cst.With, cst.For)) and field not in ("test", "items", "iter"):
            return True
        if isinstance(node, (cst.Try, cst.TryStar, cst.Match)):
            return True
    return False
