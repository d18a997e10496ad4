"""Budgets (TL4xx): timeouts measured, spent and nested by hand."""

from __future__ import annotations

from typing import Any, Dict, Hashable, Iterator, List, Optional, Set, Tuple, Union

import libcst as cst

from timeoutlint.context import ImportNeed, PendingFix, PendingReport
from timeoutlint.ftypes import Applicability
from timeoutlint.rule import FixAvailability, Invalid, Rule, Valid

# -- TL402: what a value computed from time.time() is -------------------------------------

CLOCK = "clock"  # a reading of the clock: time.time()
DEADLINE = "deadline"  # a reading plus a duration: time.time() + timeout
ELAPSED = "elapsed"  # reading - reading
REMAINING = "remaining"  # deadline - reading, or a duration minus an elapsed time
OTHER = "other"  # not known to come from time.time() (a parameter, a literal, a call...)
NONE = "none"  # the literal None: neutral in a join (``deadline = None``)
TOP = "top"  # conflicting kinds, or arithmetic that means nothing for a timeout
POINTS = frozenset({CLOCK, DEADLINE})  # instants on the wall clock: what the fix changes
DURATIONS = frozenset({ELAPSED, REMAINING})  # differences: the same on either clock
TIMING = POINTS | DURATIONS

_Kind = Optional[str]  # None: not computed yet (the bottom of the lattice)
_NESTED_SCOPES = (cst.FunctionDef, cst.ClassDef, cst.Lambda)
_ORDERING = (cst.LessThan, cst.LessThanEqual, cst.GreaterThan, cst.GreaterThanEqual)
_SCALINGS = (cst.Multiply, cst.Divide, cst.FloorDivide, cst.MultiplyAssign, cst.DivideAssign, cst.FloorDivideAssign)
_SUBTRACTIONS = {
    (CLOCK, CLOCK): ELAPSED,
    (ELAPSED, ELAPSED): ELAPSED,
    (ELAPSED, OTHER): ELAPSED,
    (DEADLINE, CLOCK): REMAINING,
    (CLOCK, DEADLINE): REMAINING,
    (OTHER, ELAPSED): REMAINING,
    (REMAINING, ELAPSED): REMAINING,
    (REMAINING, OTHER): REMAINING,
}


def _join(a: _Kind, b: _Kind) -> _Kind:
    if a is None or a == b:
        return b
    if b is None:
        return a
    if NONE in (a, b):
        return b if a == NONE else a
    if OTHER in (a, b):
        # a duration that may also be a plain number (``remaining = timeout``) stays one
        known = b if a == OTHER else a
        return known if known in DURATIONS else TOP
    return TOP


def _binop(operator: Union[cst.BaseBinaryOp, cst.BaseAugOp], left: _Kind, right: _Kind) -> _Kind:
    if left is None or right is None:
        return None
    if TOP in (left, right):
        return TOP
    if left not in TIMING and right not in TIMING:
        return OTHER
    if isinstance(operator, (cst.Add, cst.AddAssign)):
        for a, b in ((left, right), (right, left)):
            if a in POINTS and (b == OTHER or b in DURATIONS):
                return DEADLINE  # a duration, or a parameter also reassigned the time left
            if a in DURATIONS and b in (OTHER, a):
                return a
    elif isinstance(operator, (cst.Subtract, cst.SubtractAssign)):
        return _SUBTRACTIONS.get((left, right), TOP)
    elif isinstance(operator, _SCALINGS):
        if left in DURATIONS and right == OTHER:
            return left
        if isinstance(operator, (cst.Multiply, cst.MultiplyAssign)) and right in DURATIONS and left == OTHER:
            return right
        if isinstance(operator, cst.Divide) and left == OTHER and right in DURATIONS:
            return OTHER  # a rate
    return TOP


def _target_names(target: cst.CSTNode) -> Iterator[str]:
    if isinstance(target, cst.Name):
        yield target.value
    elif isinstance(target, (cst.Tuple, cst.List)):
        for element in target.elements:
            yield from _target_names(element.value)
    elif isinstance(target, cst.StarredElement):
        yield from _target_names(target.value)


