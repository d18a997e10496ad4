"""Linting one open document: find its settings, lint its text, keep what the code actions
need. Pure and blocking: the session runs it on its lint thread."""

from __future__ import annotations

import dataclasses
import logging
import os
from dataclasses import dataclass, field
from typing import List, Optional
from urllib.parse import urlparse

from lsprotocol import types
from pygls.uris import to_fs_path

from timeoutlint.api import fix_text, lint_source
from timeoutlint.discovery import is_excluded
from timeoutlint.ftypes import Applicability, Diagnostic, FileResult, LintError
from timeoutlint.lsp.columns import Columns
from timeoutlint.lsp.convert import error_diagnostic, lsp_diagnostic, text_edits, workspace_edit
from timeoutlint.lsp.workspace_settings import SettingsCache
from timeoutlint.positions import edit_between
from timeoutlint.settings import Settings
from timeoutlint.sourcefile import LineIndex

logger = logging.getLogger(__name__)

PYTHON_SUFFIXES = (".py", ".pyi")


@dataclass(frozen=True)
class Snapshot:
    """A document as it was when a lint was asked for."""

    uri: str
    version: Optional[int]
    text: str
    encoding: str  # the position encoding agreed with the client
    fallback_folder: str  # whose settings a document that is no file gets


@dataclass
class Linted:
    snapshot: Snapshot
    path: str
    settings: Optional[Settings]
    result: FileResult
    columns: Columns
    # One LSP diagnostic per finding of ``result`` (same order), then at most one error.
    diagnostics: List[types.Diagnostic] = field(default_factory=list)

    @property
    def findings(self) -> List[tuple[Diagnostic, types.Diagnostic]]:
        return list(zip(self.result.diagnostics, self.diagnostics))


def document_path(uri: str) -> Optional[str]:
    """The file a ``file:`` URI names (None for ``untitled:`` and other schemes)."""
    if urlparse(uri).scheme != "file":
        return None
    return to_fs_path(uri)


def lint_snapshot(snapshot: Snapshot, cache: SettingsCache) -> Linted:
    """Never raises: a bad config or an internal error becomes one error diagnostic."""
    path = document_path(snapshot.uri)
    columns = Columns(snapshot.text, snapshot.encoding)
    shown = path or snapshot.uri
    try:
        loaded = cache.for_folder(os.path.dirname(path) if path else snapshot.fallback_folder)
        if loaded.settings is None:
            error = LintError(shown, f"timeoutlint config: {loaded.error}")
            return Linted(snapshot, shown, None, FileResult(shown, errors=[error]), columns, [error_diagnostic(columns, error)])
        settings = loaded.settings
        if path is not None and is_excluded(path, settings):
            return Linted(snapshot, shown, settings, FileResult(shown), columns)
        result = lint_source(snapshot.text, shown, settings)
    except Exception as exc:  # a bug must cost one document's findings, not the server
        logger.exception("linting %s failed", snapshot.uri)
        error = LintError(shown, f"timeoutlint internal error: {type(exc).__name__}: {exc} (please report this)")
        return Linted(snapshot, shown, None, FileResult(shown, errors=[error]), columns, [error_diagnostic(columns, error)])
    diagnostics = [lsp_diagnostic(columns, d) for d in result.diagnostics]
    if result.errors:  # an unparsable file: one error, never a crash
        diagnostics.append(error_diagnostic(columns, result.errors[0]))
    return Linted(snapshot, shown, settings, result, columns, diagnostics)


def has_safe_fix(linted: Linted) -> bool:
    settings = linted.settings
    return settings is not None and any(
        d.fix is not None and d.fix.edits and d.fix.applicability is Applicability.SAFE and settings.is_fixable(d.code)
        for d in linted.result.diagnostics
    )


def fix_all_edit(linted: Linted) -> Optional[types.WorkspaceEdit]:
    """One edit applying every safe fix (until stable, as ``check --fix`` does), or None."""
    if linted.settings is None:
        return None
    text = linted.snapshot.text
    safe_only = dataclasses.replace(linted.settings, unsafe_fixes=False)
    fixed = fix_text(text, linted.path, safe_only, first=linted.result).source
    edit = edit_between(text, fixed, LineIndex(text))
    if edit is None:
        return None
    return workspace_edit(linted.snapshot.uri, text_edits(linted.columns, [edit]))
