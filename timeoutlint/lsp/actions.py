"""The code actions offered for a linted document: each finding's fix (safe ones preferred,
unsafe ones labelled, display-only ones never offered), a ``# noqa`` suppression per
finding, and one "fix all safe problems" source action (its edit computed on
``codeAction/resolve`` when the client can resolve edits)."""

from __future__ import annotations

from typing import Any, List, Optional, Sequence

from lsprotocol import types

from timeoutlint.ftypes import Applicability, Diagnostic, Edit
from timeoutlint.lsp.convert import overlaps, text_edits, workspace_edit
from timeoutlint.lsp.linting import Linted, fix_all_edit, has_safe_fix
from timeoutlint.noqa_writer import NoqaError, add_noqa
from timeoutlint.positions import edit_between
from timeoutlint.sourcefile import LineIndex

FIX_ALL_KIND = "source.fixAll.timeoutlint"
FIX_ALL_TITLE = "Fix all safe timeoutlint problems"
KINDS = [types.CodeActionKind.QuickFix, FIX_ALL_KIND]


def wanted(kind: str, only: Optional[Sequence[str]]) -> bool:
    """Does the client's ``only`` filter (kinds or their parents) let ``kind`` through?"""
    return not only or any(kind == parent or kind.startswith(f"{parent}.") for parent in only)


def noqa_edit(text: str, finding: Diagnostic) -> Optional[Edit]:
    """The edit ``check --add-noqa`` would make for this one finding (None: no line of it
    can take a comment)."""
    try:
        fixed, changed = add_noqa(text, [(finding.line, finding.code)])
    except NoqaError:
        return None
    return edit_between(text, fixed, LineIndex(text)) if changed else None


def _quick_fixes(linted: Linted, where: types.Range) -> List[types.CodeAction]:
    actions: List[types.CodeAction] = []
    seen: set[Any] = set()
    settings = linted.settings
    uri = linted.snapshot.uri
    for finding, diagnostic in linted.findings:
        if not overlaps(diagnostic.range, where):
            continue
        fix = finding.fix
        if (
            fix is not None
            and fix.edits
            and fix.applicability is not Applicability.DISPLAY_ONLY
            and settings is not None
            and settings.is_fixable(finding.code)
            and ("fix", fix) not in seen
        ):
            seen.add(("fix", fix))
            safe = fix.applicability is Applicability.SAFE
            actions.append(
                types.CodeAction(
                    title=f"{finding.code}: {fix.title}" + ("" if safe else " (unsafe)"),
                    kind=types.CodeActionKind.QuickFix,
                    diagnostics=[diagnostic],
                    is_preferred=safe,
                    edit=workspace_edit(uri, text_edits(linted.columns, fix.edits)),
                )
            )
        noqa = noqa_edit(linted.snapshot.text, finding)
        if noqa is not None and ("noqa", noqa) not in seen:
            seen.add(("noqa", noqa))
            actions.append(
                types.CodeAction(
                    title=f"Suppress {finding.code} with # noqa",
                    kind=types.CodeActionKind.QuickFix,
                    diagnostics=[diagnostic],
                    edit=workspace_edit(uri, text_edits(linted.columns, [noqa])),
                )
            )
    return actions


def code_actions(linted: Linted, params: types.CodeActionParams, resolve_later: bool) -> List[types.CodeAction]:
    only = params.context.only
    actions = _quick_fixes(linted, params.range) if wanted(types.CodeActionKind.QuickFix, only) else []
    if wanted(FIX_ALL_KIND, only) and has_safe_fix(linted):
        action = types.CodeAction(title=FIX_ALL_TITLE, kind=FIX_ALL_KIND, data={"uri": linted.snapshot.uri})
        if not resolve_later:
            action.edit = fix_all_edit(linted)
        actions.append(action)
    return actions


def fix_all_uri(action: types.CodeAction) -> Optional[str]:
    """The document a fix-all action still to resolve is for (None: nothing to resolve).
    ``data`` is a dict, or an attribute object on older pygls."""
    if action.kind != FIX_ALL_KIND or action.edit is not None:
        return None
    data = action.data
    value = data.get("uri") if isinstance(data, dict) else getattr(data, "uri", None)
    return value if isinstance(value, str) else None
