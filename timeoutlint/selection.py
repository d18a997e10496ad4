"""How little of a file libcst has to see: the top-level statements that can match.

Every file is parsed with CPython's own parser first (for its syntax errors, and because it
is ten times faster than libcst's). Its top-level statements are grouped into *units*
(statements sharing a line form one unit, with the comments and blank lines above them).
Module-level code — imports, assignments, ``if``/``try`` blocks — is always kept: it is the
context every rule resolves names against. A ``def`` or ``class`` is kept when

- its text matches a trigger of an enabled rule (the rules declare them, ``Rule.triggers``);
- or it names something a kept statement defines that matched (``POOL =
  ThreadPoolExecutor()``, ``import subprocess as sp``, a local function or class whose own
  text matched): a name can carry a type from one statement into another;
- or a kept statement names it (a base class, a function whose return type is inferred),
  so that type inference sees what it would see in the whole file;
- or it belongs to the head of the file (up to the first statement that is not an import):
  where fixes insert imports, and where libcst learns the file's newline;
- or it holds the first indented block (where libcst learns the file's indentation, which
  generated code uses).

The kept units are joined into a smaller text, parsed by libcst; ``LineMap`` turns its
line numbers back into the file's (columns are unchanged: whole lines are kept). Nothing
is ever cut from inside a statement, so every node libcst sees is the node it would see in
the whole file, at the same place.
"""

from __future__ import annotations

import ast
import bisect
import re
from dataclasses import dataclass, field
from typing import Iterable, Iterator, Optional, Pattern, Sequence

_SKIPPABLE = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
_IMPORTS = (ast.Import, ast.ImportFrom)
_COMPOUND_BLOCKS = ("body", "orelse", "finalbody", "handlers")


@dataclass
class Unit:
    first: int  # 1-based first line (comments above the statement included)
    last: int  # 1-based last line
    statements: list[ast.stmt] = field(default_factory=list)

    @property
    def skippable(self) -> bool:
        return all(isinstance(statement, _SKIPPABLE) for statement in self.statements)

    def definitions(self) -> list[tuple[str, str]]:
        """(name, "def" | "class") of each definition this unit makes."""
        return [
            (statement.name, "class" if isinstance(statement, ast.ClassDef) else "def")
            for statement in self.statements
            if isinstance(statement, _SKIPPABLE)
        ]


class LineMap:
    """Lines of the selected text -> lines of the file."""

    def __init__(self, pieces: Sequence[tuple[int, int]]) -> None:
        # (first line in the selection, first line in the file) of each run of kept lines
        self.starts = [piece[0] for piece in pieces]
        self.offsets = [piece[1] - piece[0] for piece in pieces]

    def line(self, line: int) -> int:
        index = bisect.bisect_right(self.starts, line) - 1
        return line + self.offsets[max(index, 0)]


@dataclass
class Selection:
    text: str
    line_map: LineMap
    skipped: list[tuple[str, str]]  # the definitions left out: (name, kind)
    statements: list[ast.stmt]  # CPython's statements of ``text``, in order
    kept_lines: int
    total_lines: int


def _first_line(statement: ast.stmt) -> int:
    decorators = getattr(statement, "decorator_list", None)
    return min([statement.lineno] + [d.lineno for d in decorators]) if decorators else statement.lineno


def units_of(tree: ast.Module, line_count: int) -> list[Unit]:
    units: list[Unit] = []
    previous_last = 0
    for statement in tree.body:
        first = _first_line(statement)
        last = statement.end_lineno or statement.lineno
        if units and first <= units[-1].last:  # ``a = 1; b = 2``, or ``if x: y`` on one line
            units[-1].statements.append(statement)
            units[-1].last = max(units[-1].last, last)
        else:
            units.append(Unit(previous_last + 1, last, [statement]))
        previous_last = units[-1].last
    return units


