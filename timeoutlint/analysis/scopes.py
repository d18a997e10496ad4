"""Cheap name resolution and type inference, built during the one shared pass.

Whole-module ``ScopeProvider``/``QualifiedNameProvider`` cost several times a parse, so the
engine keeps its own scope stack instead: imports (module level ones are bound before the
pass, so functions above a late import still resolve; function-local ones where they
stand), assignments, parameters, annotations (string and forward ones too), ``with ... as``
targets, module-level objects, and the attributes of classes.

Types come from ``analysis.types``: an expression's type is concrete when it is known here
(``subprocess.Popen``) and *deferred* when it needs more than this file (``call:pkg.f``, the
return type of a function of another module); the project pass resolves those. Within the
file, attribute chains (``task.slot.pool``), the return types of its functions and methods
(annotated, or inferred from what every ``return`` gives), the attributes of its classes
(class-level annotations, dataclass fields, ``__init__`` and every other method, when they
agree) and its module-level objects are resolved on demand. Collections (``seq:E``) get
their element type from literals, comprehensions, ``append``/``add``/``extend`` and
annotations; ``for`` targets and subscripts take it.

The resolver is assembled from mixins: ``annotations`` (what an annotation says),
``definitions`` (the class prescan, return types, and the facts other modules need); the
bindings and scopes themselves are in ``bindings``.

It is deliberately conservative. A name bound to two different things in one scope
becomes *ambiguous* and resolves to nothing; an attribute that methods assign differently
is *unstable*, has no type, and findings that relied on it are dropped when the file is
finished. Unknown means no finding.
"""

from __future__ import annotations

import builtins
from typing import Dict, List, Optional, Sequence, Tuple, Union

import libcst as cst

from timeoutlint.analysis import types as T
from timeoutlint.analysis.annotations import Annotations
from timeoutlint.analysis.bindings import AMBIGUOUS, Binding, Scope, assigned_names, canonical, dotted_name, is_none
from timeoutlint.analysis.definitions import (
    Definitions,
    FileTypes,
    all_params,
    element_or_unknown,
    is_staticmethod,
    module_level_statements,
    top_definitions,
    unpacked,
)
from timeoutlint.analysis.known import (
    ADDS_ALL,
    ADDS_ONE,
    ATTRIBUTE_TYPES,
    CONSTRUCTORS,
    COPIES,
    EMPTY_COLLECTIONS,
    ENTER_RETURNS_SELF,
    METHOD_RETURNS,
    SEQUENCE_RETURNS,
    constructed_type,
    is_library_name,
)

_BUILTINS = frozenset(dir(builtins))
# The module name used for qualified names when the file's own is not known (stdin).
ANONYMOUS_MODULE = "__main__"


