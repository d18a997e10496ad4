"""What a type annotation says a value is: a class, a collection of one (``list[Future]``),
or nothing (``Any``, a union of two classes, a string that is not an expression).

``Optional[X]``, ``X | None``, ``Union[X, None]``, ``Final[X]``, ``Annotated[X, ...]`` and
string (forward) annotations all say ``X``. A mixin of ``scopes.Resolver``: names in the
annotation are looked up where it is written.
"""

from __future__ import annotations

from typing import List, Optional, Sequence

import libcst as cst

from timeoutlint.analysis import types as T
from timeoutlint.analysis.bindings import is_none
from timeoutlint.analysis.known import OPTIONAL_WRAPPERS, SEQUENCE_ANNOTATIONS, annotated_type

# Annotations that say nothing about the value.
_ANY = frozenset({"typing.Any", "typing_extensions.Any", "builtins.object"})
_UNION = frozenset({"typing.Union", "typing_extensions.Union"})
_TRANSPARENT = frozenset({"typing.Final", "typing.ClassVar", "typing.Annotated", "typing_extensions.Annotated"})


class Annotations:
    """``annotation_type``: the part of the resolver that reads annotations."""

    def qualified_name(self, node: cst.CSTNode) -> Optional[str]:
        raise NotImplementedError

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
            if qualname in _ANY or qualname is None or qualname.startswith("builtins."):
                return None
            return annotated_type(qualname)
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
            return annotated_type(base)  # a generic such as Popen[bytes]
        if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.BitOr):
            return self._union(_union_members(node))
        return None

    def _union(self, members: Sequence[cst.BaseExpression]) -> Optional[str]:
        not_none = [member for member in members if not is_none(member)]
        if len(not_none) != 1:
            return None
        return self.annotation_type(not_none[0])


def _union_members(node: cst.BaseExpression) -> List[cst.BaseExpression]:
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.BitOr):
        return _union_members(node.left) + _union_members(node.right)
    return [node]
