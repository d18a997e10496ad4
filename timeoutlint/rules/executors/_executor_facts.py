"""The per-file facts TL101 (nested-executor) records in the shared pass.

For every function, method, nested function and lambda of the file: the calls it makes, as
references the project pass can resolve (``callgraph.Project.resolve``); the executors it
creates and the futures it blocks on (the *sites* a finding is reported at); and, anywhere in
the file, what is submitted to an executor (the *entries*: ``ex.submit(fn)``, ``ex.map(fn)``,
``loop.run_in_executor(ex, fn)``). Classes add their bases and the attributes holding a
pool (or, by a type only other modules can tell, maybe one); the module adds its
module-level imports (re-exports), and the resolver its type facts (``types``).

Everything is known through import resolution and local inference only; a call whose target
is unknown is simply not recorded. Pools and futures get an *identity* when it is stable
across functions, so that blocking on a future of the very pool a task runs on (starvation)
can be told apart: ``pkg.mod.POOL`` (module level), ``attr:pkg.mod.Class.pool`` (``self.pool``),
``local:<function>.<name>`` (a pool bound in a function), ``shared:<name>`` (the managed pool).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Set, Tuple, Union

import libcst as cst

from timeoutlint.analysis import types as T
from timeoutlint.analysis.callargs import argument
from timeoutlint.analysis.bindings import Scope
from timeoutlint.analysis.known import CONTEXT, EXECUTOR_TYPES, FUTURE, PARTIAL, PROCESS_POOL, THREAD_POOL, is_library_name

if TYPE_CHECKING:
    from timeoutlint.context import FileContext

EXECUTOR_CONSTRUCTORS = {THREAD_POOL: "ThreadPoolExecutor", PROCESS_POOL: "ProcessPoolExecutor"}
WAIT = "concurrent.futures.wait"
AS_COMPLETED = "concurrent.futures.as_completed"
# Builtins that exhaust the iterator they are given: ``list(ex.map(...))`` waits for all.
EXHAUSTING = frozenset(
    f"builtins.{name}" for name in ("list", "tuple", "set", "frozenset", "sorted", "dict", "sum", "min", "max")
)
_FRAMES = (cst.FunctionDef, cst.Lambda)
_COMPREHENSIONS = (cst.ListComp, cst.SetComp, cst.GeneratorExp, cst.DictComp)

Node = cst.CSTNode


@dataclass
class Frame:
    """A function, lambda or class body being visited."""

    kind: str  # "function" | "lambda" | "class"
    qualname: str
    node: Node
    class_qualname: Optional[str] = None  # methods: the class they belong to
    self_name: Optional[str] = None  # methods: the name of ``self``/``cls``
    params: Set[str] = field(default_factory=set)
    nested: Dict[str, str] = field(default_factory=dict)  # nested def name -> qualname
    futures: Dict[str, Optional[str]] = field(default_factory=dict)  # name -> pool identity
    shared: Dict[str, str] = field(default_factory=dict)  # name -> "shared:<name>"
    calls: Dict[str, List[Any]] = field(default_factory=dict)  # ref -> resolver dependencies
    callables: Dict[str, str] = field(default_factory=dict)  # local name -> the ref it runs (partial, bound method)


@dataclass
class Site:
    function: str
    kind: str  # "create" | "block"
    what: str
    pool: Optional[str]
    node: Node
    statement: Optional[Node]
    dependencies: List[Any]


@dataclass
class Entry:
    callable: str
    via: str  # "submit" | "map" | "run_in_executor"
    pool: Optional[str]
    node: Node
    dependencies: List[Any]


class FactCollector:
    """Builds the facts while the engine walks the file (driven by the TL101 rule)."""

    def __init__(self, ctx: FileContext) -> None:
        self.ctx = ctx
        module_name = ctx.resolver.module_name
        self.enabled = bool(module_name)
        self.raw_module = module_name or ""
        # A package's ``__init__`` defines names under the package itself.
        self.module = self.raw_module[: -len(".__init__")] if self.raw_module.endswith(".__init__") else self.raw_module
        self.top = self.module.split(".")[0]
        self.frames: List[Frame] = []
        self.by_node: Dict[int, Frame] = {}
        self.functions: Dict[str, Frame] = {}
        self.classes: Dict[str, Dict[str, Any]] = {}
        self.class_scopes: Dict[str, Scope] = {}
        self.sites: List[Site] = []
        self.entries: List[Entry] = []
        self.lambdas: Dict[int, str] = {}
        self.lambda_count = 0
        self.comp_futures: Dict[int, Dict[str, Optional[str]]] = {}  # comprehension -> its futures
        self.submitted: Set[int] = set()  # lambdas that are entries, not calls of their parent
        self.module_shared: Dict[str, str] = {}
        self.shared_executor = f"{ctx.settings.executor_import}.shared_executor"
        self.imports: Dict[str, str] = {}
        if self.enabled:
            for name, binding in ctx.resolver.scopes[0].names.items():
                if binding.qualname and binding.qualname != "<ambiguous>" and self._worth(binding.qualname):
                    self.imports[name] = binding.qualname

    # -- names ------------------------------------------------------------------------

    def norm(self, qualname: str) -> str:
        if self.raw_module != self.module and (qualname == self.raw_module or qualname.startswith(self.raw_module + ".")):
            return self.module + qualname[len(self.raw_module) :]
        return qualname

    def _worth(self, qualname: str) -> bool:
        """Could ``qualname`` be defined in the project? (Builtins and the stdlib are not.)"""
        return not is_library_name(qualname, self.top)

    def function_frame(self) -> Optional[Frame]:
        """The function or lambda being visited (None at module level and in class bodies)."""
        frame = self.frames[-1] if self.frames else None
        return frame if frame is not None and frame.kind != "class" else None

    def _child_qualname(self, name: str) -> str:
        parent = self.frames[-1] if self.frames else None
        if parent is None:
            return f"{self.module}.{name}"
        if parent.kind == "class":
            return f"{parent.qualname}.{name}"
        return f"{parent.qualname}.<locals>.{name}"

    def lambda_name(self, node: cst.Lambda) -> str:
        key = self.lambdas.get(id(node))
        if key is None:
            self.lambda_count += 1
            parent = self.function_frame()
            base = parent.qualname if parent is not None else self.module
            key = self.lambdas[id(node)] = f"{base}.<lambda#{self.lambda_count}>"
        return key

    # -- frames -----------------------------------------------------------------------

    def enter_class(self, node: cst.ClassDef) -> None:
        qualname = self._child_qualname(node.name.value)
        bases = []
        for arg in node.bases:
            if arg.keyword is None:
                base = self.ctx.qualified_name(arg.value)
                if base and base != "builtins.object":
                    bases.append(self.norm(base))
        self.classes[qualname] = {"bases": bases, "pools": []}
        self.class_scopes[qualname] = self.ctx.resolver.scope
        self.frames.append(Frame("class", qualname, node))

    def leave_class(self, scope: Scope) -> None:
        frame = self.frames.pop()
        info = self.classes[frame.qualname]
        for attr, attr_type in scope.stable_attrs().items():
            resolved = self.ctx.resolver.resolve(attr_type)
            if resolved in EXECUTOR_TYPES:
                info["pools"].append(attr)
            elif resolved is not None and T.is_deferred(resolved):
                info.setdefault("maybe_pools", {})[attr] = resolved

    def enter_function(self, node: Union[cst.FunctionDef, cst.Lambda]) -> None:
        parent = self.frames[-1] if self.frames else None
        if isinstance(node, cst.Lambda):
            qualname = self.lambda_name(node)
            frame = Frame("lambda", qualname, node)
            enclosing = self.function_frame()
            if enclosing is not None and id(node) not in self.submitted:
                enclosing.calls.setdefault(qualname, [])  # a lambda is called by what it is passed to
        else:
            qualname = self._child_qualname(node.name.value)
            frame = Frame("function", qualname, node)
            if parent is not None and parent.kind != "class":
                parent.nested[node.name.value] = qualname
            positional = list(node.params.posonly_params) + list(node.params.params)
            decorators = {self.ctx.qualified_name(d.decorator) for d in node.decorators}
            if parent is not None and parent.kind == "class" and positional and "builtins.staticmethod" not in decorators:
                frame.class_qualname = parent.qualname
                frame.self_name = positional[0].name.value
        params = node.params
        for param in (*params.posonly_params, *params.params, *params.kwonly_params):
            frame.params.add(param.name.value)
        for star in (params.star_arg, params.star_kwarg):
            if isinstance(star, cst.Param):
                frame.params.add(star.name.value)
        self.frames.append(frame)
        self.by_node[id(node)] = frame
        self.functions[qualname] = frame

    def leave_function(self) -> None:
        self.frames.pop()

    # -- lookups ----------------------------------------------------------------------

    def _binding_frame(self, name: str) -> Tuple[Optional[Scope], Optional[Frame]]:
        """The resolver scope that binds ``name`` here (as ``lookup`` finds it) and, for a
        function or lambda scope, our frame for it."""
        innermost = True
        for scope in reversed(self.ctx.resolver.scopes):
            if scope.kind == "class" and not innermost:
                continue
            innermost = False
            if name in scope.names:
                return scope, self.by_node.get(id(scope.node)) if scope.node is not None else None
        return None, None

    def _self_frame(self, name: str) -> Optional[Frame]:
        """The method frame whose ``self`` (or ``cls``) ``name`` is, seen from here."""
        scope, frame = self._binding_frame(name)
        if frame is not None and frame.self_name == name and frame.class_qualname:
            return frame
        return None

    def shared_pool(self, node: Node) -> Optional[str]:
        """``shared:<name>`` for ``shared_executor(...)`` of the configured executor-import."""
        if isinstance(node, cst.Call) and self.ctx.qualified_name(node.func) == self.shared_executor:
            first = argument(node, "name", 0)
            if first is None:
                return "shared:default"
            if isinstance(first.value, cst.SimpleString):
                return f"shared:{first.value.evaluated_value!s}"
            return "shared:?"
        if isinstance(node, cst.Name):
            scope, frame = self._binding_frame(node.value)
            if frame is not None:
                return frame.shared.get(node.value)
            if scope is not None and scope.kind == "module":
                return self.module_shared.get(node.value)
        return None

    def pool_identity(self, node: Node) -> Optional[str]:
        shared = self.shared_pool(node)
        if shared is not None:
            return shared
        if isinstance(node, cst.Name):
            scope, frame = self._binding_frame(node.value)
            if scope is None:
                return None
            if scope.kind == "module":
                binding = scope.names[node.value]
                return self.norm(binding.qualname) if binding.qualname else f"{self.module}.{node.value}"
            if frame is not None and node.value not in frame.params:
                return f"local:{frame.qualname}.{node.value}"
            return None
        if isinstance(node, cst.Attribute):
            self_frame = self._self_frame(node.value.value) if isinstance(node.value, cst.Name) else None
            if self_frame is not None:
                prefix = "attr?" if self._declared_elsewhere(self_frame, node.attr.value) else "attr"
                return f"{prefix}:{self_frame.class_qualname}.{node.attr.value}"
            qualname = self.ctx.qualified_name(node)
            return self.norm(qualname) if qualname else None
        return None

    def _declared_elsewhere(self, frame: Frame, attr: str) -> bool:
        """Is ``self.attr`` not set up by its own class (so a base class may make it a pool)?"""
        scope = self.class_scopes.get(frame.class_qualname or "")
        return scope is not None and attr not in scope.attr_types and attr not in scope.unstable_attrs

    def is_executor(self, node: Node) -> bool:
        """Known to be an executor, or possibly one: ``self.x`` that only a base class can
        tell about (pool identity ``attr?:...``) or a value whose type needs other modules
        (``exec?:<type>``); the project pass confirms those or drops them."""
        node_type = self.ctx.type_of(node)
        if node_type in EXECUTOR_TYPES or self.shared_pool(node) is not None:
            return True
        return self._from_a_base(node) or T.is_deferred(node_type)

    def _from_a_base(self, node: Node) -> bool:
        """``self.x`` that this class does not set up (a base class may make it a pool)."""
        if not isinstance(node, cst.Attribute) or not isinstance(node.value, cst.Name):
            return False
        frame = self._self_frame(node.value.value)
        return frame is not None and self._declared_elsewhere(frame, node.attr.value)

    def executor_identity(self, node: Node) -> Optional[str]:
        """The pool identity of an executor ``is_executor`` accepted."""
        node_type = self.ctx.type_of(node)
        if T.is_deferred(node_type) and self.shared_pool(node) is None and not self._from_a_base(node):
            return f"exec?:{node_type}"
        return self.pool_identity(node)

    def future_pool(self, node: Node) -> Tuple[bool, Optional[str]]:
        """Is ``node`` a (not yet finished) future, and of which pool, when known?"""
        submit = _method_call(node, "submit")
        if submit is not None and self.is_executor(submit.func.value):  # type: ignore[attr-defined]
            return True, self.executor_identity(submit.func.value)  # type: ignore[attr-defined]
        if isinstance(node, cst.Name):
            scope, frame = self._binding_frame(node.value)
            table = frame.futures if frame is not None else None
            if scope is not None and scope.kind == "comprehension":
                table = self.comp_futures.get(id(scope.node))
            if table is not None and node.value in table:
                return True, table[node.value]
        node_type = self.ctx.type_of(node)
        if node_type == FUTURE:
            return True, None
        if T.is_deferred(node_type):
            return True, f"future?:{node_type}"
        return False, None

    def futures_pool(self, node: Node) -> Tuple[bool, Optional[str]]:
        """Is ``node`` a collection of futures (a name bound to them, or a comprehension of
        submits), and of which pool?"""
        if isinstance(node, _COMPREHENSIONS):
            element = node.key if isinstance(node, cst.DictComp) else node.elt
            return self.future_pool(element)
        if isinstance(node, (cst.List, cst.Tuple, cst.Set)) and node.elements:
            found = [self.future_pool(element.value) for element in node.elements]
            if all(is_future for is_future, _ in found):
                pools = {pool for _, pool in found}
                return True, pools.pop() if len(pools) == 1 else None
            return False, None
        if isinstance(node, cst.Name):
            found = self.future_pool(node)
            if found[0]:
                return found
        element = T.element_type(self.ctx.type_of(node))  # ``self.futures``: appended to
        if element == FUTURE:
            return True, None
        if T.is_deferred(element):
            return True, f"future?:{element}"
        return False, None

    # -- calls ------------------------------------------------------------------------

    def callable_ref(self, node: Node) -> Optional[str]:
        """What calling (or submitting) ``node`` runs, as a reference: a function, a bound
        method (also held in a local), a lambda, ``functools.partial(f, ...)`` (also held
        in a local)."""
        if isinstance(node, cst.Lambda):
            return self.lambda_name(node)
        if isinstance(node, cst.Call) and self.ctx.qualified_name(node.func) == PARTIAL and node.args:
            return self.callable_ref(node.args[0].value)
        if isinstance(node, cst.Name):
            qualname = self.ctx.qualified_name(node)
            if qualname is not None:
                return self.norm(qualname) if self._worth(qualname) else None
            _, frame = self._binding_frame(node.value)
            return frame.nested.get(node.value) or frame.callables.get(node.value) if frame is not None else None
        if isinstance(node, cst.Attribute):
            return self._attribute_ref(node)
        return None

    def runs_with_context(self, node: Node) -> bool:
        """``ctx.run`` / ``contextvars.copy_context().run``: runs its first argument."""
        return (
            isinstance(node, cst.Attribute)
            and node.attr.value == "run"
            and self.ctx.type_of(node.value) == CONTEXT
        )

    def _attribute_ref(self, node: cst.Attribute) -> Optional[str]:
        receiver, method = node.value, node.attr.value
        if isinstance(receiver, cst.Name):
            self_frame = self._self_frame(receiver.value)
            if self_frame is not None:
                return f"self:{self_frame.class_qualname}.{method}"  # or an override
        if (
            isinstance(receiver, cst.Call)
            and isinstance(receiver.func, cst.Name)
            and receiver.func.value == "super"
            and not receiver.args
            and self.ctx.qualified_name(receiver.func) == "builtins.super"
        ):
            frame = self.function_frame()
            owner = frame.class_qualname if frame is not None else None
            return f"super:{owner}.{method}" if owner else None
        qualname = self.ctx.qualified_name(node)
        if qualname is not None:
            return self.norm(qualname) if self._worth(qualname) else None
        receiver_type = self.ctx.type_of(receiver)
        if receiver_type is None:
            return None
        if T.is_deferred(receiver_type):
            return T.method_result(receiver_type, method)  # the project pass finds the class
        return f"{self.norm(receiver_type)}.{method}" if self._worth(receiver_type) else None


def _method_call(node: Node, method: str) -> Optional[cst.Call]:
    if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and node.func.attr.value == method:
        return node
    return None
