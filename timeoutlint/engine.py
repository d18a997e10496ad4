"""Lint one source string: one libcst parse, every enabled rule in one shared pass.

The pass is a plain visitor that keeps the node stack and the scope bookkeeping
(``scopes.Resolver``) and dispatches each node to the ``visit_<Node>``/``leave_<Node>``
methods of the enabled rules. Positions are computed only for files with findings (most
files have none), then findings are turned into :class:`~timeoutlint.ftypes.Diagnostic`
objects, suppressed by ``# noqa`` and given text-edit fixes.
"""

from __future__ import annotations

import ast
import contextlib
import dataclasses
import hashlib
import sys
import re
from collections import defaultdict
from typing import Any, Callable, Dict, Iterator, Optional, Sequence

import libcst as cst

from timeoutlint.context import FileContext, ImportNeed, PendingFix, PendingReport
from timeoutlint.ftypes import Diagnostic, Edit, FileResult, Fix, LintError
from timeoutlint.rule import Rule, all_rules, triggers_pattern
from timeoutlint.selection import Selection
from timeoutlint.analysis.bindings import dotted_name
from timeoutlint.settings import Settings
from timeoutlint.import_placement import joined, leading_imports, new_key, placement
from timeoutlint.positions import statement_starts
from timeoutlint.sourcefile import LineIndex, newline_of
from timeoutlint.walk import walk
from timeoutlint.suppression import find_suppressions

_COMPREHENSIONS = (cst.ListComp, cst.SetComp, cst.DictComp, cst.GeneratorExp)


def enabled_rules(settings: Settings, path: Optional[str] = None) -> list[type[Rule]]:
    from pathlib import Path

    ignored = settings.ignored_for_path(Path(path)) if path else ()
    return [rule for rule in _selected(settings) if not any(rule.code.startswith(prefix) for prefix in ignored)]


# The rules a configuration selects, asked for every file of a run (settings are frozen;
# the few a process sees are kept).
_SELECTED: dict[tuple[Settings, tuple[type[Rule], ...]], list[type[Rule]]] = {}


def _selected(settings: Settings) -> list[type[Rule]]:
    rules = all_rules()
    key = (settings, tuple(rules))
    found = _SELECTED.get(key)
    if found is None:
        if len(_SELECTED) > 64:
            _SELECTED.clear()
        found = _SELECTED[key] = [rule for rule in rules if settings.is_enabled(rule.code)]
    return found


def rule_triggers(rule: type[Rule], settings: Optional[Settings]) -> tuple[str, ...]:
    """A rule's triggers; with ``settings``, also those its options add (``blocking-calls``)."""
    return rule.triggers_for(settings) if settings is not None else rule.triggers


def could_match(source: str, rules: Sequence[type[Rule]], settings: Optional[Settings] = None) -> list[type[Rule]]:
    """The rules whose triggers (and required words, ``Rule.requires``) occur in ``source``
    (the others cannot match)."""
    found = []
    for rule in rules:
        if not triggers_pattern(rule_triggers(rule, settings)).search(source):
            continue
        required = rule.requires_for(settings) if settings is not None else rule.requires
        if not required or triggers_pattern(required).search(source):
            found.append(rule)
    return found


def any_trigger(rules: Sequence[type[Rule]], settings: Optional[Settings]) -> re.Pattern[str]:
    """One pattern for the triggers of all ``rules``."""
    return triggers_pattern([trigger for rule in rules for trigger in rule_triggers(rule, settings)])


