"""Where nodes are in the file, computed one top-level statement at a time.

libcst's ``PositionProvider`` regenerates the code of the whole module to place any node;
in a large file with one finding that costs more than the whole lint. Here each top-level
statement is placed on its own (a one-statement module with the file's indentation and
newline) and shifted to where CPython's parser saw it start (``starts``: the first line of
each statement libcst sees, in order). Only the statements holding a finding, or a node a
fix replaces, are ever placed. Top-level statements start at column 0, so columns need no
shift. Without ``starts`` (CPython could not parse the file), the whole module is placed
and its lines mapped through ``line`` (the lines of a selection).

The same holds for fixes: ``replaced`` regenerates one statement, not the module.
"""

from __future__ import annotations

import ast
from typing import Callable, Dict, List, Optional, Sequence, Tuple, Union

import libcst as cst
from libcst.metadata import CodeRange, MetadataWrapper, PositionProvider

from timeoutlint.ftypes import Edit
from timeoutlint.sourcefile import LineIndex
from timeoutlint.walk import walk


def statement_starts(module: cst.Module, statements: Sequence[ast.stmt]) -> Optional[List[int]]:
    """The first line of each statement of ``module.body``, from CPython's statements of
    the same code (a libcst line of statements ``a; b`` is several of CPython's), or None
    when the two do not line up."""
    starts = []
    index = 0
    for statement in module.body:
        if index >= len(statements):
            return None
        starts.append(statements[index].lineno)
        index += len(statement.body) if isinstance(statement, cst.SimpleStatementLine) else 1
    return starts if index == len(statements) else None


class Positions:
    def __init__(self, module: cst.Module, starts: Optional[List[int]], line: Callable[[int], int]) -> None:
        self.module = module
        self.starts = starts
        self.line = line
        self._top_of: Optional[Dict[int, int]] = None
        self._placed: Dict[int, Tuple[Dict[cst.CSTNode, CodeRange], int, cst.Module]] = {}
        self._whole: Optional[Dict[cst.CSTNode, CodeRange]] = None

    def __getitem__(self, node: cst.CSTNode) -> CodeRange:
        top = self.top_index(node)
        if top is None:
            whole = self._whole_module()
            where = whole[node]
            return CodeRange((self.line(where.start.line), where.start.column), (self.line(where.end.line), where.end.column))
        ranges, delta, _ = self._place(top)
        where = ranges[node]
        return CodeRange((where.start.line + delta, where.start.column), (where.end.line + delta, where.end.column))

    def top_index(self, node: cst.CSTNode) -> Optional[int]:
        """The index in ``module.body`` of the statement holding ``node`` (None: the module
        itself, or no statement starts are known)."""
        if self.starts is None:
            return None
        if self._top_of is None:
            top_of: Dict[int, int] = {}
            for index, statement in enumerate(self.module.body):
                walk(statement, lambda n, i=index: top_of.__setitem__(id(n), i), _nothing)  # type: ignore[misc]
            self._top_of = top_of
        return self._top_of.get(id(node))

    def _place(self, top: int) -> Tuple[Dict[cst.CSTNode, CodeRange], int, cst.Module]:
        placed = self._placed.get(top)
        if placed is None:
            statement = self.module.body[top]
            alone = _alone(self.module, statement)
            ranges = MetadataWrapper(alone, unsafe_skip_copy=True).resolve(PositionProvider)
            assert self.starts is not None
            delta = self.starts[top] - ranges[statement].start.line
            placed = (ranges, delta, alone)  # type: ignore[assignment]
            self._placed[top] = placed  # type: ignore[assignment]
        return placed  # type: ignore[return-value]

    def _whole_module(self) -> Dict[cst.CSTNode, CodeRange]:
        if self._whole is None:
            self._whole = dict(MetadataWrapper(self.module, unsafe_skip_copy=True).resolve(PositionProvider))
        return self._whole

    def replaced(self, old: cst.CSTNode, new: Union[cst.CSTNode, cst.RemovalSentinel], text: str) -> Optional[Edit]:
        """The edit that replacing ``old`` by ``new`` makes to the file (``text``: the code
        libcst parsed, for a replacement no single statement holds)."""
        top = self.top_index(old)
        if top is None:
            new_text = self.module.deep_replace(old, new).code  # type: ignore[arg-type]
            edit = edit_between(text, new_text, LineIndex(text))
            if edit is None:
                return None
            return Edit(self.line(edit.line), edit.column, self.line(edit.end_line), edit.end_column, edit.content)
        _, delta, alone = self._place(top)
        before = alone.code
        after = alone.deep_replace(old, new).code  # type: ignore[arg-type]
        edit = edit_between(before, after, LineIndex(before))
        if edit is None:
            return None
        return Edit(edit.line + delta, edit.column, edit.end_line + delta, edit.end_column, edit.content)


def _alone(module: cst.Module, statement: cst.BaseStatement) -> cst.Module:
    return cst.Module(
        body=[statement],
        header=(),
        footer=(),
        encoding=module.encoding,
        default_indent=module.default_indent,
        default_newline=module.default_newline,
        has_trailing_newline=True,
    )


def edit_between(old: str, new: str, lines: LineIndex) -> Optional[Edit]:
    """The one edit that turns ``old`` into ``new`` (their common ends left alone)."""
    if old == new:
        return None
    limit = min(len(old), len(new))
    prefix = 0
    while prefix < limit and old[prefix] == new[prefix]:
        prefix += 1
    suffix = 0
    while suffix < limit - prefix and old[-1 - suffix] == new[-1 - suffix]:
        suffix += 1
    start = lines.position(prefix)
    end = lines.position(len(old) - suffix)
    return Edit(start[0], start[1], end[0], end[1], new[prefix : len(new) - suffix])


def _nothing(node: cst.CSTNode) -> None:
    return None
