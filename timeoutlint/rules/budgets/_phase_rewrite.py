"""The Budget rewrite of TL401: hand-kept remaining time becomes one ``Budget``.

Two shapes are rewritten, both only when every use of every bookkeeping variable is one
the rewrite understands (otherwise the finding stays, without a fix):

- *spent* — ``remaining = timeout``, then per phase ``start = time.X()`` … ``remaining -=
  time.X() - start`` (or through ``elapsed = ...``) … ``if remaining <= 0: raise
  TimeoutError(msg)``: ``budget = Budget(timeout)`` and one ``with budget.phase(name,
  message=msg):`` around each phase's statements; ``timeout=remaining`` arguments become
  ``budget.remaining``. The phases must follow each other in one block, straight-line.
- *deadline* — ``deadline = time.X() + timeout`` read as ``deadline - time.X()`` and
  compared with ``time.X()``: ``budget = Budget(timeout)``, ``budget.remaining`` and
  ``budget.expired``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Set, Tuple

import libcst as cst

from timeoutlint.context import FileContext, ImportNeed, PendingFix
from timeoutlint.ftypes import Applicability
from timeoutlint.rules.budgets._bookkeeping import Budget, code_of, loads, walk
from timeoutlint.rules.budgets._clockflow import OTHER, TIMING, ClockFlow, is_zero

FIX_TITLE = "Keep the remaining time in a `Budget`"
# Methods whose positional argument is a timeout: ``t.join(remaining)``.
_TIMEOUT_METHODS = frozenset(
    {"result", "exception", "join", "wait", "wait_for", "get", "put", "acquire", "communicate", "settimeout"}
)
_GENERIC_NAMES = frozenset({"start", "started", "begin", "t", "t0", "time", "phase", "step", "stage", "the", "this", "next", "each"})
_START_NAME = (re.compile(r"^_*(?P<name>.+?)_(?:start|started|begin|t0|time|ts)$"), re.compile(r"^_*(?:start|begin|t0)_(?P<name>.+)$"))
_MESSAGE_NAME = re.compile(r"(?P<name>[A-Za-z][\w-]*) (?:phase|step|stage)\b")


@dataclass
class _Phase:
    start: cst.SimpleStatementLine
    start_name: str
    body: List[cst.BaseStatement] = field(default_factory=list)
    elapsed: Dict[str, cst.SimpleStatementLine] = field(default_factory=dict)
    spent: bool = False
    check: Optional[cst.If] = None
    message: Optional[cst.BaseExpression] = None
    removed: List[cst.CSTNode] = field(default_factory=list)


def _single(statement: cst.CSTNode) -> Optional[cst.BaseSmallStatement]:
    if isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1:
        return statement.body[0]
    return None


def _is_name(node: cst.CSTNode, name: str) -> bool:
    return isinstance(node, cst.Name) and node.value == name


def _has_exit(nodes: Sequence[cst.CSTNode]) -> bool:
    """A ``return``/``break``/``continue`` (outside nested functions) among ``nodes``."""
    stack = list(nodes)
    while stack:
        node = stack.pop()
        if isinstance(node, (cst.Return, cst.Break, cst.Continue)):
            return True
        if isinstance(node, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
            continue
        stack.extend(node.children)
    return False


class BudgetRewrite:
    """Builds the fix for one hand-kept budget of one function, or finds none."""

    def __init__(self, ctx: FileContext, flow: ClockFlow, budget: Budget, clocks: Set[cst.Call]) -> None:
        self.ctx = ctx
        self.flow = flow
        self.budget = budget
        self.clocks = clocks

    def fix(self) -> Optional[PendingFix]:
        reference = self.ctx.reference(self.ctx.settings.budget_import, "Budget")
        if reference is None:
            return None
        name = self._free_name()
        if name is None:
            return None
        if self.budget.shape == "spent":
            replacements = self._phases(name, reference[0])
        else:
            replacements = self._deadline(name, reference[0])
        if replacements is None:
            return None
        imports: List[ImportNeed] = [reference[1]] if reference[1] is not None else []
        return PendingFix(FIX_TITLE, Applicability.UNSAFE, replacements, imports)

    # -- shared ---------------------------------------------------------------------------

    def _free_name(self) -> Optional[str]:
        for candidate in ("budget", "timeout_budget", "phase_budget"):
            if self.ctx.identifiers[candidate] == 0:
                return candidate
        return None

    def _plain_local(self, key: str) -> bool:
        flow = self.flow
        return "." not in key and not {key} & (flow.captured | flow.nested_reads | flow.forced_top)

    def _within(self, node: cst.CSTNode, statements: Sequence[cst.CSTNode]) -> bool:
        parent: Optional[cst.CSTNode] = node
        while parent is not None:
            if any(parent is statement for statement in statements):
                return True
            parent = self.flow.parent.get(parent)
        return False

    def _is_clock(self, node: cst.CSTNode) -> bool:
        return isinstance(node, cst.Call) and node in self.clocks

    def _mentions(self, names: Set[str]) -> List[cst.Name]:
        return [node for node in self.flow.nodes if isinstance(node, cst.Name) and node.value in names]

    # -- the deadline shape ---------------------------------------------------------------

    def _deadline(self, name: str, budget_class: cst.BaseExpression) -> Optional[List[Tuple[cst.CSTNode, cst.CSTNode]]]:
        flow, key = self.flow, self.budget.key
        if not self._plain_local(key) or key in flow.opaque or len(flow.assigned.get(key, ())) != 1:
            return None
        (value,) = flow.assigned[key]
        total = self._deadline_total(value)
        if total is None:
            return None
        init = flow.parent.get(value)
        line = flow.parent.get(init) if isinstance(init, cst.Assign) else None
        if not isinstance(line, cst.SimpleStatementLine) or len(line.body) != 1 or len(init.targets) != 1:  # type: ignore[union-attr]
            return None
        budget = cst.Name(name)
        remaining = cst.Attribute(budget, cst.Name("remaining"))
        replacements: List[Tuple[cst.CSTNode, cst.CSTNode]] = [
            (line, line.with_changes(body=[cst.Assign([cst.AssignTarget(budget)], cst.Call(budget_class, [cst.Arg(total)]))]))
        ]
        left_names: Set[str] = set()
        for load in loads(flow, key):
            parent = flow.parent.get(load)
            if self._none_test(parent, load):
                # ``deadline is None``: the budget is unlimited exactly when it was
                replacements.append((load, cst.Attribute(budget, cst.Name("deadline"))))
                continue
            if isinstance(parent, cst.BinaryOperation) and isinstance(parent.operator, cst.Subtract):
                if parent.left is not load or not self._is_clock(parent.right):
                    return None
                replacements.append((parent, remaining.with_changes(lpar=parent.lpar, rpar=parent.rpar)))
                assign = flow.parent.get(parent)
                if isinstance(assign, cst.Assign):
                    left_names.update(t.target.value for t in assign.targets if isinstance(t.target, cst.Name))
                continue
            comparison = flow.parent.get(parent) if isinstance(parent, cst.ComparisonTarget) else parent
            expired = self._expired(comparison, load, budget)
            if expired is None:
                return None
            check = self._deadline_check(comparison, expired, budget)  # type: ignore[arg-type]
            if check is not None:
                replacements.append(check)
            else:
                replacements.append((comparison, expired))  # type: ignore[arg-type]
        if self._negative_checked(left_names):
            return None  # ``if left < 0``: budget.remaining never goes below zero
        return self._simplified(replacements, key, remaining)

    def _deadline_total(self, value: cst.CSTNode) -> Optional[cst.BaseExpression]:
        """``T`` of ``time.X() + T``, or of ``None if T is None else time.X() + T`` (an
        unlimited total: ``Budget(None)``)."""
        flow = self.flow
        if isinstance(value, cst.IfExp):
            test = value.test
            if not (isinstance(test, cst.Comparison) and len(test.comparisons) == 1):
                return None
            operator = test.comparisons[0].operator
            if not _is_name(test.comparisons[0].comparator, "None"):
                return None
            if isinstance(operator, cst.Is) and _is_name(value.body, "None"):
                total = self._deadline_total(value.orelse)
            elif isinstance(operator, cst.IsNot) and _is_name(value.orelse, "None"):
                total = self._deadline_total(value.body)
            else:
                return None
            same = total is not None and code_of(total) == code_of(test.left)
            return total if same else None
        if not isinstance(value, cst.BinaryOperation) or not isinstance(value.operator, cst.Add):
            return None
        if self._is_clock(value.left) and flow.kind(value.right) == OTHER:
            return value.right
        if self._is_clock(value.right) and flow.kind(value.left) == OTHER:
            return value.left
        return None

    def _none_test(self, parent: Optional[cst.CSTNode], load: cst.CSTNode) -> bool:
        """``load is None`` / ``load is not None``."""
        if not isinstance(parent, cst.Comparison) or parent.left is not load or len(parent.comparisons) != 1:
            return False
        target = parent.comparisons[0]
        return isinstance(target.operator, (cst.Is, cst.IsNot)) and _is_name(target.comparator, "None")

    def _simplified(
        self, replacements: List[Tuple[cst.CSTNode, cst.CSTNode]], key: str, remaining: cst.BaseExpression
    ) -> List[Tuple[cst.CSTNode, cst.CSTNode]]:
        """``None if deadline is None else max(deadline - now(), 0)`` is all of
        ``budget.remaining``: one replacement for the whole expression, none inside it."""
        replaced = {id(old) for old, _ in replacements}
        outer: List[Tuple[cst.CSTNode, cst.CSTNode]] = []
        for node in self.flow.nodes:
            if not isinstance(node, cst.IfExp) or not isinstance(node.test, cst.Comparison):
                continue
            test = node.test
            if id(test.left) not in replaced or not _is_name(test.left, key) or len(test.comparisons) != 1:
                continue
            operator = test.comparisons[0].operator
            value = node.orelse if isinstance(operator, cst.Is) else node.body
            other = node.body if isinstance(operator, cst.Is) else node.orelse
            if _is_name(other, "None") and self._left_of(value, replaced):
                outer.append((node, remaining.with_changes(lpar=node.lpar, rpar=node.rpar)))
        kept = [
            (old, new)
            for old, new in replacements
            if not any(self._within(old, [node]) and old is not node for node, _ in outer)
        ]
        return kept + outer

    def _left_of(self, node: cst.CSTNode, replaced: Set[int]) -> bool:
        """``deadline - now()`` (replaced) or ``max(0, deadline - now())``."""
        if id(node) in replaced and isinstance(node, cst.BinaryOperation):
            return True
        if isinstance(node, cst.Call) and self.ctx.qualified_name(node.func) == "builtins.max" and len(node.args) == 2:
            values = [arg.value for arg in node.args]
            return any(is_zero(v) for v in values) and any(
                id(v) in replaced and isinstance(v, cst.BinaryOperation) for v in values
            )
        return False

    def _expired(self, comparison: Optional[cst.CSTNode], load: cst.CSTNode, budget: cst.Name) -> Optional[cst.BaseExpression]:
        if not isinstance(comparison, cst.Comparison) or len(comparison.comparisons) != 1:
            return None
        target = comparison.comparisons[0]
        other = target.comparator if comparison.left is load else comparison.left
        if not self._is_clock(other):
            return None
        operator = target.operator
        clock_first = comparison.left is other
        if isinstance(operator, (cst.GreaterThan, cst.GreaterThanEqual)):
            past = clock_first  # now > deadline
        elif isinstance(operator, (cst.LessThan, cst.LessThanEqual)):
            past = not clock_first  # deadline < now
        else:
            return None
        expired: cst.BaseExpression = cst.Attribute(budget, cst.Name("expired"))
        if not past:
            expired = cst.UnaryOperation(cst.Not(), expired)
            parent = self.flow.parent.get(comparison)
            if not comparison.lpar and isinstance(parent, (cst.BinaryOperation, cst.Comparison, cst.ComparisonTarget)):
                return expired.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
        return expired.with_changes(lpar=comparison.lpar, rpar=comparison.rpar)

    def _deadline_check(
        self, comparison: cst.Comparison, expired: cst.BaseExpression, budget: cst.Name
    ) -> Optional[Tuple[cst.CSTNode, cst.CSTNode]]:
        """``if time.monotonic() > deadline: raise TimeoutError(message)`` becomes
        ``budget.check(message=message)``, which raises ``BudgetExceeded`` (a
        ``TimeoutError``) with the same message."""
        statement = self.flow.parent.get(comparison)
        if not isinstance(statement, cst.If) or statement.test is not comparison or not isinstance(expired, cst.Attribute):
            return None
        found = self._raises_timeout(statement)
        if found is None:
            return None
        message = found[1]
        args = []
        if message is not None:
            match = _MESSAGE_NAME.search(_literal_text(message))
            if match and match.group("name").lower() not in _GENERIC_NAMES:
                args.append(cst.Arg(cst.SimpleString(_quote(match.group("name")))))
        args.extend(self._message_args(message))
        call = cst.Call(cst.Attribute(budget, cst.Name("check")), args)
        comments = _comments(statement.body)
        trailing = cst.TrailingWhitespace(cst.SimpleWhitespace("  "), comments[0]) if comments else cst.TrailingWhitespace()
        line = cst.SimpleStatementLine([cst.Expr(call)], leading_lines=statement.leading_lines, trailing_whitespace=trailing)
        return statement, line

    def _negative_checked(self, names: Set[str]) -> bool:
        for node in self.flow.nodes:
            if isinstance(node, cst.Comparison) and len(node.comparisons) == 1:
                target = node.comparisons[0]
                left, right = node.left, target.comparator
                if isinstance(target.operator, cst.LessThan) and isinstance(left, cst.Name) and left.value in names:
                    if is_zero(right):
                        return True
                if isinstance(target.operator, cst.GreaterThan) and isinstance(right, cst.Name) and right.value in names:
                    if is_zero(left):
                        return True
        return False

    # -- the spent shape ------------------------------------------------------------------

    def _phases(self, name: str, budget_class: cst.BaseExpression) -> Optional[List[Tuple[cst.CSTNode, cst.CSTNode]]]:
        key = self.budget.key
        block = self.budget.block
        if not self._plain_local(key) or not isinstance(block, cst.IndentedBlock):
            return None
        parsed = self._parse(block.body)
        if parsed is None:
            return None
        init, pieces, consumed, starts = parsed
        if init is None and key not in self.flow.opaque:
            return None  # a local needs its initial value in this block; a parameter is its own total
        phases = [piece for piece in pieces if isinstance(piece, _Phase)]
        if len(phases) < 2 and not (phases and any(isinstance(p, tuple) for p in pieces)):
            return None
        bookkeeping = {key} | starts | {e for phase in phases for e in phase.elapsed}
        allowed = self._timeout_arguments(key)
        for mention in self._mentions(bookkeeping):
            if self._within(mention, consumed):
                continue
            if mention.value == key and any(mention is arg.value for arg in allowed):
                continue
            return None  # read elsewhere: returned, logged, used after the phases
        for piece in pieces:
            message = piece.message if isinstance(piece, _Phase) else piece[1] if isinstance(piece, tuple) else None
            if message is not None and any(
                isinstance(node, cst.Name) and node.value in bookkeeping for node in walk(message)
            ):
                return None  # the message shows the remaining time
        budget = cst.Name(name)
        creation = cst.Assign([cst.AssignTarget(budget)], cst.Call(budget_class, [cst.Arg(init.body[0].value if init else cst.Name(key))]))  # type: ignore[attr-defined]
        replacer = _Remaining(allowed, cst.Attribute(budget, cst.Name("remaining")))
        body: List[cst.BaseStatement] = []
        used: Set[str] = set()
        for index, piece in enumerate(pieces):
            if piece is init:
                body.append(init.with_changes(body=[creation]))  # type: ignore[union-attr]
            elif isinstance(piece, _Phase):
                if init is None and not any(isinstance(p, _Phase) for p in pieces[:index]):
                    body.append(cst.SimpleStatementLine([creation], leading_lines=piece.start.leading_lines))
                    piece.start = piece.start.with_changes(leading_lines=())
                body.extend(self._phase_statements(piece, budget, replacer, used, len(used) + 1))
            elif isinstance(piece, tuple):
                check, message = piece
                call = cst.Call(cst.Attribute(budget, cst.Name("check")), self._message_args(message))
                body.append(cst.SimpleStatementLine([cst.Expr(call)], leading_lines=check.leading_lines))
            else:
                body.append(piece.visit(replacer))  # type: ignore[arg-type]
        return [(block, block.with_changes(body=body))]

    def _parse(
        self, statements: Sequence[cst.BaseStatement]
    ) -> Optional[Tuple[Optional[cst.SimpleStatementLine], List[object], List[cst.CSTNode], Set[str]]]:
        key = self.budget.key
        init: Optional[cst.SimpleStatementLine] = None
        pieces: List[object] = []
        consumed: List[cst.CSTNode] = []
        starts: Set[str] = set()
        phase: Optional[_Phase] = None
        for statement in statements:
            start = self._start(statement)
            if phase is not None:
                if start is not None:
                    return None  # a new start before the last phase was spent
                if not phase.spent:
                    elapsed = self._elapsed(statement, phase.start_name)
                    if elapsed is not None:
                        phase.elapsed[elapsed] = statement  # type: ignore[assignment]
                        phase.removed.append(statement)
                        consumed.append(statement)
                        continue
                    if self._spend(statement, phase):
                        phase.spent = True
                        phase.removed.append(statement)
                        consumed.append(statement)
                        continue
                    phase.body.append(statement)
                    continue
                check = self._check(statement)
                if check is not None and phase.check is None:
                    phase.check, phase.message = check
                    phase.removed.append(statement)
                    consumed.append(statement)
                    phase = None
                    continue
                phase = None
            if start is not None:
                phase = _Phase(statement, start)  # type: ignore[arg-type]
                starts.add(start)
                consumed.append(statement)
                pieces.append(phase)
                continue
            if init is None and not any(isinstance(p, _Phase) for p in pieces) and self._init(statement):
                init = statement  # type: ignore[assignment]
                consumed.append(statement)
                pieces.append(statement)
                continue
            check = self._check(statement)
            if check is not None:
                consumed.append(statement)
                pieces.append(check)
                continue
            pieces.append(statement)
        if phase is not None and not phase.spent:
            return None
        for piece in pieces:
            if isinstance(piece, _Phase) and _has_exit(piece.body):
                return None  # a return inside a phase would now check the budget
        return init, pieces, consumed, starts

    def _init(self, statement: cst.BaseStatement) -> bool:
        small = _single(statement)
        return (
            isinstance(small, cst.Assign)
            and len(small.targets) == 1
            and _is_name(small.targets[0].target, self.budget.key)
            and self.flow.kind(small.value) not in TIMING
        )

    def _start(self, statement: cst.BaseStatement) -> Optional[str]:
        small = _single(statement)
        if isinstance(small, cst.Assign) and len(small.targets) == 1 and self._is_clock(small.value):
            target = small.targets[0].target
            if isinstance(target, cst.Name) and target.value != self.budget.key:
                return target.value
        return None

    def _is_elapsed(self, node: cst.CSTNode, start: str, elapsed: Dict[str, cst.SimpleStatementLine]) -> bool:
        if isinstance(node, cst.Name):
            return node.value in elapsed
        return (
            isinstance(node, cst.BinaryOperation)
            and isinstance(node.operator, cst.Subtract)
            and self._is_clock(node.left)
            and _is_name(node.right, start)
        )

    def _elapsed(self, statement: cst.BaseStatement, start: str) -> Optional[str]:
        small = _single(statement)
        if isinstance(small, cst.Assign) and len(small.targets) == 1 and isinstance(small.targets[0].target, cst.Name):
            if self._is_elapsed(small.value, start, {}):
                return small.targets[0].target.value
        return None

    def _spend(self, statement: cst.BaseStatement, phase: _Phase) -> bool:
        key = self.budget.key
        if isinstance(statement, cst.If) and statement.orelse is None and self._not_none_test(statement.test):
            inner = statement.body.body if isinstance(statement.body, cst.IndentedBlock) else ()
            return len(inner) == 1 and self._spend(inner[0], phase)  # type: ignore[arg-type]
        small = _single(statement)
        if isinstance(small, cst.AugAssign) and isinstance(small.operator, cst.SubtractAssign):
            return _is_name(small.target, key) and self._is_elapsed(small.value, phase.start_name, phase.elapsed)
        if isinstance(small, cst.Assign) and len(small.targets) == 1 and _is_name(small.targets[0].target, key):
            value = small.value
            return (
                isinstance(value, cst.BinaryOperation)
                and isinstance(value.operator, cst.Subtract)
                and _is_name(value.left, key)
                and self._is_elapsed(value.right, phase.start_name, phase.elapsed)
            )
        return False

    def _not_none_test(self, test: cst.BaseExpression) -> bool:
        """``remaining is not None`` (an unlimited total is never spent)."""
        return (
            isinstance(test, cst.Comparison)
            and len(test.comparisons) == 1
            and isinstance(test.comparisons[0].operator, cst.IsNot)
            and _is_name(test.left, self.budget.key)
            and _is_name(test.comparisons[0].comparator, "None")
        )

    def _spent_test(self, test: cst.BaseExpression) -> bool:
        """``remaining <= 0``, ``remaining < 0``, ``0 >= remaining``, optionally after
        ``remaining is not None and``."""
        if isinstance(test, cst.BooleanOperation) and isinstance(test.operator, cst.And) and not test.lpar:
            return self._not_none_test(test.left) and self._spent_test(test.right)
        if not isinstance(test, cst.Comparison) or len(test.comparisons) != 1:
            return False
        operator, right = test.comparisons[0].operator, test.comparisons[0].comparator
        key = self.budget.key
        if isinstance(operator, (cst.LessThanEqual, cst.LessThan)):
            return _is_name(test.left, key) and is_zero(right)
        if isinstance(operator, (cst.GreaterThanEqual, cst.GreaterThan)):
            return is_zero(test.left) and _is_name(right, key)
        return False

    def _check(self, statement: cst.BaseStatement) -> Optional[Tuple[cst.If, Optional[cst.BaseExpression]]]:
        """``if remaining <= 0: raise TimeoutError(message)``: the statement and the message."""
        if not isinstance(statement, cst.If) or statement.orelse is not None or not self._spent_test(statement.test):
            return None
        return self._raises_timeout(statement)

    def _raises_timeout(self, statement: cst.If) -> Optional[Tuple[cst.If, Optional[cst.BaseExpression]]]:
        """An ``if`` whose whole body is ``raise TimeoutError(message)``: it and the message."""
        if statement.orelse is not None:
            return None
        inner = statement.body.body
        if len(inner) != 1:
            return None
        small = _single(inner[0]) if isinstance(statement.body, cst.IndentedBlock) else inner[0]
        if not isinstance(small, cst.Raise) or small.exc is None:
            return None
        if small.cause is not None and not _is_name(small.cause.item, "None"):
            return None
        exc = small.exc
        if isinstance(exc, cst.Call):
            if self.ctx.qualified_name(exc.func) != "builtins.TimeoutError":
                return None
            if len(exc.args) > 1 or any(arg.keyword is not None or arg.star for arg in exc.args):
                return None
            return statement, exc.args[0].value if exc.args else None
        if self.ctx.qualified_name(exc) == "builtins.TimeoutError":
            return statement, None
        return None

    def _timeout_arguments(self, key: str) -> List[cst.Arg]:
        """The arguments ``timeout=remaining`` (or a method's positional timeout) that
        become ``budget.remaining``."""
        found: List[cst.Arg] = []
        for node in self.flow.nodes:
            if not isinstance(node, cst.Call):
                continue
            method = node.func.attr.value if isinstance(node.func, cst.Attribute) else None
            for arg in node.args:
                if not _is_name(arg.value, key) or arg.star:
                    continue
                if arg.keyword is not None and "timeout" in arg.keyword.value.lower():
                    found.append(arg)
                elif arg.keyword is None and method in _TIMEOUT_METHODS:
                    found.append(arg)
        return found

    # -- building the phases --------------------------------------------------------------

    def _message_args(self, message: Optional[cst.BaseExpression]) -> List[cst.Arg]:
        if message is None:
            return []
        return [cst.Arg(message, keyword=cst.Name("message"), equal=cst.AssignEqual(cst.SimpleWhitespace(""), cst.SimpleWhitespace("")))]

    def _phase_name(self, phase: _Phase, number: int, used: Set[str]) -> str:
        name = None
        for pattern in _START_NAME:
            match = pattern.match(phase.start_name)
            if match and match.group("name").lower() not in _GENERIC_NAMES:
                name = match.group("name")
                break
        if name is None and phase.message is not None:
            match = _MESSAGE_NAME.search(_literal_text(phase.message))
            if match and match.group("name").lower() not in _GENERIC_NAMES:
                name = match.group("name")
        if name is None:
            name = _first_call(phase.body)
        if name is None or name in used:
            name = f"phase {number}"
        used.add(name)
        return name

    def _phase_statements(
        self, phase: _Phase, budget: cst.Name, replacer: _Remaining, used: Set[str], number: int
    ) -> List[cst.BaseStatement]:
        body = [statement.visit(replacer) for statement in phase.body]
        comments = [comment for removed in phase.removed for comment in _comments(removed)]
        if phase.check is None:
            # no check ended this phase: its statements run as they did, unchecked
            if body:
                first = body[0]
                body[0] = first.with_changes(leading_lines=[*phase.start.leading_lines, *first.leading_lines])  # type: ignore[union-attr]
            return body  # type: ignore[return-value]
        if phase.message is not None and self._message_changes(phase):
            raise _NoFix()
        name = self._phase_name(phase, number, used)
        call = cst.Call(
            cst.Attribute(budget, cst.Name("phase")),
            [cst.Arg(cst.SimpleString(_quote(name))), *self._message_args(phase.message)],
        )
        footer = [cst.EmptyLine(indent=True, comment=comment) for comment in comments]
        block = cst.IndentedBlock(
            body or [cst.SimpleStatementLine([cst.Pass()])],  # type: ignore[arg-type]
            header=phase.start.trailing_whitespace,
            footer=footer,
        )
        return [cst.With([cst.WithItem(call)], block, leading_lines=phase.start.leading_lines)]

    def _message_changes(self, phase: _Phase) -> bool:
        """The message would be evaluated when the phase starts, not when it ended: it
        must not read a name the phase assigns."""
        assert phase.message is not None
        names = {node.value for node in walk(phase.message) if isinstance(node, cst.Name)}
        if any(isinstance(node, (cst.Await, cst.Yield)) for node in walk(phase.message)):
            return True
        for statement in phase.body:
            for node in walk(statement):
                if isinstance(node, cst.Name) and node.value in names and not self.flow.is_load(node):
                    return True
        return False


class _NoFix(Exception):
    """Raised while building when a phase turns out not to be rewritable."""


class _Remaining(cst.CSTTransformer):
    """``timeout=remaining`` -> ``timeout=budget.remaining`` for the allowed arguments."""

    def __init__(self, allowed: List[cst.Arg], remaining: cst.BaseExpression) -> None:
        super().__init__()
        self.allowed = allowed
        self.remaining = remaining

    def leave_Arg(self, original_node: cst.Arg, updated_node: cst.Arg) -> cst.Arg:
        if any(original_node is arg for arg in self.allowed):
            return updated_node.with_changes(value=self.remaining)
        return updated_node


def _comments(statement: cst.CSTNode) -> List[cst.Comment]:
    """The comments of a statement the rewrite removes, in order (they move, not vanish)."""
    found: List[cst.Comment] = []
    for node in walk(statement):
        if isinstance(node, (cst.EmptyLine, cst.TrailingWhitespace)) and node.comment is not None:
            found.append(node.comment)
    return found


def _literal_text(node: cst.BaseExpression) -> str:
    parts = []
    for inner in walk(node):
        if isinstance(inner, cst.SimpleString):
            value = inner.evaluated_value
            parts.append(value if isinstance(value, str) else "")
        elif isinstance(inner, cst.FormattedStringText):
            parts.append(inner.value)
    return " ".join(parts)


def _first_call(statements: Sequence[cst.BaseStatement]) -> Optional[str]:
    for statement in statements:
        for node in walk(statement):
            if isinstance(node, cst.Call):
                func = node.func
                if isinstance(func, cst.Name):
                    return func.value
                if isinstance(func, cst.Attribute):
                    return func.attr.value
    return None


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def build_fix(ctx: FileContext, flow: ClockFlow, budget: Budget, clocks: Set[cst.Call]) -> Optional[PendingFix]:
    try:
        return BudgetRewrite(ctx, flow, budget, clocks).fix()
    except _NoFix:
        return None
