"""What every rule sees of the file being linted: the settings, the node stack, name
resolution and inference (``scopes.Resolver``), reporting, and fix construction.

Rules build fixes as libcst node replacements plus the imports they need
(:class:`PendingFix`); the engine turns them into text edits once positions are known.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, List, Optional, Union

import libcst as cst

from timeoutlint.ftypes import Applicability
from timeoutlint.analysis.bindings import Scope, dotted_name
from timeoutlint.analysis.scopes import Resolver
from timeoutlint.analysis.waits import BLOCKING_CALLS_OPTION
from timeoutlint.positions import Positions
from timeoutlint.selection import Selection
from timeoutlint.settings import Settings

if TYPE_CHECKING:
    from timeoutlint.rule import Rule


@dataclass(frozen=True)
class ImportNeed:
    """``from module import name`` (or ``import module`` when name is None)."""

    module: str
    name: Optional[str] = None

    def statement(self) -> str:
        return f"from {self.module} import {self.name}" if self.name else f"import {self.module}"


@dataclass
class PendingFix:
    title: str
    applicability: Applicability
    replacements: list[tuple[cst.CSTNode, Union[cst.CSTNode, cst.RemovalSentinel]]] = field(default_factory=list)
    imports: list[ImportNeed] = field(default_factory=list)


@dataclass
class PendingReport:
    rule: Rule
    node: cst.CSTNode
    statement: Optional[cst.CSTNode]
    message: str
    fix: Optional[PendingFix]
    dependencies: list[tuple[Scope, str]]
    scope: str = ""


def declared_classes(settings: Settings) -> frozenset[str]:
    """The owners of the callables ``blocking-calls`` names, as candidate classes
    (``mypkg.api.Client`` of ``mypkg.api.Client.call``)."""
    owners = set()
    for code, options in settings.rule_options:
        for name, value in options:
            if name == BLOCKING_CALLS_OPTION:
                owners.update(dict(entry)["name"].rsplit(".", 1)[0] for entry in value)
    return frozenset(owners)


class FileContext:
    def __init__(
        self,
        path: str,
        source: str,
        module: cst.Module,
        settings: Settings,
        module_name: Optional[str] = None,
        selection: Optional[Selection] = None,
        starts: Optional[List[int]] = None,
    ) -> None:
        self.path = path
        # The file's text; ``module`` is libcst's tree of ``text``: the same text, or the
        # parts of it the rules can match (``selection``), whole lines at the lines
        # ``selection.line_map`` gives.
        self.source = source
        self.selection = selection
        self.text = selection.text if selection is not None else source
        self.module = module
        # The first line of each statement of ``module.body`` in the file (None: unknown).
        self.starts = starts
        self._positions: Optional[Positions] = None
        self.settings = settings
        self.target_version = settings.target_version
        skipped = selection.skipped if selection is not None else ()
        self.module_name = module_name
        self.resolver = Resolver(module, module_name, declared_classes(settings), skipped)
        # Every node from the module down to the one being visited.
        self.stack: list[cst.CSTNode] = []
        self.reports: list[PendingReport] = []
        # Per-file facts for project-wide rules, keyed by the rule code.
        self.facts: dict[str, Any] = {}
        # Answers the shared analysis keeps for the other rules asking about this file
        # (never cached or serialised).
        self.memo: dict[str, Any] = {}
        # How often each identifier occurs as a Name in the code, and how often only as a
        # part of a ``from a.b import`` module path (which binds nothing): a fix may add
        # an import of a name that is not in use (comments and docstrings do not count).
        self.identifiers: Counter[str] = Counter()
        self.from_module_parts: Counter[str] = Counter()
        # The same counts over the whole file, when libcst sees only part of it (counted
        # when a fix first asks).
        self._whole_file_words: Optional[tuple[Counter[str], Counter[str]]] = None
        self._whole: Optional[cst.Module] = None

    # -- where are we -------------------------------------------------------------------

    def ancestors(self) -> list[cst.CSTNode]:
        """The enclosing nodes, innermost first (the current node excluded)."""
        return self.stack[-2::-1]

    def parent(self) -> Optional[cst.CSTNode]:
        return self.stack[-2] if len(self.stack) >= 2 else None

    def current_function(self) -> Optional[cst.FunctionDef]:
        scope = self.resolver.function_scope()
        return scope.node if scope is not None and isinstance(scope.node, cst.FunctionDef) else None

    def in_async_function(self) -> bool:
        function = self.current_function()
        return function is not None and function.asynchronous is not None

    def option(self, rule: Rule, name: str, default: Any = None) -> Any:
        return self.settings.options_for(rule.code).get(name, default)

    def positions(self) -> Positions:
        """Where nodes are in the file (placed on demand, a top-level statement at a time)."""
        if self._positions is None:
            line = self.selection.line_map.line if self.selection is not None else _same_line
            self._positions = Positions(self.module, self.starts, line)
        return self._positions

    # -- resolution ---------------------------------------------------------------------

    def qualified_name(self, node: cst.CSTNode) -> Optional[str]:
        return self.resolver.qualified_name(node)

    def type_of(self, node: cst.CSTNode) -> Optional[str]:
        return self.resolver.type_of(node)

    # -- reporting ----------------------------------------------------------------------

    def enclosing_statement(self) -> Optional[cst.SimpleStatementLine]:
        return next((n for n in reversed(self.stack) if isinstance(n, cst.SimpleStatementLine)), None)

    def report(
        self,
        rule: Rule,
        node: cst.CSTNode,
        message: str,
        fix: Optional[PendingFix],
        statement: Optional[cst.CSTNode] = None,
        scope: str = "",
    ) -> None:
        """Record a finding. ``statement`` (for noqa and baselines) defaults to the simple
        statement being visited; a rule reporting later (from a ``leave_`` method) passes
        the one it noted at visit time."""
        if statement is None:
            statement = self.enclosing_statement()
        self.reports.append(PendingReport(rule, node, statement, message, fix, list(self.resolver.dependencies), scope))

    # -- fix helpers --------------------------------------------------------------------

    def whole_module(self) -> cst.Module:
        """libcst's tree of the whole file, for a question about all of it (what it
        imports, every binding of a name): ``module`` itself unless it is a selection,
        else parsed when first asked. Its nodes are not the ones the rules visit."""
        if self.selection is None:
            return self.module
        if self._whole is None:
            self._whole = cst.parse_module(self.source)
        return self._whole

    def _word_used(self, word: str) -> bool:
        if self.selection is not None:
            if self._whole_file_words is None:
                self._whole_file_words = _identifier_counts(self.whole_module())
            identifiers, from_module_parts = self._whole_file_words
        else:
            identifiers, from_module_parts = self.identifiers, self.from_module_parts
        return identifiers[word] > from_module_parts[word]

    def reference(self, module: str, name: str) -> Optional[tuple[cst.BaseExpression, Optional[ImportNeed]]]:
        """An expression naming ``module.name`` here, reusing a binding the file already
        has (``import x as y``, ``from x import name as n``), else with the import a fix
        must add. None when no import can be added without clashing with a name in use."""
        wanted = f"{module}.{name}"
        for scope in reversed(self.resolver.scopes):
            for local, binding in scope.names.items():
                if binding.qualname == wanted and self.resolver.lookup(local) == binding:
                    return cst.Name(local), None
        for scope in reversed(self.resolver.scopes):
            for local, binding in scope.names.items():
                if binding.qualname == module and self.resolver.lookup(local) == binding:
                    return cst.Attribute(cst.Name(local), cst.Name(name)), None
        top = module.split(".")[0]
        if module != top and module in self.resolver.imported_modules:
            package = self.resolver.lookup(top)
            if package is not None and package.qualname == top:  # ``import a.b`` here
                return cst.parse_expression(wanted), None
        if not self._word_used(name):
            return cst.Name(name), ImportNeed(module, name)
        if not self._word_used(top):
            expression: cst.BaseExpression = cst.parse_expression(wanted)
            return expression, ImportNeed(module)
        return None


class _IdentifierCounter(cst.CSTVisitor):
    def __init__(self) -> None:
        super().__init__()
        self.identifiers: Counter[str] = Counter()
        self.from_module_parts: Counter[str] = Counter()

    def visit_Name(self, node: cst.Name) -> None:
        self.identifiers[node.value] += 1

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        if node.module is not None:
            parts = dotted_name(node.module)
            if parts:
                self.from_module_parts.update(parts.split("."))


def _identifier_counts(module: cst.Module) -> tuple[Counter[str], Counter[str]]:
    """What the shared pass counts (``FileContext.identifiers``), for a whole module."""
    counter = _IdentifierCounter()
    module.visit(counter)
    return counter.identifiers, counter.from_module_parts


def _same_line(line: int) -> int:
    return line
