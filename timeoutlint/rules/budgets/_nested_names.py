"""Which variable a name inside a nested function is: the clock flow of a function reads
its nested functions and lambdas too (``def expired(): return time.time() > deadline``
compares the enclosing function's deadline), so their names need keys of their own.

A name a nested function binds (a parameter, an assignment target, a ``for``/``with``/
``except`` target, an import, an inner ``def``) is local to it unless declared
``nonlocal``; it gets the key ``<N>name``. A name declared ``global`` gets
``<global>name``. Any other name is the enclosing function's (or a global): its key is the
name itself, as in the enclosing body. Nested classes are not read (their bodies are
another scope the flow treats as opaque).
"""

from __future__ import annotations

from typing import Dict, Iterator, List, Sequence, Set, Tuple

import libcst as cst

from timeoutlint.analysis.bindings import assigned_names

GLOBAL = "<global>"
_FUNCTIONS = (cst.FunctionDef, cst.Lambda)
_Scope = Tuple[int, Set[str], Set[str]]  # (id, local names, global names)


def _params(params: cst.Parameters) -> Iterator[cst.Param]:
    yield from (*params.posonly_params, *params.params, *params.kwonly_params)
    for star in (params.star_arg, params.star_kwarg):
        if isinstance(star, cst.Param):
            yield star


def _target_names(node: cst.CSTNode) -> Iterator[str]:
    if isinstance(node, cst.Attribute):
        return iter(())
    return assigned_names(node)


def _bound(function: cst.CSTNode) -> Tuple[Set[str], Set[str]]:
    """The names ``function`` binds (locals) and those it declares ``global``."""
    assert isinstance(function, _FUNCTIONS)
    names = {param.name.value for param in _params(function.params)}
    outer: Set[str] = set()
    declared_global: Set[str] = set()
    stack: List[cst.CSTNode] = [function.body]
    while stack:
        node = stack.pop()
        if isinstance(node, (cst.FunctionDef, cst.ClassDef)):
            names.add(node.name.value)
            continue
        if isinstance(node, cst.Lambda):
            continue
        if isinstance(node, cst.Nonlocal):
            outer.update(item.name.value for item in node.names)
        elif isinstance(node, cst.Global):
            declared_global.update(item.name.value for item in node.names)
        elif isinstance(node, cst.AssignTarget):
            names.update(_target_names(node.target))
        elif isinstance(node, (cst.AugAssign, cst.AnnAssign, cst.NamedExpr, cst.For, cst.CompFor)):
            names.update(_target_names(node.target))
        elif isinstance(node, cst.AsName):
            names.update(_target_names(node.name))
        elif isinstance(node, cst.ImportAlias) and node.asname is None:
            name: cst.BaseExpression = node.name
            while isinstance(name, cst.Attribute):
                name = name.value
            names.update(_target_names(name))
        stack.extend(node.children)
    return names - outer - declared_global, declared_global


def nested_keys(functions: Sequence[cst.CSTNode]) -> Dict[cst.Name, str]:
    """The keys of the names inside the nested functions of one body (``functions`` are
    the outermost nested functions and lambdas found in it)."""
    keys: Dict[cst.Name, str] = {}
    counter = 0
    stack: List[Tuple[cst.CSTNode, Tuple[_Scope, ...]]] = []
    for function in functions:
        stack.append((function, ()))
    while stack:
        node, chain = stack.pop()
        if isinstance(node, cst.ClassDef):
            continue
        if isinstance(node, _FUNCTIONS):
            counter += 1
            local, declared_global = _bound(node)
            inner = chain + ((counter, local, declared_global),)
            if isinstance(node, cst.FunctionDef):
                stack.extend((decorator, chain) for decorator in node.decorators)
                stack.append((node.name, chain))
                stack.append((node.body, inner))
            else:
                stack.append((node.body, inner))
            for param in _params(node.params):
                stack.append((param.name, inner))
                if param.default is not None:
                    stack.append((param.default, chain))
            continue
        if isinstance(node, cst.Name) and chain:
            for scope_id, local, declared_global in reversed(chain):
                if node.value in declared_global:
                    keys[node] = GLOBAL + node.value
                    break
                if node.value in local:
                    keys[node] = f"<{scope_id}>{node.value}"
                    break
            continue
        stack.extend((child, chain) for child in node.children)
    return keys