def _is_zero(node: cst.CSTNode) -> bool:
    return isinstance(node, (cst.Integer, cst.Float)) and node.evaluated_value == 0


class _UnionFind:
    def __init__(self) -> None:
        self.parent: Dict[Hashable, Hashable] = {}

    def find(self, item: Hashable) -> Hashable:
        root = item
        while self.parent.get(root, root) is not root:
            root = self.parent[root]
        while item is not root:
            self.parent[item], item = root, self.parent.get(item, root)
        return root

    def union(self, a: Hashable, b: Hashable) -> None:
        root_a, root_b = self.find(a), self.find(b)
        if root_a is not root_b:
            self.parent[root_a] = root_b


class ClockFlow:
    """Where the values of the ``time.time()`` calls of one body go (nested functions,
    classes and lambdas are other bodies). Flow-insensitive: a local name has the join of
    the kinds of everything assigned to it anywhere in the body.

    After construction, ``components`` lists the groups of calls whose values meet (a
    difference or comparison joins them) and that carry evidence of a timeout, each with
    whether one of its instants escapes (then the group cannot move to another clock).
    """

    def __init__(self, root: cst.CSTNode, clocks: Set[cst.Call], is_min_max: Any) -> None:
        self.root = root
        self.clocks = clocks
        self.is_min_max = is_min_max  # Call -> bool: the builtin min()/max()
        self.parent: Dict[cst.CSTNode, cst.CSTNode] = {}
        self.nodes: List[cst.CSTNode] = []
        self.assigned: Dict[str, List[Union[cst.BaseExpression, cst.AugAssign]]] = {}
        self.opaque: Set[str] = set()  # bound some other way: a parameter, a for target...
        self.forced_top: Set[str] = set()  # global, nonlocal, del
        self.captured: Set[str] = set()  # mentioned by a nested function or class
        self.names: Dict[str, _Kind] = {}
        self._memo: Dict[cst.CSTNode, _Kind] = {}
        self._walk()
        self._infer()
        self.components = self._connect()

    # -- collecting the body ------------------------------------------------------------

    def _walk(self) -> None:
        root = self.root
        start: cst.CSTNode = root
        if isinstance(root, (cst.FunctionDef, cst.Lambda)):
            params = root.params
            for param in (*params.posonly_params, *params.params, *params.kwonly_params):
                self.opaque.add(param.name.value)
            for star in (params.star_arg, params.star_kwarg):
                if isinstance(star, cst.Param):
                    self.opaque.add(star.name.value)
            start = root.body
        elif isinstance(root, cst.ClassDef):
            start = root.body
        stack: List[cst.CSTNode] = [start]
        while stack:
            node = stack.pop()
            if isinstance(node, _NESTED_SCOPES):
                self._nested(node)
                continue
            self._bindings(node)
            self.nodes.append(node)
            children = node.children
            for child in children:
                self.parent[child] = node
            stack.extend(reversed(children))

    def _nested(self, node: cst.CSTNode) -> None:
        if isinstance(node, (cst.FunctionDef, cst.ClassDef)):
            self.opaque.add(node.name.value)
        stack = [node]
        while stack:
            inner = stack.pop()
            if isinstance(inner, cst.Name):
                self.captured.add(inner.value)
            elif isinstance(inner, (cst.Global, cst.Nonlocal)):
                self.forced_top.update(item.name.value for item in inner.names)
            stack.extend(inner.children)

    def _bind(self, target: cst.CSTNode, value: Union[cst.BaseExpression, cst.AugAssign]) -> None:
        if isinstance(target, cst.Name):
            self.assigned.setdefault(target.value, []).append(value)
        else:
            self.opaque.update(_target_names(target))

    def _bindings(self, node: cst.CSTNode) -> None:
        if isinstance(node, cst.Assign):
            for target in node.targets:
                self._bind(target.target, node.value)
        elif isinstance(node, cst.AnnAssign) and node.value is not None:
            self._bind(node.target, node.value)
        elif isinstance(node, cst.AugAssign):
            self._bind(node.target, node)
        elif isinstance(node, cst.NamedExpr):
            self._bind(node.target, node.value)
        elif isinstance(node, (cst.For, cst.CompFor)):
            self.opaque.update(_target_names(node.target))
        elif isinstance(node, cst.AsName):  # with ... as, except ... as, import ... as
            self.opaque.update(_target_names(node.name))
        elif isinstance(node, cst.ImportAlias) and node.asname is None:
            name = node.name
            while isinstance(name, cst.Attribute):
                name = name.value
            self.opaque.update(_target_names(name))
        elif isinstance(node, (cst.Global, cst.Nonlocal)):
            self.forced_top.update(item.name.value for item in node.names)
        elif isinstance(node, cst.Del):
            self.forced_top.update(_target_names(node.target))
        elif isinstance(node, (cst.MatchAs, cst.MatchStar)) and node.name is not None:
            self.opaque.add(node.name.value)
        elif isinstance(node, cst.MatchMapping) and node.rest is not None:
            self.opaque.add(node.rest.value)

    # -- kinds --------------------------------------------------------------------------

    def _infer(self) -> None:
        self.names = {name: None for name in self.assigned}
        for _ in range(12):
            self._memo = {}
            changed = False
            for name, values in self.assigned.items():
                kind: _Kind = TOP if name in self.forced_top else (OTHER if name in self.opaque else None)
                for value in values:
                    kind = _join(kind, self._value_kind(value))
                if kind != self.names[name]:
                    self.names[name] = kind
                    changed = True
            if not changed:
                break
        else:  # no fixed point: know nothing
            self.names = {name: TOP for name in self.assigned}
        self._memo = {}

    def _value_kind(self, value: Union[cst.BaseExpression, cst.AugAssign]) -> _Kind:
        if isinstance(value, cst.AugAssign):
            assert isinstance(value.target, cst.Name)
            return _binop(value.operator, self.names[value.target.value], self.kind(value.value))
        return self.kind(value)

    def kind(self, node: cst.CSTNode) -> _Kind:
        if node not in self._memo:
            self._memo[node] = self._compute_kind(node)
        return self._memo[node]

    def _compute_kind(self, node: cst.CSTNode) -> _Kind:
        if node in self.clocks:
            return CLOCK
        if isinstance(node, cst.Name):
            if node.value == "None":
                return NONE
            if node.value in self.names:
                return self.names[node.value]
            return TOP if node.value in self.forced_top else OTHER
        if isinstance(node, cst.BinaryOperation):
            return _binop(node.operator, self.kind(node.left), self.kind(node.right))
        if isinstance(node, cst.IfExp):
            return _join(self.kind(node.body), self.kind(node.orelse))
        if isinstance(node, cst.NamedExpr):
            return self.kind(node.value)
        if isinstance(node, cst.Call) and self.is_min_max(node):
            return self._min_max_kind(node)
        return OTHER

    def _min_max_kind(self, call: cst.Call) -> _Kind:
        if len(call.args) < 2 or any(arg.star or arg.keyword is not None for arg in call.args):
            return OTHER
        kinds = {self.kind(arg.value) for arg in call.args}
        if None in kinds:
            return None
        timing = kinds & TIMING
        if not timing:
            return OTHER
        if len(timing) == 1:
            (only,) = timing
            if only in DURATIONS and kinds <= {only, OTHER}:
                return only  # max(0, deadline - time.time())
            if only == DEADLINE and kinds == {DEADLINE}:
                return DEADLINE
        return TOP

    # -- uses ---------------------------------------------------------------------------

    def _is_load(self, name: cst.Name) -> bool:
        parent = self.parent.get(name)
        if isinstance(parent, cst.Attribute):
            return name is not parent.attr
        if isinstance(parent, cst.Arg):
            return name is not parent.keyword
        if isinstance(parent, (cst.AnnAssign, cst.AugAssign, cst.NamedExpr, cst.For, cst.CompFor)):
            return name is not parent.target
        return not isinstance(
            parent, (cst.AssignTarget, cst.AsName, cst.ImportAlias, cst.NameItem, cst.Param, cst.MatchAs, cst.MatchStar)
        )

    def _flow_children(self, node: cst.CSTNode) -> Tuple[cst.CSTNode, ...]:
        """The operands whose values flow into ``node``'s value."""
        if isinstance(node, cst.BinaryOperation):
            return (node.left, node.right)
        if isinstance(node, cst.IfExp):
            return (node.body, node.orelse)
        if isinstance(node, cst.NamedExpr):
            return (node.value,)
        if isinstance(node, cst.Call) and self.is_min_max(node):
            return tuple(arg.value for arg in node.args)
        return ()

    def _in_test(self, node: cst.CSTNode) -> bool:
        """Only the truth of ``node`` is used (``if deadline and ...``)."""
        child, parent = node, self.parent.get(node)
        while isinstance(parent, (cst.BooleanOperation, cst.UnaryOperation)):
            if isinstance(parent, cst.UnaryOperation):
                return isinstance(parent.operator, cst.Not)  # ``not x`` is a bool
            child, parent = parent, self.parent.get(parent)
        if isinstance(parent, (cst.If, cst.While, cst.IfExp, cst.Assert)):
            return child is parent.test
        return isinstance(parent, cst.CompIf)

    def _contained(self, node: cst.CSTNode, bad_operands: Set[cst.CSTNode]) -> bool:
        """Whether this use of an instant stays among instants and durations (so the
        fix may move all of them to another clock)."""
        parent = self.parent.get(node)
        kind = self.kind(node)
        if isinstance(parent, cst.BinaryOperation):
            return self.kind(parent) in TIMING
        if isinstance(parent, cst.IfExp) and node is not parent.test:
            return self.kind(parent) in POINTS
        if isinstance(parent, cst.NamedExpr):
            return self.names.get(parent.target.value) == kind if isinstance(parent.target, cst.Name) else False
        if isinstance(parent, cst.Arg):
            call = self.parent.get(parent)
            return isinstance(call, cst.Call) and self._flow_children(call) != () and self.kind(call) in POINTS
        if isinstance(parent, (cst.Comparison, cst.ComparisonTarget)):
            return node not in bad_operands
        if isinstance(parent, cst.Assign):
            return all(isinstance(t.target, cst.Name) and self.names.get(t.target.value) == kind for t in parent.targets)
        if isinstance(parent, cst.AnnAssign):
            return isinstance(parent.target, cst.Name) and self.names.get(parent.target.value) == kind
        return self._in_test(node)

    def _comparison(self, node: cst.Comparison, uf: _UnionFind, evidence: List[Hashable], bad: Set[cst.CSTNode]) -> None:
        operands = [node.left] + [target.comparator for target in node.comparisons]
        for index, target in enumerate(node.comparisons):
            left, right = operands[index], operands[index + 1]
            kinds = (self.kind(left), self.kind(right))
            if isinstance(target.operator, (cst.Is, cst.IsNot)) and NONE in kinds:
                continue  # ``deadline is None`` holds on either clock
            pair = evident = False
            if isinstance(target.operator, _ORDERING):
                if kinds[0] in POINTS and kinds[1] in POINTS:
                    # reading vs reading is a check that the clock went backwards: leave it
                    pair = evident = kinds != (CLOCK, CLOCK)
                elif (kinds[0] in DURATIONS and kinds[1] in DURATIONS | {OTHER}) or (
                    kinds[1] in DURATIONS and kinds[0] in DURATIONS | {OTHER}
                ):
                    pair = True
                    # ``elapsed > 0`` guards a division, it bounds nothing
                    evident = not any(
                        _is_zero(side) for side, kind in zip((right, left), kinds) if kind == ELAPSED
                    )
            if pair:
                uf.union(left, right)
                uf.union(node, left)
                if evident:
                    evidence.append(node)
            else:
                bad.update(side for side, kind in zip((left, right), kinds) if kind in POINTS)

    def _connect(self) -> List[Tuple[List[cst.Call], bool]]:
        uf = _UnionFind()
        evidence: List[Hashable] = []
        escapes: List[Hashable] = []
        bad: Set[cst.CSTNode] = set()
        for node in self.nodes:
            if isinstance(node, cst.Comparison):
                self._comparison(node, uf, evidence, bad)
        for node in self.nodes:
            if isinstance(node, (cst.Assign, cst.AnnAssign)) and node.value is not None:
                if self.kind(node.value) in TIMING:
                    targets = [t.target for t in node.targets] if isinstance(node, cst.Assign) else [node.target]
                    for target in targets:
                        if isinstance(target, cst.Name):
                            uf.union(("name", target.value), node.value)
            elif isinstance(node, cst.AugAssign) and isinstance(node.target, cst.Name):
                if self.kind(node.value) in TIMING:
                    uf.union(("name", node.target.value), node.value)
            elif isinstance(node, cst.Arg) and node.keyword is not None and "timeout" in node.keyword.value.lower():
                if self.kind(node.value) == REMAINING:
                    evidence.append(node.value)  # ``timeout=deadline - time.time()``
            if not isinstance(node, cst.BaseExpression):
                continue
            if isinstance(node, cst.Name) and not self._is_load(node):
                continue
            kind = self.kind(node)
            if kind not in TIMING:
                continue
            for child in self._flow_children(node):
                if self.kind(child) in TIMING:
                    uf.union(node, child)
            if isinstance(node, cst.Name):
                uf.union(node, ("name", node.value))
            elif isinstance(node, cst.NamedExpr) and isinstance(node.target, cst.Name):
                uf.union(node, ("name", node.target.value))
            elif isinstance(node, cst.BinaryOperation) and kind == REMAINING:
                if self.kind(node.left) in POINTS and self.kind(node.right) in POINTS:
                    evidence.append(node)  # deadline - time.time(): the time left
            if kind in POINTS and not self._contained(node, bad):
                escapes.append(node)
        module_level = not isinstance(self.root, (cst.FunctionDef, cst.Lambda))
        for name, kind in self.names.items():
            # other functions read module and class attributes: they escape
            if kind in POINTS and (module_level or name in self.captured):
                escapes.append(("name", name))
        evidenced = {uf.find(item) for item in evidence}
        escaped = {uf.find(item) for item in escapes}
        groups: Dict[Hashable, List[cst.Call]] = {}
        for node in self.nodes:
            if node in self.clocks:
                root = uf.find(node)
                if root in evidenced:
                    groups.setdefault(root, []).append(node)  # type: ignore[arg-type]
        return [(calls, root in escaped) for root, calls in groups.items()]


