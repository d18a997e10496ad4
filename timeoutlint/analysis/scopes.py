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
agree) and its module-level objects are resolved on demand.

It is deliberately conservative. A name bound to two different things in one scope
becomes *ambiguous* and resolves to nothing; an attribute that methods assign differently
is *unstable*, has no type, and findings that relied on it are dropped when the file is
finished. Unknown means no finding.
"""

from __future__ import annotations

import builtins
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Dict, Iterator, List, Optional, Sequence, Tuple, Union

import libcst as cst

from timeoutlint.analysis import types as T
from timeoutlint.analysis.known import (
    ADDS_ALL,
    ADDS_ONE,
    ALIASES,
    ATTRIBUTE_TYPES,
    CONSTRUCTORS,
    COPIES,
    EMPTY_COLLECTIONS,
    ENTER_RETURNS_SELF,
    METHOD_RETURNS,
    OPTIONAL_WRAPPERS,
    SEQUENCE_ANNOTATIONS,
    SEQUENCE_RETURNS,
    UNPACKS,
    is_library_name,
)

_BUILTINS = frozenset(dir(builtins))
# Annotations that say nothing about the value.
_ANY = frozenset({"typing.Any", "typing_extensions.Any", "builtins.object"})
_UNION = frozenset({"typing.Union", "typing_extensions.Union"})
_TRANSPARENT = frozenset({"typing.Final", "typing.ClassVar", "typing.Annotated", "typing_extensions.Annotated"})
# The module name used for qualified names when the file's own is not known (stdin).
ANONYMOUS_MODULE = "__main__"
_FUNCTIONS = (cst.FunctionDef, cst.Lambda)


@dataclass(frozen=True)
class Binding:
    """What a name is bound to: an import or definition (``qualname``), or a local value
    of a known ``type`` (None when unknown)."""

    qualname: Optional[str] = None
    type: Optional[str] = None


AMBIGUOUS = Binding(qualname="<ambiguous>")


@dataclass(eq=False)
class Scope:
    kind: str  # "module" | "class" | "function" | "lambda" | "comprehension"
    node: Optional[cst.CSTNode]
    names: Dict[str, Binding] = field(default_factory=dict)
    # function scopes of methods: the name of the first parameter and the class scope
    self_name: Optional[str] = None
    class_scope: Optional[Scope] = None
    # class scopes: bases, attribute types (from class annotations and every method)
    bases: Tuple[str, ...] = ()
    attr_types: Dict[str, str] = field(default_factory=dict)
    unstable_attrs: set = field(default_factory=set)
    methods: Dict[str, cst.FunctionDef] = field(default_factory=dict)
    qualname: str = ""

    def bind(self, name: str, binding: Binding) -> None:
        previous = self.names.get(name)
        if previous is not None and previous != binding:
            binding = AMBIGUOUS
        self.names[name] = binding


def canonical(qualname: str) -> str:
    return ALIASES.get(qualname, qualname)


def dotted_name(node: cst.CSTNode) -> Optional[str]:
    """``a.b.c`` for a Name/Attribute chain, else None."""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        base = dotted_name(node.value)
        return f"{base}.{node.attr.value}" if base else None
    return None


def assigned_names(target: cst.CSTNode) -> Iterator[str]:
    if isinstance(target, cst.Name):
        yield target.value
    elif isinstance(target, (cst.Tuple, cst.List)):
        for element in target.elements:
            yield from assigned_names(element.value)
    elif isinstance(target, cst.StarredElement):
        yield from assigned_names(target.value)


def is_none(node: Optional[cst.CSTNode]) -> bool:
    return isinstance(node, cst.Name) and node.value == "None"


class Resolver:
    """The scope stack of one file, with qualified-name lookup and type inference."""

    def __init__(self, module: cst.Module, module_name: Optional[str] = None) -> None:
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
        self.top_definitions = _top_definitions(module.body)
        statements = list(_module_level_statements(module.body))
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
        if class_scope is not None and positional and not _is_staticmethod(node):
            scope.self_name = positional[0].name.value
            scope.class_scope = class_scope
        self._bind_params(scope, node.params)
        return scope

    def _bind_params(self, scope: Scope, params: cst.Parameters) -> None:
        for param in _all_params(params):
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
        unpacked = _unpacked(target, self.resolve(value_type))
        for name in assigned_names(target):
            self.scope.bind(name, Binding(type=unpacked.get(name)))

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
        element = added if method in ADDS_ONE else _element_or_unknown(added)
        merged = T.merge_elements([_element_or_unknown(binding.type), element])
        scope.names[name] = Binding(type=merged)

    def element_of(self, iterable: cst.BaseExpression) -> Optional[str]:
        """The type of the elements ``for x in iterable`` binds to ``x``."""
        return T.element_type(self.type_of(iterable))

    def _record_attribute_assignment(self, target: cst.Attribute, value_type: Optional[str]) -> None:
        class_scope = self._self_class(target.value)
        if class_scope is None:
            return
        attr = target.attr.value
        known = class_scope.attr_types.get(attr)
        if known is not None and T.is_pending(known):
            known = T.resolve(known, _FileTypes(self))
        if value_type is not None and T.is_pending(value_type):
            value_type = T.resolve(value_type, _FileTypes(self))
        if known is not None and known.startswith(T.SEQUENCE) and value_type == T.EMPTY:
            return  # ``self.futures = []`` again: emptied, still a collection of the same
        if known is None or known != value_type:
            class_scope.unstable_attrs.add(attr)

    # -- lookup -------------------------------------------------------------------------

    def lookup(self, name: str) -> Optional[Binding]:
        innermost = True
        for scope in reversed(self.scopes):
            # Class bodies are not visible from the functions nested in them.
            if scope.kind == "class" and not innermost:
                continue
            innermost = False
            if name in scope.names:
                binding = scope.names[name]
                return None if binding is AMBIGUOUS else binding
        return None

    def _bound_anywhere(self, name: str) -> bool:
        innermost = True
        for scope in reversed(self.scopes):
            if scope.kind == "class" and not innermost:
                continue
            innermost = False
            if name in scope.names:
                return True
        return False

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
            if binding.qualname and binding.qualname != "<ambiguous>" and not self._is_library(binding.qualname):
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
                    return CONSTRUCTORS[qualname]
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

    def _defines(self, qualname: str) -> bool:
        return qualname == self.own_module or qualname.startswith(self.own_module + ".")

    def type_of(self, node: cst.CSTNode) -> Optional[str]:
        """The type of an expression: concrete when this file tells, else deferred."""
        raw = self.raw_type(node)
        if raw is None or not T.is_pending(raw):
            return raw
        return T.resolve(raw, _FileTypes(self))

    def resolve(self, type_: Optional[str]) -> Optional[str]:
        """``type_`` resolved as far as this file tells (deferred where it needs others)."""
        return T.resolve(type_, _FileTypes(self)) if T.is_pending(type_) else type_

    def entered_type(self, node: cst.BaseExpression) -> Optional[str]:
        """The type bound by ``with <node> as x``."""
        value_type = self.type_of(node)
        return value_type if value_type in ENTER_RETURNS_SELF else None

    def annotation_type(self, node: Optional[cst.BaseExpression]) -> Optional[str]:
        if node is None:
            return None
        if isinstance(node, cst.SimpleString):
            text = node.evaluated_value
            if not isinstance(text, str) or len(text) > 200:
                return None
            try:
                parsed = cst.parse_expression(text.strip())
            except Exception:
                return None
            return self.annotation_type(parsed) if not isinstance(parsed, cst.SimpleString) else None
        if isinstance(node, (cst.Name, cst.Attribute)):
            if is_none(node):
                return None
            qualname = self.qualified_name(node)
            return None if qualname in _ANY or qualname is None or qualname.startswith("builtins.") else qualname
        if isinstance(node, cst.Subscript):
            base = self.qualified_name(node.value)
            elements = [element.slice.value for element in node.slice if isinstance(element.slice, cst.Index)]
            if base in OPTIONAL_WRAPPERS and len(elements) == 1:
                return self.annotation_type(elements[0])
            if base in _TRANSPARENT and elements:
                return self.annotation_type(elements[0])
            if base in _UNION:
                return self._union(elements)
            if base in SEQUENCE_ANNOTATIONS and elements:
                rest = elements[1:]
                if rest and not (len(rest) == 1 and isinstance(rest[0], cst.Ellipsis)):
                    return None  # tuple[A, B]: not one element type
                return T.sequence_of(self.annotation_type(elements[0]))
            if base is None or base.startswith(("builtins.", "typing.", "collections.")):
                return None  # list[Future] is a list: its elements are not followed here
            return base  # a generic such as Popen[bytes]
        if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.BitOr):
            return self._union(_union_members(node))
        return None

    def _union(self, members: Sequence[cst.BaseExpression]) -> Optional[str]:
        not_none = [member for member in members if not is_none(member)]
        if len(not_none) != 1:
            return None
        return self.annotation_type(not_none[0])

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

    def _prescan_class(self, node: cst.ClassDef, qualname: str) -> Scope:
        """Bases, methods and attribute types: class-level annotations (dataclass fields)
        and ``self.x = ...`` in every method, kept when all of them agree."""
        scope = Scope("class", node, qualname=qualname)
        bases = []
        for arg in node.bases:
            if arg.keyword is None:
                base = self.qualified_name(arg.value)
                if base and base != "builtins.object":
                    bases.append(base)
        scope.bases = tuple(bases)
        if qualname:
            self.classes[qualname] = scope
        if not isinstance(node.body, cst.IndentedBlock):
            return scope
        assigned: Dict[str, List[Optional[str]]] = {}
        added: Dict[str, List[Optional[str]]] = {}  # self.x.append(...): the elements' types
        for statement in node.body.body:
            if isinstance(statement, cst.SimpleStatementLine):
                for small in statement.body:
                    if isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name):
                        attr_type = self.annotation_type(small.annotation.annotation)
                        if attr_type:
                            scope.attr_types[small.target.value] = attr_type
            elif isinstance(statement, cst.FunctionDef):
                scope.methods[statement.name.value] = statement
                if qualname:
                    self.functions[f"{qualname}.{statement.name.value}"] = (statement, scope)
        for method in scope.methods.values():
            function_scope = self._function_scope(method, scope)
            if function_scope.self_name is None:
                continue
            with self._inside(function_scope):
                for small in _statements(method.body):
                    self._prescan_binding(small, function_scope, assigned, added)
        for attr, found in assigned.items():
            kinds = set(found)
            if len(kinds) > 1:  # ``self.proc = start_child()`` and ``self.proc = Popen()`` agree
                kinds = {self.resolve(t) for t in kinds}
            declared = scope.attr_types.get(attr)
            if declared is not None and kinds <= {declared}:
                continue
            if declared is not None and declared.startswith(T.SEQUENCE):
                merged = T.merge_elements([_element_or_unknown(t) for t in (declared, *kinds)])
                if merged == declared:
                    continue  # ``futures: list[Future]`` set to ``[]``
            if len(kinds) == 1 and None not in kinds and declared is None:
                scope.attr_types[attr] = kinds.pop()  # type: ignore[assignment]
            else:
                scope.attr_types.pop(attr, None)
                scope.unstable_attrs.add(attr)
        # Then what is added to its collections, now that the other attributes are known.
        for attr, elements in added.items():
            current = scope.attr_types.get(attr)
            if current is None or not current.startswith(T.SEQUENCE):
                continue  # set up elsewhere (a base class), unstable, or not a collection
            merged = T.merge_elements([_element_or_unknown(current)] + elements)
            if merged is None:  # compared again once this file's own functions are known
                merged = T.merge_elements([_element_or_unknown(self.resolve(current))] + [self.resolve(e) for e in elements])
            if merged is None:
                scope.attr_types.pop(attr, None)
                scope.unstable_attrs.add(attr)
            else:
                scope.attr_types[attr] = merged
        return scope

    def _prescan_binding(
        self,
        small: cst.CSTNode,
        scope: Scope,
        assigned: Dict[str, List[Optional[str]]],
        added: Optional[Dict[str, List[Optional[str]]]] = None,
    ) -> None:
        """One statement of a method seen by the class prescan: local names are bound (so
        ``pool = Pool(); self.pool = pool`` is known), ``self.x = ...`` and additions to
        ``self.x`` (``self.x.append(...)``) noted."""
        targets: List[cst.BaseExpression] = []
        value: Optional[cst.BaseExpression] = None
        value_type: Optional[str] = None
        if isinstance(small, cst.Assign):
            targets = [target.target for target in small.targets]
            value = small.value
            value_type = self.raw_type(small.value)
        elif isinstance(small, cst.AnnAssign):
            targets = [small.target]
            value = small.value
            value_type = self.annotation_type(small.annotation.annotation)
            if value_type is None and small.value is not None:
                value_type = self.raw_type(small.value)
        elif isinstance(small, (cst.AugAssign,)):
            targets = [small.target]
        elif isinstance(small, (cst.Import, cst.ImportFrom)):
            self.bind_import(small)
            return
        elif isinstance(small, cst.With):
            for item in small.items:
                if item.asname is not None:
                    if isinstance(item.asname.name, cst.Name):
                        scope.bind(item.asname.name.value, Binding(type=self.entered_type(item.item)))
                    else:
                        for name in assigned_names(item.asname.name):
                            scope.bind(name, Binding())
            return
        elif isinstance(small, cst.For):
            element = self.element_of(small.iter)
            if isinstance(small.target, cst.Name):
                scope.bind(small.target.value, Binding(type=element))
            else:
                for name in assigned_names(small.target):
                    scope.bind(name, Binding())
            return
        elif isinstance(small, cst.Expr) and isinstance(small.value, cst.Call):
            self._prescan_addition(small.value, scope, added)
            return
        for target in targets:
            if isinstance(target, cst.Name):
                scope.bind(target.value, Binding(type=value_type))
            elif isinstance(target, cst.Attribute) and isinstance(target.value, cst.Name) and target.value.value == scope.self_name:
                if not is_none(value):
                    assigned.setdefault(target.attr.value, []).append(value_type)
            else:
                for name in assigned_names(target):
                    scope.bind(name, Binding())

    def _prescan_addition(
        self, call: cst.Call, scope: Scope, added: Optional[Dict[str, List[Optional[str]]]]
    ) -> None:
        func = call.func
        if not isinstance(func, cst.Attribute) or len(call.args) != 1:
            return
        receiver = func.value
        if isinstance(receiver, cst.Name):
            self.note_added(call)
            return
        method = func.attr.value
        if (
            added is not None
            and (method in ADDS_ONE or method in ADDS_ALL)
            and isinstance(receiver, cst.Attribute)
            and isinstance(receiver.value, cst.Name)
            and receiver.value.value == scope.self_name
        ):
            value = self.raw_type(call.args[0].value)
            element = value if method in ADDS_ONE else _element_or_unknown(value)
            added.setdefault(receiver.attr.value, []).append(element)

    @contextmanager
    def _inside(self, scope: Scope) -> Iterator[None]:
        """Look names up as a function at the top of the module would (module, then it)."""
        saved = self.scopes
        self.scopes = [self.module_scope, scope]
        try:
            yield
        finally:
            self.scopes = saved

    def returns(self, qualname: str) -> Tuple[bool, Optional[str]]:
        """``(defined, type)``: is ``qualname`` a function or method of this file, and the
        type it returns: its annotation, else what every ``return`` gives when they agree
        (a bare ``return`` or ``return None`` aside). Generators and coroutines: unknown."""
        found = self.functions.get(qualname)
        if found is None:
            return False, None
        if qualname in self._returns:
            return True, self._returns[qualname]
        if qualname in self._inferring:
            return True, None
        self._inferring.add(qualname)
        try:
            node, class_scope = found
            result = self._infer_returns(node, class_scope)
        finally:
            self._inferring.discard(qualname)
        self._returns[qualname] = result
        return True, result

    def _infer_returns(self, node: cst.FunctionDef, class_scope: Optional[Scope]) -> Optional[str]:
        if node.asynchronous is not None:
            return None
        if node.returns is not None:
            return self.annotation_type(node.returns.annotation)
        if any(changes_the_call(d, self) for d in node.decorators):
            return None
        scope = self._function_scope(node, class_scope)
        found: List[Optional[str]] = []
        with self._inside(scope):
            for small in _statements(node.body, returns_too=True):
                if isinstance(small, cst.Return):
                    if small.value is not None and not is_none(small.value):
                        found.append(self.raw_type(small.value))
                elif isinstance(small, (cst.Expr,)) and isinstance(small.value, (cst.Yield,)):
                    return None
                else:
                    self._prescan_binding(small, scope, {})
        kinds = set(found)
        if len(kinds) != 1 or None in kinds:
            return None
        return found[0]

    def type_facts(self) -> Dict[str, Dict[str, object]]:
        """What other modules need to resolve types that end in this file: return types
        of its functions and methods, attribute types and bases of its classes, the types
        of its module-level objects (only what is known, and what the project may define)."""
        returns: Dict[str, object] = {}
        for qualname in self.functions:
            _, returned = self.returns(qualname)
            if returned is not None:
                returns[qualname] = returned
        classes: Dict[str, object] = {}
        for qualname, scope in self.classes.items():
            attrs = {attr: t for attr, t in scope.attr_types.items() if attr not in scope.unstable_attrs}
            classes[qualname] = {"bases": list(scope.bases), "attrs": attrs}
        objects: Dict[str, object] = {}
        for name, binding in self.module_scope.names.items():
            if binding is not AMBIGUOUS and binding.type is not None:
                objects[f"{self.own_module}.{name}"] = binding.type
        return {"returns": returns, "classes": classes, "objects": objects}


class _FileTypes:
    """This file as a ``types.TypeSource``: what it defines, nothing of other modules."""

    def __init__(self, resolver: Resolver) -> None:
        self.resolver = resolver

    def covers(self, qualname: str) -> bool:
        return self.resolver._defines(qualname)

    def canonical(self, qualname: str) -> str:
        return qualname

    def class_info(self, qualname: str) -> Optional[T.ClassInfo]:
        scope = self.resolver.classes.get(qualname)
        if scope is None:
            return None
        attrs = {attr: t for attr, t in scope.attr_types.items() if attr not in scope.unstable_attrs}
        return T.ClassInfo(qualname, scope.bases, attrs)

    def returns(self, qualname: str) -> Tuple[bool, Optional[str]]:
        return self.resolver.returns(qualname)

    def object_type(self, qualname: str) -> Optional[str]:
        name = qualname[len(self.resolver.own_module) + 1 :]
        binding = self.resolver.module_scope.names.get(name)
        return binding.type if binding is not None and binding is not AMBIGUOUS else None


def _element_or_unknown(type_: Optional[str]) -> Optional[str]:
    """A collection type as ``merge_elements`` takes it: its element type, ``?`` when empty."""
    return "?" if type_ == T.EMPTY else T.element_type(type_)


def _unpacked(target: cst.CSTNode, value_type: Optional[str]) -> Dict[str, str]:
    """``done, not_done = wait(fs)``: the names of a tuple target and the types they get."""
    parts = UNPACKS.get(value_type or "")
    if parts is None or not isinstance(target, (cst.Tuple, cst.List)) or len(target.elements) != len(parts):
        return {}
    if not all(isinstance(element.value, cst.Name) for element in target.elements):
        return {}
    return {element.value.value: part for element, part in zip(target.elements, parts)}  # type: ignore[attr-defined]


def _union_members(node: cst.BaseExpression) -> List[cst.BaseExpression]:
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.BitOr):
        return _union_members(node.left) + _union_members(node.right)
    return [node]


def changes_the_call(decorator: cst.Decorator, resolver: Resolver) -> bool:
    """Decorators that change what calling the function returns (a property is read, not
    called; contextmanager and cache wrappers return something else)."""
    target = decorator.decorator
    if isinstance(target, cst.Call):
        target = target.func
    name = resolver.qualified_name(target) or dotted_name(target) or ""
    return name not in ("builtins.staticmethod", "builtins.classmethod", "typing.overload", "abc.abstractmethod")


def _top_definitions(body: Sequence[cst.CSTNode]) -> Dict[str, str]:
    """Module-level names bound once, by a ``def`` or ``class`` at the top of the module."""
    counts: Dict[str, int] = {}
    kinds: Dict[str, str] = {}
    for statement in body:
        if isinstance(statement, (cst.FunctionDef, cst.ClassDef)):
            name = statement.name.value
            counts[name] = counts.get(name, 0) + 1
            kinds[name] = "class" if isinstance(statement, cst.ClassDef) else "def"
    for small in _module_level_statements(body):
        names: List[str] = []
        if isinstance(small, cst.Assign):
            names = [n for t in small.targets for n in assigned_names(t.target)]
        elif isinstance(small, (cst.AnnAssign, cst.AugAssign)):
            names = list(assigned_names(small.target))
        elif isinstance(small, (cst.Import, cst.ImportFrom)) and not isinstance(small.names, cst.ImportStar):
            names = [
                (dotted_name(a.asname.name) if a.asname else dotted_name(a.name) or "").split(".")[0]
                for a in small.names  # type: ignore[union-attr]
            ]
        for name in names:
            counts[name] = counts.get(name, 0) + 1
    return {name: kind for name, kind in kinds.items() if counts[name] == 1}


def _statements(block: cst.BaseSuite, returns_too: bool = False) -> Iterator[cst.BaseSmallStatement]:
    """The small statements of a function body in order, through every compound statement
    but not into nested functions or classes."""
    if not isinstance(block, cst.IndentedBlock):
        if isinstance(block, cst.SimpleStatementSuite):
            yield from block.body
        return
    for statement in block.body:
        if isinstance(statement, cst.SimpleStatementLine):
            yield from statement.body
        elif isinstance(statement, (cst.FunctionDef, cst.ClassDef)):
            continue
        else:
            if isinstance(statement, (cst.With, cst.For)):
                yield statement  # type: ignore[misc]  (its targets bind names)
            for suite in _suites(statement):
                yield from _statements(suite, returns_too)


def _suites(statement: cst.CSTNode) -> Iterator[cst.BaseSuite]:
    body = getattr(statement, "body", None)
    if isinstance(body, cst.BaseSuite):
        yield body
    for case in getattr(statement, "cases", ()) or ():
        yield case.body
    for handler in getattr(statement, "handlers", ()) or ():
        yield handler.body
    orelse = getattr(statement, "orelse", None)
    while orelse is not None:
        if isinstance(orelse, cst.If):
            yield orelse.body
            orelse = orelse.orelse
        else:
            yield orelse.body
            orelse = None
    final = getattr(statement, "finalbody", None)
    if final is not None:
        yield final.body


def _is_staticmethod(node: cst.FunctionDef) -> bool:
    return any(
        isinstance(decorator.decorator, cst.Name) and decorator.decorator.value in ("staticmethod", "classmethod")
        for decorator in node.decorators
    )


def _all_params(params: cst.Parameters) -> Iterator[cst.Param]:
    yield from params.posonly_params
    yield from params.params
    if isinstance(params.star_arg, cst.Param):
        yield params.star_arg
    yield from params.kwonly_params
    if params.star_kwarg is not None:
        yield params.star_kwarg


def _module_level_statements(body: Sequence[cst.CSTNode]) -> Iterator[cst.BaseSmallStatement]:
    """Small statements at module level, looking into if/try/with blocks but not defs."""
    for statement in body:
        if isinstance(statement, cst.SimpleStatementLine):
            yield from statement.body
        elif isinstance(statement, (cst.If, cst.Try, cst.With, cst.Else, cst.ExceptHandler, cst.Finally)):
            inner = statement.body
            if isinstance(inner, cst.IndentedBlock):
                yield from _module_level_statements(inner.body)
            for attr in ("orelse", "finalbody"):
                yield from _module_level_statements([getattr(statement, attr)] if getattr(statement, attr, None) else [])
            for handler in getattr(statement, "handlers", ()):
                yield from _module_level_statements([handler])