class Resolver(Annotations, Definitions):
    """The scope stack of one file, with qualified-name lookup and type inference."""

    def __init__(
        self,
        module: cst.Module,
        module_name: Optional[str] = None,
        declared_classes: frozenset[str] = frozenset(),
        skipped: Sequence[Tuple[str, str]] = (),
    ) -> None:
        """``skipped``: the top-level definitions of the file ``module`` leaves out (see
        ``selection.py``), as (name, kind)."""
        # Classes of other packages the configuration names (the ``Client`` of a
        # ``blocking-calls`` entry ``mypkg.api.Client.call``): calling one constructs one.
        self.declared_classes = declared_classes
        self.module_name = module_name
        own = module_name or ANONYMOUS_MODULE
        # A package's ``__init__`` defines names under the package itself.
        self.own_module = own[: -len(".__init__")] if own.endswith(".__init__") else own
        self.project_top = self.own_module.split(".")[0]
        self.star_import = False
        # dotted modules bound by ``import a.b`` (no ``as``): ``a.b.name`` is usable
        self.imported_modules: set = set()
        self.module_scope = Scope("module", module, qualname=self.own_module)
        self.scopes: List[Scope] = [self.module_scope]
        # (class scope, attribute) pairs a type_of() call relied on, since the last reset
        self.dependencies: List[Tuple[Scope, str]] = []
        # What this file defines, for resolving its own deferred types.
        self.classes: Dict[str, Scope] = {}
        self.functions: Dict[str, Tuple[cst.FunctionDef, Optional[Scope]]] = {}
        self._returns: Dict[str, Optional[str]] = {}
        self._inferring: set = set()
        self.top_definitions = top_definitions(module.body, skipped)
        statements = list(module_level_statements(module.body))
        for statement in statements:
            if isinstance(statement, (cst.Import, cst.ImportFrom)):
                self.bind_import(statement)
        for statement in module.body:
            if isinstance(statement, cst.FunctionDef):
                self.functions[f"{self.own_module}.{statement.name.value}"] = (statement, None)
            elif isinstance(statement, cst.ClassDef):
                self._prescan_class(statement, f"{self.own_module}.{statement.name.value}")
        # Module-level objects (``POOL = ThreadPoolExecutor()``), also for functions above them.
        for statement in statements:
            if isinstance(statement, cst.Assign) and all(isinstance(t.target, cst.Name) for t in statement.targets):
                value_type = self.type_of(statement.value)
                for target in statement.targets:
                    self.module_scope.bind(target.target.value, Binding(type=value_type))  # type: ignore[attr-defined]
            elif isinstance(statement, cst.AnnAssign) and isinstance(statement.target, cst.Name):
                annotated = self.annotation_type(statement.annotation.annotation)
                value = annotated or (self.type_of(statement.value) if statement.value is not None else None)
                self.module_scope.bind(statement.target.value, Binding(type=value))

    # -- scope management ---------------------------------------------------------------

    @property
    def scope(self) -> Scope:
        return self.scopes[-1]

    def push(self, scope: Scope) -> None:
        self.scopes.append(scope)

    def pop(self) -> Scope:
        return self.scopes.pop()

    def function_scope(self) -> Optional[Scope]:
        for scope in reversed(self.scopes):
            if scope.kind == "function":
                return scope
        return None

    def _definition_qualname(self, name: str) -> Optional[str]:
        parent = self.scope
        if parent.kind in ("module", "class") and parent.qualname:
            return f"{parent.qualname}.{name}"
        return None

    def enter_function(self, node: Union[cst.FunctionDef, cst.Lambda]) -> None:
        scope: Scope
        if isinstance(node, cst.FunctionDef):
            qualname = self._definition_qualname(node.name.value)
            self.scope.bind(node.name.value, Binding(qualname=qualname))
            parent = self.scope
            scope = self._function_scope(node, parent if parent.kind == "class" else None)
            scope.qualname = qualname or ""
        else:
            scope = Scope("lambda", node)
            self._bind_params(scope, node.params)
        self.push(scope)

    def _function_scope(self, node: cst.FunctionDef, class_scope: Optional[Scope]) -> Scope:
        scope = Scope("function", node)
        positional = list(node.params.posonly_params) + list(node.params.params)
        if class_scope is not None and positional and not is_staticmethod(node):
            scope.self_name = positional[0].name.value
            scope.class_scope = class_scope
        self._bind_params(scope, node.params)
        return scope

    def _bind_params(self, scope: Scope, params: cst.Parameters) -> None:
        for param in all_params(params):
            annotation = param.annotation.annotation if param.annotation else None
            param_type = self.annotation_type(annotation)
            if param.star:  # *args: a tuple, **kwargs: a dict, whatever the annotation says
                param_type = None
            scope.names[param.name.value] = Binding(type=param_type)

    def enter_class(self, node: cst.ClassDef) -> None:
        qualname = self._definition_qualname(node.name.value)
        self.scope.bind(node.name.value, Binding(qualname=qualname))
        scope = self.classes.get(qualname or "") if self.scope is self.module_scope else None
        if scope is None or scope.node is not node:
            scope = self._prescan_class(node, qualname or "")
        self.push(scope)

    def enter_comprehension(self, node: cst.BaseComp) -> None:
        self.push(self._comprehension_scope(node))

    def _comprehension_scope(self, node: cst.BaseComp) -> Scope:
        """The scope of a comprehension: its targets bound to the elements they iterate
        (each ``for`` is evaluated with the ones before it in scope)."""
        scope = Scope("comprehension", node)
        comp_for: Optional[cst.CompFor] = node.for_in
        self.push(scope)
        try:
            while comp_for is not None:
                element = self.element_of(comp_for.iter)
                if isinstance(comp_for.target, cst.Name):
                    scope.names[comp_for.target.value] = Binding(type=element)
                else:
                    for name in assigned_names(comp_for.target):
                        scope.names[name] = Binding()
                comp_for = comp_for.inner_for_in
        finally:
            self.pop()
        return scope

    # -- binding ------------------------------------------------------------------------

    def bind_import(self, node: Union[cst.Import, cst.ImportFrom]) -> None:
        scope = self.scope
        if isinstance(node, cst.Import):
            for alias in node.names:
                full = dotted_name(alias.name) or ""
                if alias.asname is not None:
                    local = dotted_name(alias.asname.name) or ""
                    scope.bind(local, Binding(qualname=full))
                else:
                    top = full.split(".")[0]
                    scope.bind(top, Binding(qualname=top))
                    self.imported_modules.add(full)
            return
        base = self.import_from_module(node)
        if isinstance(node.names, cst.ImportStar):
            self.star_import = True
            return
        for alias in node.names:
            name = dotted_name(alias.name) or ""
            bound = dotted_name(alias.asname.name) if alias.asname is not None else name
            if bound:
                scope.bind(bound, Binding(qualname=canonical(f"{base}.{name}") if base else None))

    def import_from_module(self, node: cst.ImportFrom) -> Optional[str]:
        """The module ``from <module> import ...`` names, relative imports resolved."""
        module = dotted_name(node.module) if node.module is not None else ""
        level = len(node.relative)
        if level == 0:
            return module
        if not self.module_name:
            return None
        parts = self.module_name.split(".")
        is_package = self.module_name.endswith(".__init__")
        if is_package:
            parts = parts[:-1]
        keep = len(parts) - level + (1 if is_package else 0)
        if keep < 0 or (keep == 0 and not module):
            return None
        package = ".".join(parts[:keep])
        return ".".join(part for part in (package, module) if part)

    def bind_target(self, target: cst.CSTNode, value_type: Optional[str], value: Optional[cst.CSTNode] = None) -> None:
        """Bind an assignment target; a tuple target binds its names as unknown."""
        if isinstance(target, cst.Name):
            self.scope.bind(target.value, Binding(type=value_type))
            return
        if isinstance(target, cst.Attribute):
            if not is_none(value):  # ``self.x = None`` leaves an Optional attribute its type
                self._record_attribute_assignment(target, value_type)
            return
        types = unpacked(target, self.resolve(value_type))
        for name in assigned_names(target):
            self.scope.bind(name, Binding(type=types.get(name)))

    def note_added(self, call: cst.Call) -> None:
        """``name.append(x)`` (``add``, ``extend`` ...) on a collection bound in the current
        function: its element type becomes what every addition agrees on."""
        func = call.func
        if not isinstance(func, cst.Attribute) or not isinstance(func.value, cst.Name) or len(call.args) != 1:
            return
        method = func.attr.value
        if method not in ADDS_ONE and method not in ADDS_ALL:
            return
        name = func.value.value
        scope = self.scope
        binding = scope.names.get(name)
        if binding is None or binding is AMBIGUOUS or binding.type is None or not binding.type.startswith(T.SEQUENCE):
            return
        added = self.type_of(call.args[0].value)
        element = added if method in ADDS_ONE else element_or_unknown(added)
        merged = T.merge_elements([element_or_unknown(binding.type), element])
        scope.names[name] = Binding(type=merged)

    def element_of(self, iterable: cst.BaseExpression) -> Optional[str]:
        """The type of the elements ``for x in iterable`` binds to ``x``."""
        return T.element_type(self.type_of(iterable))

    def _record_attribute_assignment(self, target: cst.Attribute, value_type: Optional[str]) -> None:
        class_scope = self._self_class(target.value)
        if class_scope is None:
            return
        attr = target.attr.value
        known = self.resolve(class_scope.attr_types.get(attr))
        value_type = self.resolve(value_type)
        if known is not None and known.startswith(T.SEQUENCE) and value_type == T.EMPTY:
            return  # ``self.futures = []`` again: emptied, still a collection of the same
        if known is None or known != value_type:
            class_scope.unstable_attrs.add(attr)

    # -- lookup -------------------------------------------------------------------------

    def lookup(self, name: str) -> Optional[Binding]:
        binding = self._find(name)
        return None if binding is AMBIGUOUS else binding

    def _bound_anywhere(self, name: str) -> bool:
        return self._find(name) is not None

    def _find(self, name: str) -> Optional[Binding]:
        """The binding of ``name`` seen here (AMBIGUOUS included)."""
        innermost = True
        for scope in reversed(self.scopes):
            # Class bodies are not visible from the functions nested in them.
            if scope.kind == "class" and not innermost:
                continue
            innermost = False
            if name in scope.names:
                return scope.names[name]
        return None

    def qualified_name(self, node: cst.CSTNode) -> Optional[str]:
        """The canonical qualified name of a Name/Attribute chain, through the imports."""
        if isinstance(node, cst.Name):
            binding = self.lookup(node.value)
            if binding is not None:
                return canonical(binding.qualname) if binding.qualname else None
            if not self._bound_anywhere(node.value) and node.value in self.top_definitions:
                return f"{self.own_module}.{node.value}"  # a def or class further down the module
            if node.value in _BUILTINS and not self.star_import:
                return f"builtins.{node.value}"
            return None
        if isinstance(node, cst.Attribute):
            base = self.qualified_name(node.value)
            if base is None or base.startswith("builtins."):
                return None
            return canonical(f"{base}.{node.attr.value}")
        return None

    def _is_library(self, qualname: str) -> bool:
        return is_library_name(qualname, self.project_top)

    def raw_type(self, node: cst.CSTNode) -> Optional[str]:
        """The type of an expression, deferred parts left as they are."""
        if isinstance(node, cst.Name):
            binding = self.lookup(node.value)
            if binding is None:
                return None
            if binding.type is not None:
                return binding.type
            class_scope = self._self_class(node)
            if class_scope is not None and class_scope.qualname:
                return class_scope.qualname
            if binding.qualname and not self._is_library(binding.qualname):
                qualname = canonical(binding.qualname)
                if qualname not in self.functions and qualname not in self.classes:
                    return T.module_object(qualname)
            return None
        if isinstance(node, cst.Attribute):
            class_scope = self._self_class(node.value)
            attr = node.attr.value
            if class_scope is not None:
                attr_type = class_scope.attr_types.get(attr)
                if attr_type is not None:
                    self.dependencies.append((class_scope, attr))
                    return attr_type
                if attr in class_scope.unstable_attrs:
                    return None
                return T.attribute(class_scope.qualname, attr) if class_scope.qualname else None
            qualname = self.qualified_name(node)
            if qualname is not None:  # ``module.OBJECT``
                return None if self._is_library(qualname) else T.module_object(qualname)
            receiver = self.raw_type(node.value)
            if receiver is None or receiver.startswith(T.SEQUENCE):
                return None
            if not T.is_deferred(receiver) and self._is_library(receiver):
                return ATTRIBUTE_TYPES.get((receiver, attr))
            return T.attribute(receiver, attr)
        if isinstance(node, cst.Call):
            qualname = self.qualified_name(node.func)
            if qualname is not None:
                if qualname in CONSTRUCTORS:
                    return constructed_type(qualname, node)
                if qualname in self.declared_classes:
                    return qualname
                if qualname in SEQUENCE_RETURNS:
                    return T.sequence_of(SEQUENCE_RETURNS[qualname])
                if qualname in COPIES or qualname in EMPTY_COLLECTIONS:
                    if not node.args:
                        return T.EMPTY if qualname in EMPTY_COLLECTIONS else None
                    copied = self.raw_type(node.args[0].value) if len(node.args) == 1 else None
                    return copied if copied is not None and copied.startswith(T.SEQUENCE) else None
                return None if self._is_library(qualname) else T.call_result(qualname)
            if isinstance(node.func, cst.Attribute):
                receiver = self.raw_type(node.func.value)
                if receiver is None or receiver.startswith(T.SEQUENCE):
                    return None
                method = node.func.attr.value
                if not T.is_deferred(receiver) and self._is_library(receiver):
                    return METHOD_RETURNS.get((receiver, method))
                return T.method_result(receiver, method)
            return None
        return self._collection_type(node)

    def _collection_type(self, node: cst.CSTNode) -> Optional[str]:
        """Literals, comprehensions and subscripts of collections."""
        if isinstance(node, (cst.List, cst.Set, cst.Tuple)):
            if any(isinstance(element, cst.StarredElement) for element in node.elements):
                return None
            return T.merge_elements(self.raw_type(element.value) for element in node.elements)
        if isinstance(node, (cst.ListComp, cst.SetComp, cst.GeneratorExp)):
            self.push(self._comprehension_scope(node))
            try:
                return T.sequence_of(self.raw_type(node.elt))
            finally:
                self.pop()
        if isinstance(node, cst.Subscript) and len(node.slice) == 1:
            collection = self.raw_type(node.value)
            if collection is None or not collection.startswith(T.SEQUENCE):
                return None
            if isinstance(node.slice[0].slice, cst.Slice):
                return collection
            return T.element_type(collection)
        return None

    def defines(self, qualname: str) -> bool:
        """Is ``qualname`` this module or a name inside it?"""
        return qualname == self.own_module or qualname.startswith(self.own_module + ".")

    def type_of(self, node: cst.CSTNode) -> Optional[str]:
        """The type of an expression: concrete when this file tells, else deferred."""
        return self.resolve(self.raw_type(node))

    def resolve(self, type_: Optional[str]) -> Optional[str]:
        """``type_`` resolved as far as this file tells (deferred where it needs others)."""
        return T.resolve(type_, FileTypes(self)) if T.is_pending(type_) else type_

    def entered_type(self, node: cst.BaseExpression) -> Optional[str]:
        """The type bound by ``with <node> as x``."""
        value_type = self.type_of(node)
        return value_type if value_type in ENTER_RETURNS_SELF else None

    def _self_class(self, node: cst.CSTNode) -> Optional[Scope]:
        """The class scope when ``node`` is the ``self`` of an enclosing method."""
        if not isinstance(node, cst.Name):
            return None
        for scope in reversed(self.scopes):
            if scope.kind in ("function", "lambda", "comprehension") and node.value in scope.names:
                if scope.self_name == node.value:
                    return scope.class_scope
                return None
        return None

    # -- what this file defines ---------------------------------------------------------