def _defined_names(statements: Iterable[ast.stmt]) -> Iterator[str]:
    """The module-level names these statements bind (not looking into functions)."""
    for statement in statements:
        if isinstance(statement, _SKIPPABLE):
            yield statement.name
        elif isinstance(statement, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
            for target in targets:
                yield from _target_names(target)
        elif isinstance(statement, _IMPORTS):
            for alias in statement.names:
                yield (alias.asname or alias.name).split(".")[0]
        elif isinstance(statement, (ast.For, ast.AsyncFor)):
            yield from _target_names(statement.target)
            yield from _defined_names(statement.body + statement.orelse)
        elif isinstance(statement, (ast.With, ast.AsyncWith)):
            for item in statement.items:
                if item.optional_vars is not None:
                    yield from _target_names(item.optional_vars)
            yield from _defined_names(statement.body)
        else:
            for block in _COMPOUND_BLOCKS:
                inner = getattr(statement, block, None)
                if inner:
                    if block == "handlers":
                        for handler in inner:
                            if handler.name:
                                yield handler.name
                            yield from _defined_names(handler.body)
                    else:
                        yield from _defined_names(inner)


def _target_names(target: ast.expr) -> Iterator[str]:
    if isinstance(target, ast.Name):
        yield target.id
    elif isinstance(target, (ast.Tuple, ast.List)):
        for element in target.elts:
            yield from _target_names(element)
    elif isinstance(target, ast.Starred):
        yield from _target_names(target.value)


def _words(names: Iterable[str]) -> Optional[Pattern[str]]:
    unique = sorted(set(names))
    if not unique:
        return None
    return re.compile(r"\b(?:" + "|".join(map(re.escape, unique)) + r")\b")


def _indents_first(statement: ast.stmt, lines: Sequence[str]) -> bool:
    """Does the statement hold an indented block (a body on lines of its own)?"""
    body = getattr(statement, "body", None)
    if not body or not isinstance(body, list) or not isinstance(body[0], ast.stmt):
        return False
    inner = body[0]
    if inner.lineno <= statement.lineno or inner.lineno > len(lines):
        return False
    return lines[inner.lineno - 1][: inner.col_offset].strip() == ""


def select(source: str, tree: ast.Module, triggers: Pattern[str], line_starts: Sequence[int]) -> Optional[Selection]:
    """The units of ``source`` libcst must see, or None when that is the whole file."""
    line_count = len(line_starts)
    units = units_of(tree, line_count)
    if not units:
        return None
    lines: Optional[list[str]] = None
    unit_firsts = [unit.first for unit in units]

    def unit_at(offset: int) -> int:
        line = bisect.bisect_right(line_starts, offset)
        return max(bisect.bisect_right(unit_firsts, line) - 1, 0)

    def text_of(unit: Unit) -> str:
        start = line_starts[unit.first - 1]
        end = line_starts[unit.last] if unit.last < line_count else len(source)
        return source[start:end]

    matched = [False] * len(units)
    for match in triggers.finditer(source):
        matched[unit_at(match.start())] = True
    keep = [not unit.skippable for unit in units]
    # The head of the file, up to and including its first statement that is not an import.
    for index, unit in enumerate(units):
        keep[index] = True
        if not all(isinstance(s, _IMPORTS) or (index == 0 and _is_docstring(s)) for s in unit.statements):
            break
    # Where libcst learns the indentation.
    for index, unit in enumerate(units):
        if any(hasattr(s, "body") for s in unit.statements):
            if lines is None:
                lines = source.splitlines()
            if any(_indents_first(s, lines) for s in unit.statements):
                keep[index] = True
                break
    skippable = [index for index, unit in enumerate(units) if unit.skippable]
    if not skippable:
        return None
    # Names carry matches from one statement into another.
    tainted: set[str] = set()
    pending = [index for index, unit in enumerate(units) if matched[index]]
    while pending:
        fresh = set()
        for index in pending:
            fresh.update(_defined_names(units[index].statements))
        fresh -= tainted
        tainted |= fresh
        pattern = _words(fresh)
        pending = []
        if pattern is None:
            break
        for index in skippable:
            if not matched[index] and pattern.search(text_of(units[index])):
                matched[index] = True
                pending.append(index)
    for index in skippable:
        keep[index] = keep[index] or matched[index]
    # What kept code names, type inference may read: keep it too.
    by_name: dict[str, list[int]] = {}
    for index in skippable:
        if not keep[index]:
            for name, _ in units[index].definitions():
                by_name.setdefault(name, []).append(index)
    frontier = [index for index in range(len(units)) if keep[index]]
    while frontier and by_name:
        pattern = _words(by_name)
        assert pattern is not None
        found: set[int] = set()
        for index in frontier:
            for match in pattern.finditer(text_of(units[index])):
                found.update(by_name.pop(match.group(), ()))
                if not by_name:
                    break
            if not by_name:
                break
        frontier = [index for index in found if not keep[index]]
        for index in frontier:
            keep[index] = True
    if all(keep):
        return None
    pieces: list[tuple[int, int]] = []
    parts: list[str] = []
    skipped: list[tuple[str, str]] = []
    statements: list[ast.stmt] = []
    selected_line = 1
    kept_lines = 0
    run_start: Optional[int] = None
    for index, unit in enumerate(units + [Unit(units[-1].last + 1, line_count)]):
        kept = index >= len(units) or keep[index]
        if not kept:
            skipped.extend(unit.definitions())
            run_start = None
            continue
        if unit.last < unit.first:
            continue
        if run_start is None:
            pieces.append((selected_line, unit.first))
            run_start = unit.first
        parts.append(text_of(unit))
        statements.extend(unit.statements)
        count = unit.last - unit.first + 1
        selected_line += count
        kept_lines += count
    return Selection("".join(parts), LineMap(pieces), skipped, statements, kept_lines, line_count)


def _is_docstring(statement: ast.stmt) -> bool:
    return (
        isinstance(statement, ast.Expr)
        and isinstance(statement.value, ast.Constant)
        and isinstance(statement.value.value, str)
    )