class _Dispatcher:
    """Called on entering and leaving each node (``walk.walk``, in libcst's visiting order)."""

    def __init__(self, ctx: FileContext, rules: Sequence[Rule]) -> None:
        self.ctx = ctx
        self.resolver = ctx.resolver
        self.visits: dict[type, list[Callable[[cst.CSTNode], object]]] = defaultdict(list)
        self.leaves: dict[type, list[Callable[[cst.CSTNode], object]]] = defaultdict(list)
        for rule in rules:
            for method, node_name in type(rule).visitor_methods.items():
                table = self.visits if method.startswith("visit_") else self.leaves
                table[getattr(cst, node_name)].append(getattr(rule, method))
        self._tables()

    # The scope bookkeeping, by node type (a dict lookup: ``isinstance`` chains on libcst's
    # abstract node classes cost more than the rest of the dispatch).

    def _enter_import_from(self, node: cst.ImportFrom) -> None:
        if node.module is not None:
            parts = dotted_name(node.module)
            if parts:
                self.ctx.from_module_parts.update(parts.split("."))

    def _enter_with(self, node: cst.With) -> None:
        resolver = self.resolver
        for item in node.items:
            if item.asname is not None:
                resolver.bind_target(item.asname.name, resolver.entered_type(item.item))

    def _enter_for(self, node: cst.For) -> None:
        resolver = self.resolver
        resolver.bind_target(node.target, resolver.element_of(node.iter) if type(node.target) is cst.Name else None)

    def _enter_handler(self, node: cst.ExceptHandler) -> None:
        if node.name is not None:
            self.resolver.bind_target(node.name.name, None)

    def _leave_scope(self, node: cst.CSTNode) -> None:
        self.resolver.pop()

    def _leave_assign(self, node: cst.Assign) -> None:
        resolver = self.resolver
        value_type = resolver.type_of(node.value)
        for target in node.targets:
            resolver.bind_target(target.target, value_type, node.value)

    def _leave_ann_assign(self, node: cst.AnnAssign) -> None:
        resolver = self.resolver
        annotated = resolver.annotation_type(node.annotation.annotation)
        resolver.bind_target(node.target, annotated or (resolver.type_of(node.value) if node.value else None), node.value)

    def _leave_named_expr(self, node: cst.NamedExpr) -> None:
        self.resolver.bind_target(node.target, self.resolver.type_of(node.value))

    def _leave_expr(self, node: cst.Expr) -> None:
        if type(node.value) is cst.Call:
            self.resolver.note_added(node.value)

    def _tables(self) -> None:
        resolver = self.resolver
        enter: Dict[type, Callable[[Any], object]] = {
            cst.ImportFrom: self._enter_import_from,
            cst.FunctionDef: resolver.enter_function,
            cst.Lambda: resolver.enter_function,
            cst.ClassDef: resolver.enter_class,
            cst.With: self._enter_with,
            cst.For: self._enter_for,
            cst.ExceptHandler: self._enter_handler,
        }
        leave: Dict[type, Callable[[Any], object]] = {
            cst.FunctionDef: self._leave_scope,
            cst.Lambda: self._leave_scope,
            cst.ClassDef: self._leave_scope,
            cst.Import: resolver.bind_import,
            cst.ImportFrom: resolver.bind_import,
            cst.Assign: self._leave_assign,
            cst.AnnAssign: self._leave_ann_assign,
            cst.AugAssign: lambda node: resolver.bind_target(node.target, None),
            cst.NamedExpr: self._leave_named_expr,
            cst.Expr: self._leave_expr,
        }
        for comprehension in _COMPREHENSIONS:
            enter[comprehension] = resolver.enter_comprehension
            leave[comprehension] = self._leave_scope
        self._enter, self._leave = enter, leave

    def on_visit(self, node: cst.CSTNode) -> None:
        self.ctx.stack.append(node)
        kind = type(node)
        if kind is cst.Name:
            self.ctx.identifiers[node.value] += 1  # type: ignore[attr-defined]
        else:
            enter = self._enter.get(kind)
            if enter is not None:
                enter(node)
        callbacks = self.visits.get(kind)
        if callbacks:
            self._run(callbacks, node)

    def _run(self, callbacks: list[Callable[[cst.CSTNode], object]], node: cst.CSTNode) -> None:
        """The rules' visit (or leave) methods for ``node``, each with fresh dependencies."""
        dependencies = self.resolver.dependencies
        for callback in callbacks:
            dependencies.clear()
            callback(node)

    def on_leave(self, original_node: cst.CSTNode) -> None:
        node = original_node
        kind = type(node)
        callbacks = self.leaves.get(kind)
        if callbacks:
            self._run(callbacks, node)
        leave = self._leave.get(kind)
        if leave is not None:
            leave(node)
        self.ctx.stack.pop()


# libcst visits recursively, a few Python frames per tree level: long implicit string
# concatenations or operator chains go deeper than Python's default limit of 1000.
# (Pathologically deep code never gets here: ``api.python_tree`` rejects it first.)
_RECURSION_LIMIT = 10000


