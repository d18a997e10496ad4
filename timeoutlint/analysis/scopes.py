"""Cheap name resolution and local type inference, built during the one shared pass.

Whole-module ``ScopeProvider``/``QualifiedNameProvider`` cost several times a parse, so the
engine keeps its own scope stack instead: imports (module level ones are bound before the
pass, so functions above a late import still resolve), assignments, parameters,
annotations, ``with ... as`` targets and ``self.x`` attributes set in ``__init__``.

It is deliberately conservative. A name bound to two different things in one scope
becomes *ambiguous* and resolves to nothing; a ``self.x`` whose type is known from
``__init__`` but which another method assigns differently is *unstable*, and findings
that relied on it are dropped when the file is finished. Unknown means no finding.
"""

from __future__ import annotations

import builtins
from dataclasses import dataclass, field
from typing import Iterator, Optional, Sequence, Union

import libcst as cst

from timeoutlint.analysis.known import ALIASES, CONSTRUCTORS, ENTER_RETURNS_SELF, METHOD_RETURNS, OPTIONAL_WRAPPERS

_BUILTINS = frozenset(dir(builtins))


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
    names: dict[str, Binding] = field(default_factory=dict)
    # function scopes of methods: the name of the first parameter and the class scope
    self_name: Optional[str] = None
    class_scope: Optional[Scope] = None
    # class scopes: attribute types from class annotations and ``__init__``
    attr_types: dict[str, str] = field(default_factory=dict)
    unstable_attrs: set[str] = field(default_factory=set)
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


class Resolver:
    """The scope stack of one file, with qualified-name lookup and type inference."""

    def __init__(self, module: cst.Module, module_name: Optional[str] = None) -> None:
        self.module_name = module_name
        self.star_import = False
        # dotted modules bound by ``import a.b`` (no ``as``): ``a.b.name`` is usable
        self.imported_modules: set[str] = set()
        self.scopes: list[Scope] = [Scope("module", module, qualname=module_name or "")]
        # (class scope, attribute) pairs a type_of() call relied on, since the last reset
        self.dependencies: list[tuple[Scope, str]] = []
        for statement in _module_level_statements(module.body):
            if isinstance(statement, (cst.Import, cst.ImportFrom)):
                self.bind_import(statement)

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
        params = node.params
        scope: Scope
        if isinstance(node, cst.FunctionDef):
            qualname = self._definition_qualname(node.name.value)
            self.scope.bind(node.name.value, Binding(qualname=qualname))
            scope = Scope("function", node, qualname=qualname or "")
            parent = self.scope
            positional = list(params.posonly_params) + list(params.params)
            if parent.kind == "class" and positional and not _is_staticmethod(node):
                scope.self_name = positional[0].name.value
                scope.class_scope = parent
        else:
            scope = Scope("lambda", node)
        for param in _all_params(params):
            annotation = param.annotation.annotation if param.annotation else None
            scope.names[param.name.value] = Binding(type=self.annotation_type(annotation))
        self.push(scope)

    def enter_class(self, node: cst.ClassDef) -> None:
        qualname = self._definition_qualname(node.name.value)
        self.scope.bind(node.name.value, Binding(qualname=qualname))
        scope = Scope("class", node, qualname=qualname or "")
        self.push(scope)
        _prescan_class(self, scope, node)

    def enter_comprehension(self, node: cst.BaseComp) -> None:
        scope = Scope("comprehension", node)
        comp_for: Optional[cst.CompFor] = node.for_in
        while comp_for is not None:
            for name in assigned_names(comp_for.target):
                scope.names[name] = Binding()
            comp_for = comp_for.inner_for_in
        self.push(scope)

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
        base = self._import_from_module(node)
        if isinstance(node.names, cst.ImportStar):
            self.star_import = True
            return
        for alias in node.names:
            name = dotted_name(alias.name) or ""
            bound = dotted_name(alias.asname.name) if alias.asname is not None else name
            if bound:
                scope.bind(bound, Binding(qualname=canonical(f"{base}.{name}") if base else None))

    def _import_from_module(self, node: cst.ImportFrom) -> Optional[str]:
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

    def bind_target(self, target: cst.CSTNode, value_type: Optional[str]) -> None:
        """Bind an assignment target; a tuple target binds its names as unknown."""
        if isinstance(target, cst.Name):
            self.scope.bind(target.value, Binding(type=value_type))
            return
        if isinstance(target, cst.Attribute):
            self._record_attribute_assignment(target, value_type)
            return
        for name in assigned_names(target):
            self.scope.bind(name, Binding())

    def _record_attribute_assignment(self, target: cst.Attribute, value_type: Optional[str]) -> None:
        found = self._self_class(target.value)
        if found is None:
            return
        class_scope = found
        attr = target.attr.value
        if class_scope.attr_types.get(attr) != value_type:
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

    def qualified_name(self, node: cst.CSTNode) -> Optional[str]:
        """The canonical qualified name of a Name/Attribute chain, through the imports."""
        if isinstance(node, cst.Name):
            binding = self.lookup(node.value)
            if binding is not None:
                return canonical(binding.qualname) if binding.qualname else None
            if node.value in _BUILTINS and not self.star_import:
                return f"builtins.{node.value}"
            return None
        if isinstance(node, cst.Attribute):
            base = self.qualified_name(node.value)
            if base is None or base.startswith("builtins."):
                return None
            return canonical(f"{base}.{node.attr.value}")
        return None

    def type_of(self, node: cst.CSTNode) -> Optional[str]:
        """The type of an expression when it is known through local inference."""
        if isinstance(node, cst.Name):
            binding = self.lookup(node.value)
            return binding.type if binding is not None else None
        if isinstance(node, cst.Attribute):
            class_scope = self._self_class(node.value)
            if class_scope is not None:
                attr = node.attr.value
                attr_type = class_scope.attr_types.get(attr)
                if attr_type is not None:
                    self.dependencies.append((class_scope, attr))
                return attr_type
            return None
        if isinstance(node, cst.Call):
            qualname = self.qualified_name(node.func)
            if qualname is not None and qualname in CONSTRUCTORS:
                return CONSTRUCTORS[qualname]
            if isinstance(node.func, cst.Attribute):
                receiver = self.type_of(node.func.value)
                if receiver is not None:
                    return METHOD_RETURNS.get((receiver, node.func.attr.value))
        return None

    def entered_type(self, node: cst.BaseExpression) -> Optional[str]:
        """The type bound by ``with <node> as x``."""
        value_type = self.type_of(node)
        return value_type if value_type in ENTER_RETURNS_SELF else None

    def annotation_type(self, node: Optional[cst.BaseExpression]) -> Optional[str]:
        if node is None:
            return None
        if isinstance(node, (cst.Name, cst.Attribute)):
            return self.qualified_name(node)
        if isinstance(node, cst.Subscript):
            base = self.qualified_name(node.value)
            if base in OPTIONAL_WRAPPERS and len(node.slice) == 1:
                element = node.slice[0].slice
                if isinstance(element, cst.Index):
                    return self.annotation_type(element.value)
                return None
            return base  # a generic such as Popen[bytes]
        if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.BitOr):
            sides = [node.left, node.right]
            not_none = [side for side in sides if not (isinstance(side, cst.Name) and side.value == "None")]
            if len(not_none) == 1:
                return self.annotation_type(not_none[0])
        return None

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


