"""What a name is bound to, and the scopes that hold the bindings (see ``scopes``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, Iterator, Optional, Tuple

import libcst as cst

from timeoutlint.analysis.known import ALIASES


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

    def stable_attrs(self) -> Dict[str, str]:
        """A class scope's attribute types, without the attributes methods disagree on."""
        return {attr: t for attr, t in self.attr_types.items() if attr not in self.unstable_attrs}

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
