"""Facts about one body — a function's, a lambda's or the module's — for TL104: the names it
binds, the functions it defines, and the ``X.get()``/``X.set()`` calls and plain calls it
makes. Nested functions, classes and lambdas are bodies of their own (only their names are
bound here); comprehensions belong to the body around them."""

from __future__ import annotations

from collections import Counter
from typing import Dict, List, Optional, Set, Tuple, Union

import libcst as cst

from timeoutlint.analysis.bindings import dotted_name

Root = Union[cst.Module, cst.FunctionDef, cst.Lambda]
_NESTED = (cst.FunctionDef, cst.ClassDef, cst.Lambda)


def _flat_names(target: cst.CSTNode) -> List[str]:
    if isinstance(target, cst.Name):
        return [target.value]
    if isinstance(target, (cst.Tuple, cst.List)):
        return [name for element in target.elements for name in _flat_names(element.value)]
    if isinstance(target, cst.StarredElement):
        return _flat_names(target.value)
    return []


class Body:
    def __init__(self, root: Root) -> None:
        self.root = root
        self.bound: Counter[str] = Counter()
        # the value of each binding of a name (None: a parameter, loop target, import...)
        self.values: Dict[str, List[Optional[cst.BaseExpression]]] = {}
        self.defs: Dict[str, cst.FunctionDef] = {}
        self.classes: Dict[str, cst.ClassDef] = {}
        self.declared_global: Set[str] = set()
        self.gets: Set[str] = set()  # X in X.get(...)
        self.sets: Set[str] = set()  # X in X.set(...)
        self.calls: Set[str] = set()  # f in f(...)
        self.attr_calls: Set[Tuple[str, str]] = set()  # (x, m) for x.m(...)
        self.self_name: Optional[str] = None
        # names bound by ``from m import x [as y]`` here: y -> (the import, "x")
        self.from_imports: Dict[str, Tuple[cst.ImportFrom, str]] = {}
        starts: List[cst.CSTNode]
        if isinstance(root, cst.Module):
            starts = list(root.body)
        else:
            params = root.params
            positional = list(params.posonly_params) + list(params.params)
            for param in [*positional, *params.kwonly_params, params.star_arg, params.star_kwarg]:
                if isinstance(param, cst.Param):
                    self._bind(param.name.value, None)
            if isinstance(root, cst.FunctionDef) and positional:
                self.self_name = positional[0].name.value
            starts = [root.body]
        for start in starts:
            self._walk(start)

    def _bind(self, name: str, value: Optional[cst.BaseExpression]) -> None:
        self.bound[name] += 1
        self.values.setdefault(name, []).append(value)

    def _bind_target(self, target: cst.CSTNode, value: Optional[cst.BaseExpression]) -> None:
        names = _flat_names(target)
        for name in names:
            self._bind(name, value if isinstance(target, cst.Name) else None)

    def _walk(self, start: cst.CSTNode) -> None:
        stack: List[cst.CSTNode] = [start]
        while stack:
            node = stack.pop()
            if isinstance(node, cst.FunctionDef):
                self._bind(node.name.value, None)
                self.defs[node.name.value] = node
                stack.extend(d.decorator for d in node.decorators)
                continue
            if isinstance(node, cst.ClassDef):
                self._bind(node.name.value, None)
                self.classes[node.name.value] = node
                continue
            if isinstance(node, cst.Lambda):
                continue
            self._note(node)
            stack.extend(node.children)

    def _note(self, node: cst.CSTNode) -> None:
        if isinstance(node, cst.Assign):
            for target in node.targets:
                self._bind_target(target.target, node.value)
        elif isinstance(node, cst.AnnAssign):
            if node.value is not None:
                self._bind_target(node.target, node.value)
        elif isinstance(node, (cst.AugAssign, cst.For, cst.CompFor)):
            self._bind_target(node.target, None)
        elif isinstance(node, cst.NamedExpr):
            self._bind_target(node.target, node.value)
        elif isinstance(node, cst.ImportFrom) and not isinstance(node.names, cst.ImportStar):
            for alias in node.names:
                imported = dotted_name(alias.name) or ""
                local = alias.asname.name if alias.asname is not None else alias.name
                if isinstance(local, cst.Name) and imported:
                    self.from_imports[local.value] = (node, imported)
        elif isinstance(node, cst.AsName):
            self._bind_target(node.name, None)
        elif isinstance(node, cst.ImportAlias) and node.asname is None:
            top = (dotted_name(node.name) or "").split(".")[0]
            if top:
                self._bind(top, None)
        elif isinstance(node, (cst.Global, cst.Nonlocal)):
            if isinstance(node, cst.Global):
                self.declared_global.update(item.name.value for item in node.names)
        elif isinstance(node, cst.Del):
            self._bind_target(node.target, None)
        elif isinstance(node, cst.Call):
            func = node.func
            if isinstance(func, cst.Name):
                self.calls.add(func.value)
            elif isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name):
                receiver, method = func.value.value, func.attr.value
                if method == "get":
                    self.gets.add(receiver)
                elif method == "set":
                    self.sets.add(receiver)
                self.attr_calls.add((receiver, method))
