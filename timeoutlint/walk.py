"""A read-only walk over a libcst tree, in the order libcst's own ``visit`` takes.

libcst's ``visit`` rebuilds every node it passes (``_visit_and_replace_children`` builds a
new node, which validates itself) and asks the visitor for two attribute hooks per child:
most of a lint pass goes there. Rules here only read the tree, so the shared pass walks it
instead: for each node type, the fields holding children, in the order libcst visits them.

That order is read from libcst itself, once per process: each node class's
``_visit_and_replace_children`` names its children field by field (``visit_required(self,
"header", ...)``, ``visit_sequence(self, "body", ...)``), in visiting order. Whitespace and
punctuation (libcst's ``whitespace`` and ``op`` modules) hold no names, calls or
statements and are not walked. ``tests/test_walk.py`` checks the walk against libcst's
``visit`` node for node.
"""

from __future__ import annotations

import ast
import functools
import inspect
import sys
from typing import Callable, Dict, Iterator, Tuple

import libcst as cst
from libcst._nodes import op as _op_nodes
from libcst._nodes import whitespace as _whitespace_nodes

# (field, holds a sequence) per node class, in visiting order
Fields = Tuple[Tuple[str, bool], ...]

_SEQUENCE_VISITS = frozenset({"visit_sequence", "visit_body_sequence", "visit_iterable", "visit_body_iterable"})
_SEQUENCES = (list, tuple)
_SINGLE_VISITS = frozenset({"visit_required", "visit_optional", "visit_sentinel"})


def _node_classes() -> Iterator[type]:
    seen = set()
    pending = [cst.CSTNode]
    while pending:
        cls = pending.pop()
        for sub in cls.__subclasses__():
            if sub not in seen:
                seen.add(sub)
                pending.append(sub)
                if not inspect.isabstract(sub):
                    yield sub


def _skipped(cls: type) -> bool:
    return cls.__module__ in (_op_nodes.__name__, _whitespace_nodes.__name__)


@functools.lru_cache(maxsize=None)
def _module_methods(module_name: str) -> Dict[str, ast.FunctionDef]:
    """Class name -> its ``_visit_and_replace_children``, from a libcst module's source."""
    module = sys.modules[module_name]
    tree = ast.parse(inspect.getsource(module))
    found = {}
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, ast.FunctionDef) and item.name == "_visit_and_replace_children":
                    found[node.name] = item
    return found


def _calls_in_order(node: ast.AST) -> Iterator[ast.Call]:
    """The calls under ``node`` in evaluation order (function, arguments, keywords)."""
    for child in ast.iter_child_nodes(node):
        yield from _calls_in_order(child)
    if isinstance(node, ast.Call):
        yield node


def _fields_of(cls: type) -> Fields:
    for owner in cls.__mro__:
        if "_visit_and_replace_children" in owner.__dict__:
            method = _module_methods(owner.__module__).get(owner.__name__)
            if method is None:
                raise LookupError(f"no source for {owner.__name__}._visit_and_replace_children")
            fields = []
            for call in _calls_in_order(method):
                func = call.func
                name = func.id if isinstance(func, ast.Name) else None
                if name in _SEQUENCE_VISITS or name in _SINGLE_VISITS:
                    field = call.args[1]
                    if not (isinstance(field, ast.Constant) and isinstance(field.value, str)):
                        raise LookupError(f"{owner.__name__}: a child field that is not named")
                    fields.append((field.value, name in _SEQUENCE_VISITS))
            return tuple(fields)
    return ()


@functools.lru_cache(maxsize=1)
def child_fields() -> Dict[type, Fields]:
    """The children fields of every libcst node class that is walked."""
    return {cls: _fields_of(cls) for cls in _node_classes() if not _skipped(cls)}


def walk(root: cst.CSTNode, enter: Callable[[cst.CSTNode], object], leave: Callable[[cst.CSTNode], object]) -> None:
    """Call ``enter`` and ``leave`` on ``root`` and every node under it, as libcst's ``visit``
    would call ``on_visit``/``on_leave`` (whitespace and punctuation left out)."""
    table = child_fields()

    def visit(node: cst.CSTNode) -> None:
        enter(node)
        for name, many in table[type(node)]:
            value = getattr(node, name)
            if many:
                # (a "sequence" field may hold one node libcst does not visit: ``import *``)
                for child in value if type(value) in _SEQUENCES else ():
                    if type(child) in table:
                        visit(child)
            elif type(value) in table:
                visit(value)
        leave(node)

    visit(root)
