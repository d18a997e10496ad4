"""What the executor rules (TL102, TL103) need to know about one body — a function's, or the
module's — beyond the shared resolver: which calls make pools, where each name is bound and
read, and which expressions are the futures of a pool bound by ``with``.

All of it is syntax: a name counts as a pool or a future only where every binding of it in
the body says so. Anything not understood answers "unknown", which the rules read as "no
finding" (detection) or "no fix" (rewrites).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Callable, Dict, Iterator, List, Optional, Sequence, Set, Tuple

import libcst as cst

from timeoutlint.analysis.callargs import argument, has_star_args, has_star_kwargs, keyword

# Pool constructors (canonical qualified names) -> kind. "thread"/"process" are the
# concurrent.futures executors; "multiprocessing" pools are reported by TL102 but never
# rewritten (another API, and their ``__exit__`` terminates instead of waiting).
POOL_KINDS: Dict[str, str] = {
    "concurrent.futures.ThreadPoolExecutor": "thread",
    "concurrent.futures.ProcessPoolExecutor": "process",
    "multiprocessing.Pool": "multiprocessing",
    "multiprocessing.pool.Pool": "multiprocessing",
    "multiprocessing.pool.ThreadPool": "multiprocessing",
    "multiprocessing.dummy.Pool": "multiprocessing",
}
EXECUTOR_KINDS = ("thread", "process")
WAIT = "concurrent.futures.wait"
AS_COMPLETED = "concurrent.futures.as_completed"
ALL_COMPLETED = "concurrent.futures.ALL_COMPLETED"
# Builtins that exhaust the iterator they are given (``any``/``all`` may stop early).
EXHAUSTING = frozenset(
    f"builtins.{name}" for name in ("list", "tuple", "set", "frozenset", "sorted", "dict", "sum", "min", "max")
)

Resolve = Callable[[cst.CSTNode], Optional[str]]
_SCOPES = (cst.FunctionDef, cst.Lambda, cst.ClassDef)
_TARGET_HOLDERS = (cst.Element, cst.StarredElement, cst.Tuple, cst.List)


class BodyIndex:
    """Parents of every node under ``root`` and the occurrences of each name in root's own
    scope (comprehensions included); names used by nested functions, lambdas and classes
    are only collected in ``nested``."""

    def __init__(self, root: cst.CSTNode) -> None:
        self.root = root
        self.parent: Dict[cst.CSTNode, cst.CSTNode] = {}
        self.names: Dict[str, List[cst.Name]] = defaultdict(list)
        self.nested: Set[str] = set()
        self.declared: Set[str] = set()  # global / nonlocal
        self.yields = False
        starts: List[cst.CSTNode] = []
        if isinstance(root, cst.FunctionDef):
            starts = [root.params, root.body]
        elif isinstance(root, cst.Module):
            starts = list(root.body)
        for start in starts:
            self.parent[start] = root
        stack: List[Tuple[cst.CSTNode, bool]] = [(start, False) for start in reversed(starts)]
        while stack:
            node, nested = stack.pop()
            if isinstance(node, cst.Name):
                (self.nested.add(node.value) if nested else self.names[node.value].append(node))
            elif isinstance(node, (cst.Global, cst.Nonlocal)) and not nested:
                self.declared.update(item.name.value for item in node.names)
            elif isinstance(node, cst.Yield) and not nested:
                self.yields = True
            inner = nested or isinstance(node, _SCOPES)
            for child in node.children:
                self.parent[child] = node
                stack.append((child, inner))

    # -- occurrences ----------------------------------------------------------------------

    def role(self, name: cst.Name) -> str:
        """"store", "load", "declare" or "other" (an attribute or keyword name)."""
        parent = self.parent.get(name)
        if isinstance(parent, cst.Attribute):
            return "load" if name is parent.value else "other"
        if isinstance(parent, cst.Arg):
            return "load" if name is parent.value else "other"
        if isinstance(parent, (cst.ImportAlias, cst.ImportFrom)):
            return "store"
        if isinstance(parent, cst.NameItem):
            return "declare"
        if isinstance(parent, (cst.AssignTarget, cst.AsName, cst.Param, cst.FunctionDef, cst.ClassDef, cst.Del)):
            return "store"
        if isinstance(parent, (cst.AnnAssign, cst.AugAssign, cst.NamedExpr, cst.For, cst.CompFor)):
            return "store" if name is parent.target else "load"
        if isinstance(parent, _TARGET_HOLDERS):
            node: cst.CSTNode = name
            while isinstance(parent, _TARGET_HOLDERS):
                node, parent = parent, self.parent.get(parent)
            if isinstance(parent, (cst.AssignTarget, cst.AsName, cst.Del)):
                return "store"
            if isinstance(parent, (cst.For, cst.CompFor)) and node is parent.target:
                return "store"
        return "load"

    def occurrences(self, name: str, role: str) -> List[cst.Name]:
        return [node for node in self.names.get(name, ()) if self.role(node) == role]

    def is_local_only(self, name: str) -> bool:
        """The name is not declared global/nonlocal and no nested scope reads it."""
        return name not in self.declared and name not in self.nested

    # -- tree helpers ---------------------------------------------------------------------

    def ancestors(self, node: cst.CSTNode) -> Iterator[cst.CSTNode]:
        parent = self.parent.get(node)
        while parent is not None:
            yield parent
            parent = self.parent.get(parent)

    def is_within(self, node: cst.CSTNode, ancestor: cst.CSTNode) -> bool:
        return node is ancestor or any(parent is ancestor for parent in self.ancestors(node))

    def binding_value(self, store: cst.Name) -> Optional[cst.BaseExpression]:
        """The value of ``name = value`` / ``name := value`` for a plain single-target store."""
        parent = self.parent.get(store)
        if isinstance(parent, cst.AssignTarget):
            assign = self.parent.get(parent)
            if isinstance(assign, cst.Assign) and len(assign.targets) == 1:
                return assign.value
        if isinstance(parent, cst.NamedExpr) and store is parent.target:
            return parent.value
        if isinstance(parent, cst.AnnAssign) and store is parent.target:
            return parent.value
        return None

    def loop_source(self, store: cst.Name) -> Optional[cst.BaseExpression]:
        """What ``for name in <source>`` (statement or comprehension) iterates over."""
        parent = self.parent.get(store)
        if isinstance(parent, (cst.For, cst.CompFor)) and store is parent.target:
            return parent.iter
        return None


def pool_kind(resolve: Resolve, node: cst.CSTNode) -> Optional[str]:
    if isinstance(node, cst.Call):
        return POOL_KINDS.get(resolve(node.func) or "")
    return None


def method_call(index: BodyIndex, name: cst.Name, methods: Sequence[str]) -> Optional[cst.Call]:
    """The call ``name.method(...)`` when ``name`` is the receiver of one of ``methods``."""
    attribute = index.parent.get(name)
    if isinstance(attribute, cst.Attribute) and attribute.value is name and attribute.attr.value in methods:
        call = index.parent.get(attribute)
        if isinstance(call, cst.Call) and call.func is attribute:
            return call
    return None


def receiver_name(call: cst.Call, method: str) -> Optional[str]:
    """``x`` for ``x.<method>(...)``."""
    func = call.func
    if isinstance(func, cst.Attribute) and func.attr.value == method and isinstance(func.value, cst.Name):
        return func.value.value
    return None


def is_none(node: Optional[cst.CSTNode]) -> bool:
    return isinstance(node, cst.Name) and node.value == "None"


# -- the futures of a pool ----------------------------------------------------------------------


class PoolFutures:
    """The futures of the pool bound by ``with <Pool>(...) as <name>:`` in ``index``'s body."""

    def __init__(self, index: BodyIndex, block: cst.With, name: str) -> None:
        self.index = index
        self.block = block
        self.name = name

    def is_submit(self, node: cst.CSTNode) -> bool:
        """``<pool>.submit(...)`` inside the block."""
        return (
            isinstance(node, cst.Call)
            and receiver_name(node, "submit") == self.name
            and self.index.is_within(node, self.block.body)
        )

    def is_future(self, node: cst.CSTNode) -> bool:
        """``node`` is known to be a future of the pool: a submit, a name every binding of
        which is one, or the variable of a loop over a collection of them (not over
        ``as_completed`` or a ``wait`` result: those futures are already done)."""
        if self.is_submit(node):
            return True
        if not isinstance(node, cst.Name) or not self.index.is_local_only(node.value):
            return False
        stores = self.index.occurrences(node.value, "store")
        if not stores:
            return False
        values = [self.index.binding_value(store) for store in stores]
        if all(value is not None and self.is_submit(value) for value in values):
            return True
        if len(stores) == 1:
            source = self.index.loop_source(stores[0])
            return source is not None and self.is_collection(source)
        return False

    def is_collection(self, node: cst.CSTNode) -> bool:
        """A collection holding futures of the pool (and nothing else that is known)."""
        if isinstance(node, (cst.ListComp, cst.SetComp)):
            return self.is_submit(node.elt)
        if isinstance(node, cst.DictComp):
            return self.is_submit(node.key)
        if isinstance(node, (cst.List, cst.Set, cst.Tuple)):
            return bool(node.elements) and all(
                not isinstance(element, cst.StarredElement) and self.is_future(element.value) for element in node.elements
            )
        if isinstance(node, cst.Name):
            return self.collection_additions(node.value) is not None
        return False

    def collection_additions(self, name: str) -> Optional[List[cst.Call]]:
        """The submits that went into the collection ``name``: it is bound once, to a
        comprehension of submits or to an empty container that only receives submits
        (``append``, ``add``, ``futures[submit] = ...``). None when not such a collection."""
        index = self.index
        if not index.is_local_only(name):
            return None
        stores = index.occurrences(name, "store")
        if len(stores) != 1:
            return None
        value = index.binding_value(stores[0])
        if isinstance(value, (cst.ListComp, cst.SetComp)) and self.is_submit(value.elt):
            return [value.elt]  # type: ignore[list-item]
        if isinstance(value, cst.DictComp) and self.is_submit(value.key):
            return [value.key]  # type: ignore[list-item]
        if not _is_empty_container(value):
            return None
        added: List[cst.Call] = []
        for load in index.occurrences(name, "load"):
            call = method_call(index, load, ("append", "add"))
            if call is not None:
                args = call.args
                if len(args) == 1 and not args[0].star and args[0].keyword is None and self.is_submit(args[0].value):
                    added.append(args[0].value)  # type: ignore[arg-type]
                    continue
                return None
            subscript = index.parent.get(load)
            if isinstance(subscript, cst.Subscript) and _is_store_target(index, subscript):
                key = subscript.slice[0].slice if len(subscript.slice) == 1 else None
                if isinstance(key, cst.Index) and self.is_submit(key.value):
                    added.append(key.value)  # type: ignore[arg-type]
                    continue
                return None
        return added or None