@contextlib.contextmanager
def _deep_recursion() -> Iterator[None]:
    previous = sys.getrecursionlimit()
    if previous < _RECURSION_LIMIT:
        sys.setrecursionlimit(_RECURSION_LIMIT)
    try:
        yield
    finally:
        if previous < _RECURSION_LIMIT:
            sys.setrecursionlimit(previous)


def lint_module(
    source: str,
    module: cst.Module,
    path: str,
    settings: Settings,
    rule_classes: Sequence[type[Rule]],
    module_name: Optional[str] = None,
    selection: Optional[Selection] = None,
    statements: Optional[Sequence[ast.stmt]] = None,
) -> FileResult:
    """``module`` is libcst's tree of ``source``, or of ``selection.text`` (the parts of
    ``source`` the rules can match); findings and fixes are placed in ``source`` either way.
    ``statements``: CPython's top-level statements of the same code, which say where each
    of libcst's starts (see ``positions.py``)."""
    with _deep_recursion():
        return _lint_module(source, module, path, settings, rule_classes, module_name, selection, statements)


def _lint_module(
    source: str,
    module: cst.Module,
    path: str,
    settings: Settings,
    rule_classes: Sequence[type[Rule]],
    module_name: Optional[str],
    selection: Optional[Selection],
    statements: Optional[Sequence[ast.stmt]],
) -> FileResult:
    starts = statement_starts(module, statements) if statements is not None else None
    ctx = FileContext(path, source, module, settings, module_name, selection, starts)
    dispatcher = _Dispatcher(ctx, [rule_class(ctx) for rule_class in rule_classes])
    walk(ctx.module, dispatcher.on_visit, dispatcher.on_leave)
    result = FileResult(path, facts=ctx.facts)
    reports = [report for report in ctx.reports if not _relies_on_unstable(report)]
    if not reports:
        return result
    builder = DiagnosticBuilder(ctx)
    suppressions = find_suppressions(source)
    seen: set[tuple[str, int, int, int, int]] = set()
    silenced: list[Diagnostic] = []
    for report in reports:
        diagnostic = builder.build(report, result)
        if diagnostic is None:
            continue
        key = (diagnostic.code, diagnostic.line, diagnostic.column, diagnostic.end_line, diagnostic.end_column)
        if key in seen:
            continue
        seen.add(key)
        if not suppressions.suppresses(diagnostic.code, {diagnostic.line, diagnostic.statement_lines[1]}):
            result.diagnostics.append(diagnostic)
        else:
            silenced.append(diagnostic)
    if silenced:
        result.diagnostics = [_without_fix_over(d, silenced) for d in result.diagnostics]
    result.diagnostics.sort(key=Diagnostic.sort_key)
    return result


def _span_of(d: Diagnostic) -> tuple[tuple[int, int], tuple[int, int]]:
    return (d.line, d.column), (d.end_line, d.end_column)


def _without_fix_over(diagnostic: Diagnostic, silenced: Sequence[Diagnostic]) -> Diagnostic:
    """A fix that would rewrite code whose finding of the same rule a ``# noqa`` silences
    (the clock of a suppressed ``time.time()`` that a sibling's fix switches too) is not
    offered: the comment says to leave that code alone."""
    if diagnostic.fix is None:
        return diagnostic
    for other in silenced:
        if other.code != diagnostic.code:
            continue
        start, end = _span_of(other)
        for edit in diagnostic.fix.edits:
            if (edit.line, edit.column) <= end and start <= (edit.end_line, edit.end_column):
                return dataclasses.replace(diagnostic, fix=None)
    return diagnostic


def _relies_on_unstable(report: PendingReport) -> bool:
    return any(attr in scope.unstable_attrs for scope, attr in report.dependencies)


