"""Where the readings of ``time.time()`` go within one function: the value-flow analysis
behind TL402 (and a basis for the other budget rules).

Every expression of the body gets a *kind*: a reading of the clock, a deadline (a reading
plus a duration), an elapsed time (reading minus reading), the time remaining, or
"other" (not known to come from the clock). Local names take the join of everything
assigned to them. Readings whose values meet in a difference or a comparison form a group;
a group is a timeout when a comparison or the time left shows it, and it can move to
another clock only when none of its instants escapes the arithmetic.
"""

from __future__ import annotations

import dataclasses
from typing import Callable, Dict, Hashable, List, Optional, Sequence, Set, Tuple, Union

import libcst as cst

from timeoutlint.analysis.bindings import assigned_names
from timeoutlint.rules.budgets._nested_names import GLOBAL, nested_keys

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

# Calls that read an instant as a wall-clock timestamp: a group using one is not a timeout.
_STAMP_FUNCTIONS = frozenset({"str", "repr", "format", "int", "round"})
_STAMP_METHODS = frozenset({"fromtimestamp", "utcfromtimestamp", "localtime", "gmtime", "ctime", "strftime", "isoformat"})
_Kind = Optional[str]  # None: not computed yet (the bottom of the lattice)
NESTED_SCOPES = (cst.FunctionDef, cst.ClassDef, cst.Lambda)
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


# Fields that hold only whitespace and punctuation: never walked (``node.children`` would
# rebuild every node, several times the cost of this walk).
_PUNCTUATION_FIELDS = frozenset(
    (
        "lpar rpar comma leading_lines lines_after_decorators header footer semicolon equal colon dot"
        " lbracket rbracket lbrace rbrace operator asynchronous star newline trailing_whitespace"
    ).split()
)
_CHILD_FIELDS: Dict[type, Tuple[str, ...]] = {}


def _children(node: cst.CSTNode) -> List[cst.CSTNode]:
    fields = _CHILD_FIELDS.get(type(node))
    if fields is None:
        fields = tuple(
            f.name
            for f in dataclasses.fields(node)
            if f.name not in _PUNCTUATION_FIELDS and not f.name.startswith("whitespace")
        )
        _CHILD_FIELDS[type(node)] = fields
    children: List[cst.CSTNode] = []
    for name in fields:
        value = getattr(node, name)
        if isinstance(value, cst.CSTNode):
            children.append(value)
        elif isinstance(value, (list, tuple)):
            children.extend(item for item in value if isinstance(item, cst.CSTNode))
    return children


def attribute_key(node: cst.CSTNode) -> Optional[str]:
    """``"self._remaining"`` for the attribute ``self._remaining`` of a plain name."""
    if isinstance(node, cst.Attribute) and isinstance(node.value, cst.Name):
        return f"{node.value.value}.{node.attr.value}"
    return None


def is_zero(node: cst.CSTNode) -> bool:
    return isinstance(node, (cst.Integer, cst.Float)) and node.evaluated_value == 0


class _UnionFind:
    def __init__(self) -> None:
        self.parent: Dict[Hashable, Hashable] = {}

    def find(self, item: Hashable) -> Hashable:
        root = item
        while root in self.parent:
            root = self.parent[root]
        while item in self.parent:  # path compression
            self.parent[item], item = root, self.parent[item]
        return root

    def union(self, a: Hashable, b: Hashable) -> None:
        root_a, root_b = self.find(a), self.find(b)
        if root_a != root_b:
            self.parent[root_a] = root_b


def flow_root(stack: Sequence[cst.CSTNode]) -> cst.CSTNode:
    """The body whose flow a node on ``stack`` belongs to: the outermost of the functions
    nested in one another around it (a function reads its nested functions), else the
    class body or module."""
    for index in range(len(stack) - 1, -1, -1):
        if isinstance(stack[index], (cst.Module, cst.ClassDef)):
            return next((n for n in stack[index + 1 :] if isinstance(n, (cst.FunctionDef, cst.Lambda))), stack[index])
    return stack[0]