def _is_empty_container(value: Optional[cst.CSTNode]) -> bool:
    if isinstance(value, (cst.List, cst.Dict)):
        return not value.elements
    return isinstance(value, cst.Call) and isinstance(value.func, cst.Name) and value.func.value in ("set", "dict", "list") and not value.args


def _is_store_target(index: BodyIndex, node: cst.CSTNode) -> bool:
    parent = index.parent.get(node)
    return isinstance(parent, cst.AssignTarget)


def walk(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """Every node under ``node`` outside nested functions, lambdas and classes."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        if current is not node and isinstance(current, _SCOPES):
            continue
        stack.extend(current.children)


# -- shared argument checks -----------------------------------------------------------------------


def constructor_size(call: cst.Call) -> Tuple[bool, Optional[cst.BaseExpression]]:
    """(the constructor takes nothing but an optional literal ``max_workers`` above 1, that value)."""
    if has_star_args(call) or has_star_kwargs(call):
        return False, None
    args = list(call.args)
    size = argument(call, "max_workers", 0)
    others = [arg for arg in args if arg is not size]
    if others:
        return False, None
    if size is None:
        return True, None
    if isinstance(size.value, cst.Integer) and size.value.evaluated_value > 1:
        return True, size.value
    # A size computed per call would ask one shared name for several sizes; and one worker
    # per call (tasks of a call in order, calls side by side) is not one worker for all.
    return False, None


def submit_parts(submit: cst.Call) -> Optional[Sequence[cst.Arg]]:
    """The arguments of ``ex.submit(fn, ...)`` when they can be handed to
    ``run_with_timeout(fn, ..., timeout=T)`` unchanged: a plain ``fn`` first, no
    ``**kwargs`` and no ``timeout=`` of its own (run_with_timeout would consume it)."""
    args = submit.args
    if not args or args[0].star or args[0].keyword is not None:
        return None
    if has_star_kwargs(submit) or keyword(submit, "timeout") is not None:
        return None
    return args


def timeout_argument(call: cst.Call) -> Optional[cst.Arg]:
    """The timeout of ``fut.result(...)``/``fut.exception(...)``."""
    if has_star_args(call) or has_star_kwargs(call):
        return None
    found = argument(call, "timeout", 0)
    if found is None or len(call.args) != 1:
        return None
    return found