def _normalized(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


class DiagnosticBuilder:
    """Turns pending reports into diagnostics (spans, statement hash, text-edit fixes); the
    project rules use it too, so their findings are keyed exactly like per-file ones."""

    def __init__(self, ctx: FileContext) -> None:
        self.ctx = ctx
        self.positions = ctx.positions()  # in the file (``ctx.source``), not in ``ctx.text``
        self.lines = LineIndex(ctx.source)
        # Findings of one group often share one PendingFix: build it once.
        self.built: dict[int, tuple[PendingFix, Fix]] = {}

    def _span(self, node: cst.CSTNode) -> tuple[int, int, int, int]:
        where = self.positions[node]
        return where.start.line, where.start.column + 1, where.end.line, where.end.column + 1

    def _text(self, span: tuple[int, int, int, int]) -> str:
        start = self.lines.offset(span[0], span[1])
        end = self.lines.offset(span[2], span[3])
        return self.ctx.source[start:end]

    def build(self, report: PendingReport, result: FileResult) -> Optional[Diagnostic]:
        rule = report.rule
        span = self._span(report.node)
        statement_span = self._span(report.statement) if report.statement is not None else span
        digest = hashlib.sha1(_normalized(self._text(statement_span)).encode()).hexdigest()[:16]
        fix = None
        if report.fix is not None:
            try:
                cached = self.built.get(id(report.fix))
                if cached is None:
                    cached = (report.fix, self._fix(report.fix))
                    self.built[id(report.fix)] = cached
                fix = cached[1]
            except Exception as exc:  # a broken fix must not lose the finding
                result.errors.append(LintError(self.ctx.path, f"internal error building fix for {rule.code}: {exc!r}"))
        return Diagnostic(
            code=rule.code,
            name=rule.name,
            message=report.message,
            path=self.ctx.path,
            line=span[0],
            column=span[1],
            end_line=span[2],
            end_column=span[3],
            fix=fix,
            statement_lines=(statement_span[0], statement_span[2]),
            statement_hash=digest,
            scope=report.scope,
        )

    def _fix(self, pending: PendingFix) -> Fix:
        edits: list[Edit] = []
        for old, new in pending.replacements:
            edit = self.positions.replaced(old, new, self.ctx.text)
            if edit is not None:
                edits.append(edit)
        for need in dict.fromkeys(pending.imports):
            edits.append(self._import_edit(need))
        return Fix(pending.applicability, pending.title, tuple(sorted(edits)))

    def _import_edit(self, need: ImportNeed) -> Edit:
        """The new import where an import sorter would put it (``import_placement``)."""
        newline = newline_of(self.ctx.source)
        body = self.ctx.module.body
        own = (self.ctx.module_name or "").split(".")[0] or None
        start, block = leading_imports(body)
        if need.name is not None:
            for statement in block:
                small = statement.body[0]
                if len(statement.body) == 1 and isinstance(small, cst.ImportFrom) and not small.relative:
                    if small.module is not None and dotted_name(small.module) == need.module:
                        joined_import = joined(small, need.name)
                        edit = self.positions.replaced(small, joined_import, self.ctx.text) if joined_import else None
                        if edit is not None:
                            return edit
        if not block:
            return self._first_import(need, body, start, newline)
        index, blank = placement(block, new_key(need.module, need.name, own), own)
        if index < len(block):
            line = self.positions[block[index]].start.line
            return Edit(line, 1, line, 1, need.statement() + newline + (newline if blank == "after" else ""))
        opening = newline if blank == "before" else ""
        return self._after_line(self.positions[block[-1]].end.line, opening + need.statement(), newline)

    def _after_line(self, end_line: int, text: str, newline: str, gap: str = "") -> Edit:
        """``text`` as the line(s) after ``end_line`` (then ``gap``), also when that line
        ends the file without a newline."""
        offset = self.lines.line_end(end_line)
        line, column = self.lines.position(offset)
        if offset == len(self.ctx.source) and not self.ctx.source.endswith(("\n", "\r")):
            return Edit(line, column, line, column, newline + text)
        return Edit(line, column, line, column, text + newline + gap)

    def _first_import(self, need: ImportNeed, body: Sequence[cst.BaseStatement], start: int, newline: str) -> Edit:
        """The module's first import: after its docstring, with the blank lines a sorter
        wants before the code that follows (two before a def or class, else one)."""
        following = body[start] if start < len(body) else None
        gap = newline * (2 if isinstance(following, (cst.FunctionDef, cst.ClassDef)) else 1) if following else ""
        if start == 0 and following is not None:
            line = self.positions[following].start.line
            return Edit(line, 1, line, 1, need.statement() + newline + gap)
        if start == 0:
            end = self.lines.position(len(self.ctx.source))
            prefix = "" if not self.ctx.source or self.ctx.source.endswith(("\n", "\r")) else newline
            return Edit(end[0], end[1], end[0], end[1], prefix + need.statement() + newline)
        return self._after_line(self.positions[body[0]].end.line, need.statement(), newline, gap)