def _prescan_class(resolver: Resolver, scope: Scope, node: cst.ClassDef) -> None:
    """Attribute types from class-level annotations and ``self.x = ...`` in ``__init__``."""
    if not isinstance(node.body, cst.IndentedBlock):
        return
    for statement in node.body.body:
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                if isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name):
                    attr_type = resolver.annotation_type(small.annotation.annotation)
                    if attr_type:
                        scope.attr_types[small.target.value] = attr_type
        elif isinstance(statement, cst.FunctionDef) and statement.name.value == "__init__":
            _prescan_init(resolver, scope, statement)


def _prescan_init(resolver: Resolver, scope: Scope, init: cst.FunctionDef) -> None:
    positional = list(init.params.posonly_params) + list(init.params.params)
    if not positional:
        return
    self_name = positional[0].name.value
    function_scope = Scope("function", init)
    for param in _all_params(init.params):
        annotation = param.annotation.annotation if param.annotation else None
        function_scope.names[param.name.value] = Binding(type=resolver.annotation_type(annotation))
    resolver.push(function_scope)
    try:
        for small in _module_level_statements(init.body.body if isinstance(init.body, cst.IndentedBlock) else []):
            target: Optional[cst.BaseExpression] = None
            value_type: Optional[str] = None
            if isinstance(small, cst.Assign) and len(small.targets) == 1:
                target = small.targets[0].target
                value_type = resolver.type_of(small.value)
            elif isinstance(small, cst.AnnAssign):
                target = small.target
                value_type = resolver.annotation_type(small.annotation.annotation)
            if (
                isinstance(target, cst.Attribute)
                and isinstance(target.value, cst.Name)
                and target.value.value == self_name
            ):
                attr = target.attr.value
                previous = scope.attr_types.get(attr)
                if value_type is None or (previous is not None and previous != value_type):
                    scope.attr_types.pop(attr, None)
                    scope.unstable_attrs.add(attr)
                elif attr not in scope.unstable_attrs:
                    scope.attr_types[attr] = value_type
    finally:
        resolver.pop()
