"""Where a function keeps its remaining time by hand: the analysis behind TL401.

On top of :class:`ClockFlow` (the kinds of the values read from the clocks), a *site* is a
place that spends or re-reads one budget: ``remaining -= elapsed`` (an elapsed time spent),
``remaining = deadline - time.monotonic()`` or ``remaining = timeout - (now - start)``
(the time left recomputed), ``deadline - time.monotonic()`` inline, ``time.monotonic() >
deadline`` (the deadline checked). Sites are grouped by the budget they touch (the name
spent or the deadline read). A budget is *kept by hand* when its sites sit in two or more
statements of one straight-line block that does not run per iteration of a loop: one
phase, or a polling loop that re-reads its deadline on each turn, is left alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple

import libcst as cst

from timeoutlint.rules.budgets._clockflow import CLOCK, DEADLINE, ELAPSED, REMAINING, ClockFlow, attribute_key

_ORDERING = (cst.LessThan, cst.LessThanEqual, cst.GreaterThan, cst.GreaterThanEqual)
_BLOCKS = (cst.IndentedBlock, cst.SimpleStatementSuite)
_LOOPS = (cst.For, cst.While)
_EMPTY = cst.Module([])


def name_key(node: cst.CSTNode) -> Optional[str]:
    """``remaining`` or ``self._remaining``: the key ClockFlow keeps a value under."""
    if isinstance(node, cst.Name):
        return node.value
    return attribute_key(node)


@dataclass
class Budget:
    """One budget kept by hand: its key (the name spent or the deadline read), its sites,
    the block holding them and the statements of that block they are in."""

    key: str
    shape: str  # "spent" (remaining -= elapsed) or "deadline" (deadline - now)
    sites: List[cst.CSTNode] = field(default_factory=list)
    block: Optional[cst.CSTNode] = None
    statements: List[cst.CSTNode] = field(default_factory=list)


class Bookkeeping:
    """The budgets one function keeps by hand (``budgets``), from its clock flow."""

    def __init__(self, function: cst.FunctionDef, flow: ClockFlow) -> None:
        self.function = function
        self.flow = flow
        self.budgets: List[Budget] = []
        found: Dict[Tuple[str, str], Budget] = {}
        for node in flow.nodes:
            if node in flow.inner:
                continue  # a nested function's own places: it runs when it is called
            for shape, key in self._sites(node):
                found.setdefault((shape, key), Budget(key, shape)).sites.append(node)
        for budget in found.values():
            if self._reset(budget):
                continue
            if self._place(budget):
                self.budgets.append(budget)
        self._merge()

    # -- sites --------------------------------------------------------------------------

    def _sites(self, node: cst.CSTNode) -> List[Tuple[str, str]]:
        kind = self.flow.kind
        if isinstance(node, cst.AugAssign) and isinstance(node.operator, cst.SubtractAssign):
            key = name_key(node.target)
            if key is not None and kind(node.value) == ELAPSED:
                return [("spent", key)]
        elif isinstance(node, cst.Assign) and len(node.targets) == 1:
            key = name_key(node.targets[0].target)
            value = node.value
            if key is not None and not isinstance(value, cst.Name) and kind(value) == REMAINING:
                return [("spent", key)]
        elif isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Subtract):
            left, right = kind(node.left), kind(node.right)
            if left == DEADLINE and right == CLOCK:
                return [("deadline", self._point_key(node.left))]
        elif isinstance(node, cst.Comparison) and len(node.comparisons) == 1:
            target = node.comparisons[0]
            if isinstance(target.operator, _ORDERING):
                kinds = (kind(node.left), kind(target.comparator))
                if set(kinds) == {CLOCK, DEADLINE}:
                    point = node.left if kinds[0] == DEADLINE else target.comparator
                    return [("deadline", self._point_key(point))]
        return []

    def _point_key(self, node: cst.CSTNode) -> str:
        key = name_key(node)
        if key is not None:
            return key
        return code_of(node)

    def _reset(self, budget: Budget) -> bool:
        """Whether the budget starts over somewhere: a deadline assigned twice (two
        waits, each with a deadline of its own), a budget given its total twice."""
        flow = self.flow
        if budget.shape == "deadline":
            names = [budget.key] if budget.key in flow.assigned else [
                node.value for node in walk(budget.sites[0]) if isinstance(node, cst.Name) and node.value in flow.assigned
            ]
            return any(len(flow.assigned[name]) > 1 for name in names)
        values = flow.assigned.get(budget.key, [])
        spends = [v for v in values if isinstance(v, cst.AugAssign) or flow.kind(v) == REMAINING]
        return len(values) - len(spends) > 1

    # -- where the sites are ------------------------------------------------------------

    def _path(self, node: cst.CSTNode) -> List[cst.CSTNode]:
        """The nodes from the function down to ``node``."""
        path = [node]
        parent = self.flow.parent.get(node)
        while parent is not None:
            path.append(parent)
            parent = self.flow.parent.get(parent)
        path.reverse()
        return path

    def _place(self, budget: Budget) -> bool:
        """Find the innermost block holding every site; True when the sites are in two or
        more of its statements and it does not run once per loop iteration."""
        paths = [self._path(site) for site in budget.sites]
        common: Optional[cst.CSTNode] = None
        depth = 0
        shortest = min(len(path) for path in paths)
        for index in range(shortest):
            node = paths[0][index]
            if any(path[index] is not node for path in paths):
                break
            if isinstance(node, _BLOCKS) and index + 1 < shortest:
                common, depth = node, index
        if common is None:
            return False
        statements: List[cst.CSTNode] = []
        for path in paths:
            if len(path) <= depth + 1:
                return False
            statement = path[depth + 1]
            if not any(statement is seen for seen in statements):
                statements.append(statement)
        if len(statements) < 2:
            return False
        for node in paths[0][:depth]:
            if isinstance(node, _LOOPS):
                return False  # re-read on every turn of a loop, on purpose
        budget.block = common
        budget.statements = statements
        return True

    def _merge(self) -> None:
        """A deadline and the remaining time recomputed from it are one budget."""
        merged: List[Budget] = []
        for budget in self.budgets:
            for other in merged:
                if other.block is budget.block and any(
                    any(s is t for t in other.statements) for s in budget.statements
                ):
                    other.sites.extend(budget.sites)
                    other.statements.extend(s for s in budget.statements if not any(s is t for t in other.statements))
                    if budget.shape == "spent":
                        other.key, other.shape = budget.key, budget.shape
                    break
            else:
                merged.append(budget)
        self.budgets = merged


def walk(node: cst.CSTNode) -> List[cst.CSTNode]:
    """``node`` and everything under it, in source order."""
    found, stack = [], [node]
    while stack:
        current = stack.pop()
        found.append(current)
        stack.extend(reversed(current.children))
    return found


def code_of(node: cst.CSTNode) -> str:
    return _EMPTY.code_for_node(node)


def loads(flow: ClockFlow, key: str) -> List[cst.CSTNode]:
    """Every read of ``key`` (a local name or ``self.x``) in the body."""
    found: List[cst.CSTNode] = []
    for node in flow.nodes:
        if isinstance(node, cst.Name) and node.value == key and flow.is_load(node):
            parent = flow.parent.get(node)
            if isinstance(parent, cst.Attribute) and parent.value is node and "." in key:
                continue
            found.append(node)
        elif isinstance(node, cst.Attribute) and "." in key and attribute_key(node) == key:
            parent = flow.parent.get(node)
            if not (isinstance(parent, cst.AugAssign) and parent.target is node) and not isinstance(
                parent, cst.AssignTarget
            ):
                found.append(node)
    return found
