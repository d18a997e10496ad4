"""``reveal_type(expr)`` for the linter's own inference, as mypy has it for its own.

The source is walked exactly as the engine walks it before any rule runs (the same
dispatcher keeps the scopes), and each ``reveal_type(x)`` call records what the resolver
says ``x`` is at that point. With several modules, deferred types are resolved through the
project's type facts, as the project pass does.
"""

from __future__ import annotations

import textwrap
from typing import Dict, List, Mapping, Optional

import libcst as cst

from timeoutlint.analysis import types as T
from timeoutlint.context import FileContext
from timeoutlint.engine import _Dispatcher
from timeoutlint.settings import Settings
from timeoutlint.walk import walk


class _Revealing(_Dispatcher):
    def __init__(self, ctx: FileContext) -> None:
        super().__init__(ctx, [])
        self.revealed: List[Optional[str]] = []

    def on_visit(self, node: cst.CSTNode) -> None:
        super().on_visit(node)
        if (
            isinstance(node, cst.Call)
            and isinstance(node.func, cst.Name)
            and node.func.value == "reveal_type"
            and len(node.args) == 1
        ):
            self.revealed.append(self.ctx.type_of(node.args[0].value))


def _walk(source: str, module_name: Optional[str]) -> tuple[FileContext, List[Optional[str]]]:
    text = textwrap.dedent(source)
    module = cst.parse_module(text)
    ctx = FileContext("<test>", text, module, Settings(), module_name)
    walker = _Revealing(ctx)
    walk(module, walker.on_visit, walker.on_leave)
    return ctx, walker.revealed


def reveal(source: str, module_name: Optional[str] = "pkg.mod") -> List[Optional[str]]:
    """What each ``reveal_type(...)`` of one file is, as the file alone tells."""
    return _walk(source, module_name)[1]


def reveal_project(modules: Mapping[str, str], module_name: str) -> List[Optional[str]]:
    """What each ``reveal_type(...)`` of ``module_name`` is, with every module's type facts
    known (None: unknown, also when the type is still deferred at the end)."""
    facts: Dict[str, Mapping[str, object]] = {}
    revealed: List[Optional[str]] = []
    for name, source in modules.items():
        ctx, found = _walk(source, name)
        facts[name] = ctx.resolver.type_facts()
        if name == module_name:
            revealed = found
    project = T.ProjectTypes(facts)
    return [project.resolve(found) for found in revealed]
