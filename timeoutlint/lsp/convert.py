"""timeoutlint's findings, errors and edits as LSP types (positions through ``Columns``)."""

from __future__ import annotations

from typing import Iterable, List, Optional

from lsprotocol import types

from timeoutlint.ftypes import Diagnostic, Edit, LintError
from timeoutlint.lsp.columns import Columns

SOURCE = "timeoutlint"


def lsp_range(columns: Columns, line: int, column: int, end_line: int, end_column: int) -> types.Range:
    start = columns.position(line, column)
    end = columns.position(end_line, end_column)
    return types.Range(start=types.Position(*start), end=types.Position(*end))


def lsp_diagnostic(columns: Columns, diagnostic: Diagnostic) -> types.Diagnostic:
    return types.Diagnostic(
        range=lsp_range(columns, diagnostic.line, diagnostic.column, diagnostic.end_line, diagnostic.end_column),
        message=diagnostic.message,
        severity=types.DiagnosticSeverity.Warning,
        code=diagnostic.code,
        code_description=types.CodeDescription(href=diagnostic.url),
        source=SOURCE,
    )


def error_diagnostic(columns: Columns, error: LintError) -> types.Diagnostic:
    """A file that could not be parsed (or a bad config): one error at the place named,
    else at the top of the file."""
    if error.line is None:
        where = types.Range(start=types.Position(0, 0), end=types.Position(0, 0))
    else:
        column = error.column or 1
        where = lsp_range(columns, error.line, column, error.line, column + 1)
    return types.Diagnostic(range=where, message=error.message, severity=types.DiagnosticSeverity.Error, source=SOURCE)


def text_edits(columns: Columns, edits: Iterable[Edit]) -> List[types.TextEdit]:
    return [
        types.TextEdit(range=lsp_range(columns, e.line, e.column, e.end_line, e.end_column), new_text=e.content)
        for e in edits
    ]


def workspace_edit(uri: str, edits: List[types.TextEdit]) -> types.WorkspaceEdit:
    return types.WorkspaceEdit(changes={uri: edits})


def overlaps(a: types.Range, b: types.Range) -> bool:
    """Do two ranges touch (an empty range at a finding's edge counts: a cursor there)?"""
    return (a.start.line, a.start.character) <= (b.end.line, b.end.character) and (
        b.start.line,
        b.start.character,
    ) <= (a.end.line, a.end.character)


def first_error(columns: Columns, errors: Iterable[LintError]) -> Optional[types.Diagnostic]:
    for error in errors:
        return error_diagnostic(columns, error)
    return None