class ClockFlow:
    """Where the values of the ``time.time()`` calls of one body go (nested functions,
    classes and lambdas are other bodies). Flow-insensitive: a local name has the join of
    the kinds of everything assigned to it anywhere in the body.

    After construction, ``components`` lists the groups of calls whose values meet (a
    difference or comparison joins them) and that carry evidence of a timeout, each with
    whether one of its instants escapes (then the group cannot move to another clock).
    """

    def __init__(self, root: cst.CSTNode, clocks: Set[cst.Call], is_min_max: Callable[[cst.Call], bool]) -> None:
        self.root = root
        self.clocks = clocks
        self.is_min_max = is_min_max  # whether a call is the builtin min() or max()
        self.parent: Dict[cst.CSTNode, cst.CSTNode] = {}
        self.nodes: List[cst.CSTNode] = []
        self.assigned: Dict[str, List[Union[cst.BaseExpression, cst.AugAssign]]] = {}
        self.opaque: Set[str] = set()  # bound some other way: a parameter, a for target...
        self.forced_top: Set[str] = set()  # global, nonlocal, del
        self.captured: Set[str] = set()  # mentioned by a nested class (or function, in a class body)
        # A function's flow reads its nested functions and lambdas too: their nodes, the
        # keys of the names local to them, and the enclosing names they read.
        self.inner: Set[cst.CSTNode] = set()
        self.keys: Dict[cst.Name, str] = {}
        self.nested_reads: Set[str] = set()
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
        merge = isinstance(root, (cst.FunctionDef, cst.Lambda))
        stack: List[cst.CSTNode] = [start]
        while stack:
            node = stack.pop()
            inner = node in self.inner
            if isinstance(node, NESTED_SCOPES):
                if not (merge and isinstance(node, (cst.FunctionDef, cst.Lambda))):
                    self._nested(node)
                    continue
                if not inner:
                    self.keys.update(nested_keys([node]))
                self._enter(node)
                inner = True
            elif inner and isinstance(node, cst.Name) and node not in self.keys:
                self.nested_reads.add(node.value)
            self._bindings(node)
            self.nodes.append(node)
            children = _children(node)
            for child in children:
                self.parent[child] = node
            if inner:
                self.inner.update(children)
            stack.extend(reversed(children))

    def key(self, name: cst.Name) -> str:
        """The variable ``name`` is (``<N>x`` for a name local to a nested function)."""
        return self.keys.get(name, name.value)

    def _keys_of(self, target: cst.CSTNode) -> List[str]:
        if isinstance(target, cst.Name):
            return [self.key(target)]
        if isinstance(target, (cst.Tuple, cst.List)):
            return [key for element in target.elements for key in self._keys_of(element.value)]
        if isinstance(target, cst.StarredElement):
            return self._keys_of(target.value)
        return []

    def _enter(self, function: Union[cst.FunctionDef, cst.Lambda]) -> None:
        """A nested function binds its name where it is defined, its parameters inside."""
        if isinstance(function, cst.FunctionDef):
            self.opaque.add(self.key(function.name))
        params = function.params
        for param in (*params.posonly_params, *params.params, *params.kwonly_params):
            self.opaque.add(self.key(param.name))
        for star in (params.star_arg, params.star_kwarg):
            if isinstance(star, cst.Param):
                self.opaque.add(self.key(star.name))

    def _nested(self, node: cst.CSTNode) -> None:
        if isinstance(node, (cst.FunctionDef, cst.ClassDef)):
            self.opaque.add(self.key(node.name))
        stack = [node]
        while stack:
            inner = stack.pop()
            if isinstance(inner, cst.Name):
                self.captured.add(inner.value)
            elif isinstance(inner, (cst.Global, cst.Nonlocal)):
                self.forced_top.update(item.name.value for item in inner.names)
            stack.extend(_children(inner))

    def _bind(self, target: cst.CSTNode, value: Union[cst.BaseExpression, cst.AugAssign]) -> None:
        if isinstance(target, cst.Name):
            self.assigned.setdefault(self.key(target), []).append(value)
            return
        key = attribute_key(target)
        if key is not None:  # ``self._remaining -= elapsed``: other code assigns it too
            self.assigned.setdefault(key, []).append(value)
            self.opaque.add(key)
        else:
            self.opaque.update(self._keys_of(target))

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
            self.opaque.update(self._keys_of(node.target))
        elif isinstance(node, cst.AsName):  # with ... as, except ... as, import ... as
            self.opaque.update(self._keys_of(node.name))
        elif isinstance(node, cst.ImportAlias) and node.asname is None:
            name: cst.BaseExpression = node.name
            while isinstance(name, cst.Attribute):
                name = name.value
            self.opaque.update(self._keys_of(name))
        elif isinstance(node, cst.Global):
            inner = node in self.inner
            self.forced_top.update((GLOBAL if inner else "") + item.name.value for item in node.names)
        elif isinstance(node, cst.Nonlocal):
            if node not in self.inner:  # inside a nested function it names our variable
                self.forced_top.update(item.name.value for item in node.names)
        elif isinstance(node, cst.Del):
            self.forced_top.update(self._keys_of(node.target))
        elif isinstance(node, (cst.MatchAs, cst.MatchStar)) and node.name is not None:
            self.opaque.add(self.key(node.name))
        elif isinstance(node, cst.MatchMapping) and node.rest is not None:
            self.opaque.add(self.key(node.rest))

    # -- kinds --------------------------------------------------------------------------

    def _infer(self) -> None:
        self.names = {name: None for name in self.assigned}
        # ``x.attr`` is one value only while ``x`` is: not when the body rebinds ``x``
        rebound = {name for name in self.assigned if "." in name and name.partition(".")[0] in self.assigned}
        for _ in range(12):
            self._memo = {}
            changed = False
            for name, values in self.assigned.items():
                kind: _Kind = TOP if name in self.forced_top or name in rebound else (OTHER if name in self.opaque else None)
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
            key = self.key(value.target) if isinstance(value.target, cst.Name) else attribute_key(value.target)
            assert key is not None
            return _binop(value.operator, self.names[key], self.kind(value.value))
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
            key = self.key(node)
            if key in self.names:
                return self.names[key]
            return TOP if key in self.forced_top else OTHER
        if isinstance(node, cst.BinaryOperation):
            return _binop(node.operator, self.kind(node.left), self.kind(node.right))
        if isinstance(node, cst.Attribute):
            key = attribute_key(node)
            return self.names.get(key, OTHER) if key is not None else OTHER  # type: ignore[arg-type]
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

    def is_load(self, name: cst.Name) -> bool:
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
            return self.names.get(self.key(parent.target)) == kind if isinstance(parent.target, cst.Name) else False
        if isinstance(parent, cst.Arg):
            call = self.parent.get(parent)
            return isinstance(call, cst.Call) and self._flow_children(call) != () and self.kind(call) in POINTS
        if isinstance(parent, (cst.Comparison, cst.ComparisonTarget)):
            return node not in bad_operands
        if isinstance(parent, cst.Assign):
            return all(isinstance(t.target, cst.Name) and self.names.get(self.key(t.target)) == kind for t in parent.targets)
        if isinstance(parent, cst.AnnAssign):
            return isinstance(parent.target, cst.Name) and self.names.get(self.key(parent.target)) == kind
        return self._in_test(node)

    def _as_timestamp(self, node: cst.CSTNode) -> bool:
        """An instant formatted into a string or converted to a date (``str(t + 2)``,
        ``f"{deadline}"``, ``datetime.fromtimestamp(t)``, ``time.localtime(t)``), directly
        or through arithmetic assigned to a name used so (``stamp = t - 1; str(stamp)``)."""
        top = node
        while isinstance(self.parent.get(top), (cst.BinaryOperation, cst.UnaryOperation)):
            top = self.parent[top]
        if self._stamp_context(top):
            return True
        assign = self.parent.get(top)
        if isinstance(assign, cst.Assign) and len(assign.targets) == 1 and isinstance(assign.targets[0].target, cst.Name):
            key = self.key(assign.targets[0].target)
            return any(
                isinstance(other, cst.Name) and self.key(other) == key and self.is_load(other) and self._stamp_context(other)
                for other in self.nodes
            )
        return False

    def _stamp_context(self, node: cst.CSTNode) -> bool:
        parent = self.parent.get(node)
        if isinstance(parent, cst.FormattedStringExpression):
            return True
        call = self.parent.get(parent) if isinstance(parent, cst.Arg) else None
        if not isinstance(call, cst.Call):
            return False
        func = call.func
        if isinstance(func, cst.Name):
            return func.value in _STAMP_FUNCTIONS
        return isinstance(func, cst.Attribute) and func.attr.value in _STAMP_METHODS

    def _bounds(self, comparison: cst.Comparison) -> bool:
        """Whether the comparison bounds something: a loop's condition, an ``assert``, an
        ``if`` that leaves (``break``, ``return``, ``raise``) or stops something
        (``cancel()``, ``kill()``...), or a value used further on. An ``if`` that only
        logs, prints or updates a progress display throttles output: no timeout."""
        child, parent = comparison, self.parent.get(comparison)
        while isinstance(parent, (cst.BooleanOperation, cst.UnaryOperation)):
            child, parent = parent, self.parent.get(parent)
        if not (isinstance(parent, cst.If) and child is parent.test):
            return True
        return _leaves_or_stops(parent.body) or (parent.orelse is not None and _leaves_or_stops(parent.orelse))

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
                        is_zero(side) for side, kind in zip((right, left), kinds) if kind == ELAPSED
                    )
            if pair:
                uf.union(left, right)
                uf.union(node, left)
                if evident and self._bounds(node):
                    evidence.append(node)
            else:
                bad.update(side for side, kind in zip((left, right), kinds) if kind in POINTS)

    def _connect(self) -> List[Tuple[List[cst.Call], bool]]:
        uf = _UnionFind()
        evidence: List[Hashable] = []
        escapes: List[Hashable] = []
        stamps: List[Hashable] = []  # instants used as wall-clock timestamps
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
                            uf.union(("name", self.key(target)), node.value)
            elif isinstance(node, cst.AugAssign):
                key = self.key(node.target) if isinstance(node.target, cst.Name) else attribute_key(node.target)
                if key is not None and self.kind(node.value) in TIMING:
                    uf.union(("name", key), node.value)
            elif isinstance(node, cst.Arg) and node.keyword is not None and "timeout" in node.keyword.value.lower():
                if self.kind(node.value) == REMAINING:
                    evidence.append(node.value)  # ``timeout=deadline - time.time()``
            if not isinstance(node, cst.BaseExpression):
                continue
            if isinstance(node, cst.Name) and not self.is_load(node):
                continue
            kind = self.kind(node)
            if kind not in TIMING:
                continue
            for child in self._flow_children(node):
                if self.kind(child) in TIMING:
                    uf.union(node, child)
            if isinstance(node, cst.Name):
                uf.union(node, ("name", self.key(node)))
            elif isinstance(node, cst.Attribute) and (key := attribute_key(node)) in self.names:
                uf.union(node, ("name", key))
            elif isinstance(node, cst.NamedExpr) and isinstance(node.target, cst.Name):
                uf.union(node, ("name", self.key(node.target)))
            elif isinstance(node, cst.BinaryOperation) and kind == REMAINING:
                if self.kind(node.left) in POINTS and self.kind(node.right) in POINTS:
                    evidence.append(node)  # deadline - time.time(): the time left
            if kind in POINTS and not self._contained(node, bad):
                escapes.append(node)
                if self._as_timestamp(node):
                    stamps.append(node)
        module_level = not isinstance(self.root, (cst.FunctionDef, cst.Lambda))
        for name, kind in self.names.items():
            # other functions read module and class attributes: they escape
            if kind in POINTS and (module_level or name in self.captured or "." in name or name.startswith(GLOBAL)):
                escapes.append(("name", name))
        evidenced = {uf.find(item) for item in evidence}
        escaped = {uf.find(item) for item in escapes}
        # a group one of whose instants is passed on or formatted as a timestamp
        # (``str(t + 2)`` sent to a server, ``datetime.fromtimestamp(deadline)``) needs
        # the wall clock: its durations are measurements of a timestamp, not a timeout
        evidenced -= {uf.find(item) for item in stamps}
        groups: Dict[Hashable, List[cst.Call]] = {}
        for node in self.nodes:
            if node in self.clocks:
                root = uf.find(node)
                if root in evidenced:
                    groups.setdefault(root, []).append(node)  # type: ignore[arg-type]
        return [(calls, root in escaped) for root, calls in groups.items()]


_STOP_WORDS = ("cancel", "kill", "terminate", "abort", "stop", "timeout", "timed_out", "expire", "interrupt", "shutdown")


def _leaves_or_stops(block: cst.CSTNode) -> bool:
    """``block`` (not the functions it defines) breaks, returns, raises or calls something
    that stops work (``task.cancel()``, ``proc.kill()``, ``on_timeout()``)."""
    stack: List[cst.CSTNode] = [block]
    while stack:
        node = stack.pop()
        if isinstance(node, (cst.Break, cst.Return, cst.Raise)):
            return True
        if isinstance(node, cst.Call):
            func = node.func
            name = func.attr.value if isinstance(func, cst.Attribute) else func.value if isinstance(func, cst.Name) else ""
            if any(word in name.lower() for word in _STOP_WORDS):
                return True
        if isinstance(node, (cst.FunctionDef, cst.Lambda, cst.ClassDef)):
            continue
        stack.extend(node.children)
    return False
