"""Reading what a function does with its tasks (TL204's helpers): names, their uses with
their ancestors, and whether a loop over them cancels each."""

from __future__ import annotations

import re
from typing import Iterator, Optional, Sequence

import libcst as cst


def root(node: cst.BaseExpression) -> Optional[str]:
    return node.value if isinstance(node, cst.Name) else None


def mentions_word(text: str, word: str) -> bool:
    return re.search(rf"\b{re.escape(word)}\b", text) is not None


def last_small(statement: cst.CSTNode) -> Optional[cst.CSTNode]:
    if isinstance(statement, cst.SimpleStatementLine) and statement.body:
        return statement.body[-1]
    return None


def calls_cancel(node: cst.CSTNode, name: str) -> bool:
    for inner in walk(node):
        if (
            isinstance(inner, cst.Call)
            and isinstance(inner.func, cst.Attribute)
            and inner.func.attr.value == "cancel"
            and root(inner.func.value) == name
        ):
            return True
    return False


def walk(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    yield node
    for child in node.children:
        yield from walk(child)


def uses(function: cst.FunctionDef, name: str) -> Iterator[tuple[cst.Name, Sequence[cst.CSTNode]]]:
    """Every ``Name(name)`` in the function, with its ancestors (outermost first)."""

    def visit(node: cst.CSTNode, parents: list[cst.CSTNode]) -> Iterator[tuple[cst.Name, Sequence[cst.CSTNode]]]:
        if isinstance(node, cst.Name) and node.value == name:
            yield node, parents
        parents.append(node)
        for child in node.children:
            yield from visit(child, parents)
        parents.pop()

    yield from visit(function.body, [])