class WallClockTimeout(Rule):
    """
    ## What it does
    Checks for `time.time()` used to measure elapsed time or a deadline for a timeout:
    a deadline `time.time() + timeout` compared with a later `time.time()`, the time left
    `deadline - time.time()`, or an elapsed time `time.time() - start` compared with a
    limit or subtracted from a remaining budget.

    ## Why is this bad?
    `time.time()` reads the wall clock, and the wall clock jumps: NTP corrects it, an
    administrator or a virtual machine resume sets it, some systems follow daylight saving
    time. A jump forwards makes a timeout fire early (or at once); a jump backwards makes
    it wait for hours longer than it should, or forever in a polling loop.
    `time.monotonic()` never goes backwards and is not affected by system clock updates:
    it is the clock for timeouts (`threading`, `queue` and `asyncio` use it themselves).

    The rule reports only what it can see: the readings, their difference and the
    comparison or subtraction that turns it into a timeout, in one function (local names
    included). A duration that is only logged, printed or returned (`print(time.time() -
    start)`) is not a timeout and is not reported; a reading compared with an attribute
    or a parameter (`time.time() > self.deadline`), or with a file's modification time, is
    not known to be a timeout either.

    ## Example
    ```python
    import time

    def wait_ready(probe, timeout):
        deadline = time.time() + timeout
        while not probe():
            if time.time() > deadline:
                raise TimeoutError("not ready")
            time.sleep(0.1)
    ```

    ## Use instead
    ```python
    import time

    def wait_ready(probe, timeout):
        deadline = time.monotonic() + timeout
        while not probe():
            if time.monotonic() > deadline:
                raise TimeoutError("not ready")
            time.sleep(0.1)
    ```

    ## Fix safety
    The fix replaces every `time.time()` of the timeout with `time.monotonic()` (keeping
    the module alias; `from time import time` gets `from time import monotonic`). It is
    safe: all readings that meet move to the new clock together, so differences and
    comparisons keep their meaning, only the jumps are gone.

    It is offered only when each reading and each deadline is used solely in differences
    and comparisons with the others (or to build a deadline). When one escapes — it is
    stored on `self` or in a container, returned, passed to a call such as
    `datetime.fromtimestamp()`, or compared with a value of unknown origin — a monotonic
    reading would be meaningless there, and the finding is reported without a fix.

    ## References
    - [time.monotonic](https://docs.python.org/3/library/time.html#time.monotonic)
    - [time.time](https://docs.python.org/3/library/time.html#time.time)
    - [PEP 418 – Add monotonic time functions](https://peps.python.org/pep-0418/)
    """

    code = "TL402"
    name = "wall-clock-timeout"
    message = "`{call}` measures a timeout: the wall clock can jump; use `{replacement}`"
    fix_title = "Use `time.monotonic()`"
    fix_availability = FixAvailability.SOMETIMES
    applicability = Applicability.SAFE
    triggers = ("time",)

    VALID = [
        Valid("import time\nrecord = {'ts': time.time()}\n", why="a timestamp"),
        Valid("import time\n\ndef log_event(log):\n    log(time.time())\n", why="a timestamp"),
        Valid(
            "import time\n\ndef run(job):\n    start = time.time()\n    job()\n    print('took', time.time() - start)\n",
            why="a duration that is only printed bounds nothing",
        ),
        Valid(
            "import time\n\ndef timed(job):\n    start = time.time()\n    job()\n    return time.time() - start\n",
            why="a duration that is only returned",
        ),
        Valid(
            "import time\n\nclass Lease:\n    def expired(self):\n        return time.time() > self.deadline\n",
            why="self.deadline is set elsewhere: not known to be a wall-clock deadline",
        ),
        Valid(
            "import time\n\nclass Job:\n    def check(self, timeout):\n        if time.time() - self.start > timeout:\n"
            "            raise TimeoutError\n",
            why="self.start is set elsewhere",
        ),
        Valid(
            "import os\nimport time\n\ndef stale(path, max_age):\n    return time.time() - os.path.getmtime(path) > max_age\n",
            why="compared with a file time, a wall-clock timestamp",
        ),
        Valid(
            "import time\n\ndef old(entries, max_age):\n    cutoff = time.time() - max_age\n"
            "    return [e for e in entries if e.created < cutoff]\n",
            why="a cutoff compared with stored timestamps",
        ),
        Valid(
            "import time\n\ndef f(time):\n    start = time.time()\n    while time.time() - start < 5:\n        pass\n",
            why="time is a parameter, not the module",
        ),
        Valid(
            "from datetime import time\n\ndef f():\n    start = time()\n    while time() - start < 5:\n        pass\n",
            why="datetime.time",
        ),
        Valid(
            "import time\n\ndef f(start, timeout):\n    while time.time() - start < timeout:\n        pass\n",
            why="start is a parameter: not known to be a time.time() reading",
        ),
        Valid(
            "import time\n\ndef rate(n, job):\n    start = time.time()\n    job()\n    elapsed = time.time() - start\n"
            "    if elapsed > 0:\n        print(n / elapsed)\n",
            why="a zero check guards a division",
        ),
        Valid(
            "import time\n\ndef clock_skew(last):\n    now = time.time()\n    if now < time.time():\n        pass\n",
            why="reading against reading",
        ),
        Valid("import time\n\ndef f():\n    return time.monotonic() - time.monotonic() > 5\n", why="already monotonic"),
    ]
    INVALID = [
        Invalid(
            "import time\n\ndef wait(probe, timeout):\n    start = time.time()\n    while time.time() - start < timeout:\n"
            "        probe()\n",
            fixed="import time\n\ndef wait(probe, timeout):\n    start = time.monotonic()\n"
            "    while time.monotonic() - start < timeout:\n        probe()\n",
            expected=2,
        ),
        Invalid(
            "import time as t\n\ndef wait(probe, timeout):\n    deadline = t.time() + timeout\n"
            "    while not probe():\n        if t.time() >= deadline:\n            raise TimeoutError\n",
            fixed="import time as t\n\ndef wait(probe, timeout):\n    deadline = t.monotonic() + timeout\n"
            "    while not probe():\n        if t.monotonic() >= deadline:\n            raise TimeoutError\n",
            expected=2,
        ),
        Invalid(
            "from time import time\n\ndef left(timeout):\n    deadline = time() + timeout\n    return deadline - time()\n",
            fixed="from time import time\nfrom time import monotonic\n\ndef left(timeout):\n"
            "    deadline = monotonic() + timeout\n    return deadline - monotonic()\n",
            expected=2,
        ),
        Invalid(
            "import time\n\ndef phases(timeout):\n    remaining = timeout\n    start = time.time()\n    convert()\n"
            "    remaining -= time.time() - start\n    if remaining <= 0:\n        raise TimeoutError\n",
            fixed="import time\n\ndef phases(timeout):\n    remaining = timeout\n    start = time.monotonic()\n    convert()\n"
            "    remaining -= time.monotonic() - start\n    if remaining <= 0:\n        raise TimeoutError\n",
            expected=2,
        ),
        Invalid(
            "import time\n\ndef wait(self, timeout):\n    self.started = start = time.time()\n"
            "    while time.time() - start < timeout:\n        pass\n",
            expected=2,
            why="the reading is stored on self: no fix",
        ),
    ]

    def __init__(self, ctx: Any) -> None:
        super().__init__(ctx)
        # the body (function, lambda, class or module) -> its time.time() calls
        self._clocks: Dict[cst.CSTNode, Dict[cst.Call, Optional[cst.CSTNode]]] = {}

    def visit_Call(self, node: cst.Call) -> None:
        if node.args or self.ctx.qualified_name(node.func) != "time.time":
            return
        stack = self.ctx.stack
        body = next(n for n in reversed(stack[:-1]) if isinstance(n, (cst.Module,) + _NESTED_SCOPES))
        statement = next((n for n in reversed(stack) if isinstance(n, cst.SimpleStatementLine)), None)
        self._clocks.setdefault(body, {})[node] = statement

    def leave_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._finish(node)

    def leave_Lambda(self, node: cst.Lambda) -> None:
        self._finish(node)

    def leave_ClassDef(self, node: cst.ClassDef) -> None:
        self._finish(node)

    def leave_Module(self, node: cst.Module) -> None:
        self._finish(node)

    def _finish(self, body: cst.CSTNode) -> None:
        clocks = self._clocks.pop(body, None)
        if not clocks:
            return
        flow = ClockFlow(body, set(clocks), self._is_min_max)
        for calls, escapes in flow.components:
            fix = None if escapes else self._fix(calls)
            for call in calls:
                text = self.ctx.module.code_for_node(call.func)
                replacement = text[: -len("time")] + "monotonic" if isinstance(call.func, cst.Attribute) else "time.monotonic"
                message = self.message.format(call=f"{text}()", replacement=f"{replacement}()")
                # reported when the body is complete; the statement was noted on the way
                self.ctx.reports.append(PendingReport(self, call, clocks[call], message, fix, []))

    def _is_min_max(self, call: cst.Call) -> bool:
        return self.ctx.qualified_name(call.func) in ("builtins.min", "builtins.max")

    def _fix(self, calls: List[cst.Call]) -> Optional[PendingFix]:
        """One fix for the whole group: its readings must change clock together."""
        replacements: List[Tuple[cst.CSTNode, Union[cst.CSTNode, cst.RemovalSentinel]]] = []
        imports: List[ImportNeed] = []
        for call in calls:
            func = call.func
            if isinstance(func, cst.Attribute):
                replacements.append((func.attr, cst.Name("monotonic")))
                continue
            reference = self.ctx.reference("time", "monotonic")
            if reference is None:
                return None
            expression, need = reference
            replacements.append((func, expression))
            if need is not None:
                imports.append(need)
        return PendingFix(self.fix_title or "", Applicability.SAFE, replacements, imports)
