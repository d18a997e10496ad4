"""Numbers known without running the code: literals, constant arithmetic (``5 * 60``), and
module-level names assigned once to such an expression (``TIMEOUT = 30``).

A name is a constant only when the whole module binds it exactly once — by any binding
construct, in any scope (an assignment, a parameter, a ``for`` or ``with`` target, an
import, a ``def``, ``global`` ...) — at module level, as ``NAME = <number expression>``
(or ``NAME: float = ...``), and the module has no ``from x import *``. Anything else is
unknown, and unknown means no finding.
"""

from __future__ import annotations

import math
from collections import Counter
from typing import Any, Optional

import libcst as cst

_MEMO_KEY = "constants.module"
_MAX_DEPTH = 8


def static_number(ctx: Any, node: cst.BaseExpression) -> Optional[float]:
    """The value of ``node`` when it is a finite number known statically, else None."""
    return _evaluate(ctx, node, 0)


def _evaluate(ctx: Any, node: cst.BaseExpression, depth: int) -> Optional[float]:
    if depth > _MAX_DEPTH:
        return None
    value: Optional[float] = None
    if isinstance(node, (cst.Integer, cst.Float)):
        value = float(node.evaluated_value)
    elif isinstance(node, cst.UnaryOperation) and isinstance(node.operator, (cst.Minus, cst.Plus)):
        inner = _evaluate(ctx, node.expression, depth + 1)
        if inner is not None:
            value = -inner if isinstance(node.operator, cst.Minus) else inner
    elif isinstance(node, cst.BinaryOperation):
        value = _arithmetic(ctx, node, depth)
    elif isinstance(node, cst.Name) and ctx is not None:
        expression = module_constants(ctx).get(node.value)
        if expression is not None:
            value = _evaluate(ctx, expression, depth + 1)
    if value is None or not math.isfinite(value):
        return None
    return value


def _arithmetic(ctx: Any, node: cst.BinaryOperation, depth: int) -> Optional[float]:
    left = _evaluate(ctx, node.left, depth + 1)
    right = _evaluate(ctx, node.right, depth + 1)
    if left is None or right is None:
        return None
    operator = node.operator
    if isinstance(operator, cst.Add):
        return left + right
    if isinstance(operator, cst.Subtract):
        return left - right
    if isinstance(operator, cst.Multiply):
        return left * right
    if isinstance(operator, cst.Divide) and right != 0:
        return left / right
    return None


def module_constants(ctx: Any) -> dict[str, cst.BaseExpression]:
    """The module's names bound once, at module level, to a number expression (the
    expression itself; :func:`static_number` evaluates it). Kept for the other rules."""
    known: Optional[dict[str, cst.BaseExpression]] = ctx.memo.get(_MEMO_KEY)
    if known is not None:
        return known
    known = {}
    if not ctx.resolver.star_import:
        counts = binding_counts(ctx.whole_module())  # (bindings inside any function count)
        for statement in ctx.module.body:
            if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
                continue
            small = statement.body[0]
            target: Optional[cst.BaseExpression] = None
            value: Optional[cst.BaseExpression] = None
            if isinstance(small, cst.Assign) and len(small.targets) == 1:
                target, value = small.targets[0].target, small.value
            elif isinstance(small, cst.AnnAssign):
                target, value = small.target, small.value
            if isinstance(target, cst.Name) and value is not None and counts[target.value] == 1 and _is_arithmetic(value):
                known[target.value] = value
    ctx.memo[_MEMO_KEY] = known
    return known


def _is_arithmetic(node: cst.BaseExpression) -> bool:
    """Numbers, names and + - * / of them (what :func:`static_number` may evaluate)."""
    if isinstance(node, (cst.Integer, cst.Float, cst.Name)):
        return True
    if isinstance(node, cst.UnaryOperation):
        return _is_arithmetic(node.expression)
    if isinstance(node, cst.BinaryOperation):
        return _is_arithmetic(node.left) and _is_arithmetic(node.right)
    return False


def binding_counts(root: cst.CSTNode) -> Counter[str]:
    """How often each name is bound anywhere under ``root`` (``global``/``nonlocal``
    declarations and ``del`` count as bindings: the name may change elsewhere)."""
    collector = _Bindings()
    root.visit(collector)
    return collector.counts


class _Bindings(cst.CSTVisitor):
    def __init__(self) -> None:
        super().__init__()
        self.counts: Counter[str] = Counter()

    def _target(self, node: cst.CSTNode) -> None:
        if isinstance(node, cst.Name):
            self.counts[node.value] += 1
        elif isinstance(node, (cst.Tuple, cst.List)):
            for element in node.elements:
                self._target(element.value)
        elif isinstance(node, cst.StarredElement):
            self._target(node.value)

    def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
        self._target(node.target)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self._target(node.target)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._target(node.target)

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        self._target(node.target)

    def visit_For(self, node: cst.For) -> None:
        self._target(node.target)

    def visit_CompFor(self, node: cst.CompFor) -> None:
        self._target(node.target)

    def visit_AsName(self, node: cst.AsName) -> None:  # with/except/import ``as``
        self._target(node.name)

    def visit_Del(self, node: cst.Del) -> None:
        self._target(node.target)

    def visit_ImportAlias(self, node: cst.ImportAlias) -> None:
        if node.asname is None:
            name = node.name
            while isinstance(name, cst.Attribute):
                name = name.value  # type: ignore[assignment]
            if isinstance(name, cst.Name):
                self.counts[name.value] += 1

    def visit_Param(self, node: cst.Param) -> None:
        self.counts[node.name.value] += 1

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.counts[node.name.value] += 1

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self.counts[node.name.value] += 1

    def visit_Global(self, node: cst.Global) -> None:
        for item in node.names:
            self.counts[item.name.value] += 1

    def visit_Nonlocal(self, node: cst.Nonlocal) -> None:
        for item in node.names:
            self.counts[item.name.value] += 1

    def visit_MatchAs(self, node: cst.MatchAs) -> None:
        if node.name is not None:
            self.counts[node.name.value] += 1

    def visit_MatchStar(self, node: cst.MatchStar) -> None:
        if node.name is not None:
            self.counts[node.name.value] += 1

    def visit_MatchMapping(self, node: cst.MatchMapping) -> None:
        if node.rest is not None:
            self.counts[node.rest.value] += 1
