"""What a file defines, for type inference: the attributes of its classes and what its
functions return, read ahead of the pass (a method may use an attribute that a later
method sets, a function may call one defined below it).

- a class' attributes: class-level annotations (dataclass fields), and ``self.x = ...``
  in every method, kept when all of them agree (``self.x = None`` aside); what is added
  to a collection attribute (``self.futures.append(...)``) gives its elements' type;
- a function's return type: its annotation, else what every ``return`` gives when they
  agree; generators, coroutines and functions whose decorator may change the call are
  unknown;
- ``type_facts``: the same, as JSON, for resolving the types of other modules.

A mixin of ``scopes.Resolver``.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import TYPE_CHECKING, Dict, Iterator, List, Optional, Sequence, Tuple

import libcst as cst

from timeoutlint.analysis import types as T
from timeoutlint.analysis.bindings import AMBIGUOUS, Binding, Scope, assigned_names, dotted_name, is_none
from timeoutlint.analysis.known import ADDS_ALL, ADDS_ONE, UNPACKS

if TYPE_CHECKING:
    from timeoutlint.analysis.scopes import Resolver


class Definitions:
    """The class prescan and return-type inference of the resolver."""

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
                merged = T.merge_elements([element_or_unknown(t) for t in (declared, *kinds)])
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
            merged = T.merge_elements([element_or_unknown(current)] + elements)
            if merged is None:  # compared again once this file's own functions are known
                merged = T.merge_elements([element_or_unknown(self.resolve(current))] + [self.resolve(e) for e in elements])
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
            element = value if method in ADDS_ONE else element_or_unknown(value)
            added.setdefault(receiver.attr.value, []).append(element)

    def method_of(self, type_: Optional[str], name: str) -> Optional[str]:
        """``Class.name`` when ``type_`` is a class of this file that defines method
        ``name``, or the nearest of its bases in this file that does."""
        pending = [type_] if type_ else []
        seen = set()
        while pending:
            owner = pending.pop(0)
            if owner in seen or owner not in self.classes:
                continue
            seen.add(owner)
            if f"{owner}.{name}" in self.functions:
                return f"{owner}.{name}"
            pending.extend(self.classes[owner].bases)
        return None

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
            for small in _statements(node.body):
                if _holds_yield(small):
                    return None  # a generator: calling it returns the generator
                if isinstance(small, cst.Return):
                    if small.value is not None and not is_none(small.value):
                        found.append(self.raw_type(small.value))
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
            classes[qualname] = {"bases": list(scope.bases), "attrs": scope.stable_attrs()}
        objects: Dict[str, object] = {}
        for name, binding in self.module_scope.names.items():
            if binding is not AMBIGUOUS and binding.type is not None:
                objects[f"{self.own_module}.{name}"] = binding.type
        return {"returns": returns, "classes": classes, "objects": objects}


class FileTypes:
    """This file as a ``types.TypeSource``: what it defines, nothing of other modules."""

    def __init__(self, resolver: Resolver) -> None:
        self.resolver = resolver

    def covers(self, qualname: str) -> bool:
        return self.resolver.defines(qualname)

    def canonical(self, qualname: str) -> str:
        return qualname

    def class_info(self, qualname: str) -> Optional[T.ClassInfo]:
        scope = self.resolver.classes.get(qualname)
        if scope is None:
            return None
        return T.ClassInfo(qualname, scope.bases, scope.stable_attrs())

    def returns(self, qualname: str) -> Tuple[bool, Optional[str]]:
        return self.resolver.returns(qualname)

    def object_type(self, qualname: str) -> Optional[str]:
        name = qualname[len(self.resolver.own_module) + 1 :]
        binding = self.resolver.module_scope.names.get(name)
        return binding.type if binding is not None and binding is not AMBIGUOUS else None


def element_or_unknown(type_: Optional[str]) -> Optional[str]:
    """A collection type as ``merge_elements`` takes it: its element type, ``?`` when empty."""
    return "?" if type_ == T.EMPTY else T.element_type(type_)


def unpacked(target: cst.CSTNode, value_type: Optional[str]) -> Dict[str, str]:
    """``done, not_done = wait(fs)``: the names of a tuple target and the types they get."""
    parts = UNPACKS.get(value_type or "")
    if parts is None or not isinstance(target, (cst.Tuple, cst.List)) or len(target.elements) != len(parts):
        return {}
    if not all(isinstance(element.value, cst.Name) for element in target.elements):
        return {}
    return {element.value.value: part for element, part in zip(target.elements, parts)}  # type: ignore[attr-defined]


def changes_the_call(decorator: cst.Decorator, resolver: Resolver) -> bool:
    """Decorators that change what calling the function returns (a property is read, not
    called; contextmanager and cache wrappers return something else)."""
    target = decorator.decorator
    if isinstance(target, cst.Call):
        target = target.func
    name = resolver.qualified_name(target) or dotted_name(target) or ""
    return name not in ("builtins.staticmethod", "builtins.classmethod", "typing.overload", "abc.abstractmethod")


def top_definitions(body: Sequence[cst.CSTNode], elsewhere: Sequence[Tuple[str, str]] = ()) -> Dict[str, str]:
    """Module-level names bound once, by a ``def`` or ``class`` at the top of the module
    (``elsewhere``: the (name, kind) of definitions of the file that ``body`` leaves out)."""
    counts: Dict[str, int] = {}
    kinds: Dict[str, str] = {}
    for name, kind in elsewhere:
        counts[name] = counts.get(name, 0) + 1
        kinds[name] = kind
    for statement in body:
        if isinstance(statement, (cst.FunctionDef, cst.ClassDef)):
            name = statement.name.value
            counts[name] = counts.get(name, 0) + 1
            kinds[name] = "class" if isinstance(statement, cst.ClassDef) else "def"
    for small in module_level_statements(body):
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


def is_generator(function: cst.FunctionDef) -> bool:
    """Does ``function`` contain a ``yield`` (as a statement, or as the value assigned,
    augmented or returned: ``x = yield``)? Calling it then runs nothing of its body."""
    return any(_holds_yield(small) for small in _statements(function.body))


def _holds_yield(small: cst.CSTNode) -> bool:
    """``yield x``, ``x = yield``, ``x += yield``, ``return (yield)`` (a ``yield`` deeper in
    an expression, ``print((yield))``, is not looked for)."""
    return isinstance(getattr(small, "value", None), cst.Yield)


def _statements(block: cst.BaseSuite) -> Iterator[cst.BaseSmallStatement]:
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
                yield from _statements(suite)


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


def is_staticmethod(node: cst.FunctionDef) -> bool:
    return any(
        isinstance(decorator.decorator, cst.Name) and decorator.decorator.value in ("staticmethod", "classmethod")
        for decorator in node.decorators
    )


def all_params(params: cst.Parameters) -> Iterator[cst.Param]:
    yield from params.posonly_params
    yield from params.params
    if isinstance(params.star_arg, cst.Param):
        yield params.star_arg
    yield from params.kwonly_params
    if params.star_kwarg is not None:
        yield params.star_kwarg


def module_level_statements(body: Sequence[cst.CSTNode]) -> Iterator[cst.BaseSmallStatement]:
    """Small statements at module level, looking into if/try/with blocks but not defs."""
    for statement in body:
        if isinstance(statement, cst.SimpleStatementLine):
            yield from statement.body
        elif isinstance(statement, (cst.If, cst.Try, cst.With, cst.Else, cst.ExceptHandler, cst.Finally)):
            inner = statement.body
            if isinstance(inner, cst.IndentedBlock):
                yield from module_level_statements(inner.body)
            for attr in ("orelse", "finalbody"):
                yield from module_level_statements([getattr(statement, attr)] if getattr(statement, attr, None) else [])
            for handler in getattr(statement, "handlers", ()):
                yield from module_level_statements([handler])


def qualname(stack: List[cst.CSTNode], module_name: Optional[str]) -> str:
    """Python's ``__qualname__`` of the innermost function, prefixed with the module."""
    parts: List[str] = []
    inside_function = False
    for node in stack:
        if isinstance(node, (cst.FunctionDef, cst.ClassDef)):
            if inside_function:
                parts.append("<locals>")
            parts.append(node.name.value)
            inside_function = isinstance(node, cst.FunctionDef)
    if module_name:
        module = module_name[: -len(".__init__")] if module_name.endswith(".__init__") else module_name
        parts.insert(0, module)
    return ".".join(parts)


def is_docstring(statement: cst.CSTNode) -> bool:
    """A statement that is only a string: a module's, class's or function's docstring
    when it comes first."""
    return (
        isinstance(statement, cst.SimpleStatementLine)
        and len(statement.body) == 1
        and isinstance(statement.body[0], cst.Expr)
        and isinstance(statement.body[0].value, (cst.SimpleString, cst.ConcatenatedString))
    )
