"""Applying fixes: pick non-overlapping applicable fixes, apply their text edits, re-lint,
and repeat until nothing applicable is left (bounded); then drop the imports the fixes left
unused (``import_pruning``). Every intermediate result must
parse and, when the original compiled, ``compile()``: a fix that breaks the code is
dropped and reported as an internal error, never written."""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Callable, Optional

import libcst as cst

from timeoutlint.ftypes import Applicability, Diagnostic, Edit, FileResult, LintError
from timeoutlint.import_pruning import prune_unused_imports
from timeoutlint.settings import Settings
from timeoutlint.sourcefile import LineIndex

MAX_ITERATIONS = 10


def is_applicable(diagnostic: Diagnostic, settings: Settings) -> bool:
    fix = diagnostic.fix
    if fix is None or not fix.edits or not settings.is_fixable(diagnostic.code):
        return False
    if fix.applicability is Applicability.SAFE:
        return True
    return fix.applicability is Applicability.UNSAFE and settings.unsafe_fixes


def _ranges(source: LineIndex, edits: tuple[Edit, ...]) -> list[tuple[int, int, str]]:
    return [(source.offset(e.line, e.column), source.offset(e.end_line, e.end_column), e.content) for e in edits]


def _conflicts(a: tuple[int, int, str], b: tuple[int, int, str]) -> bool:
    if a == b:
        return False  # the same edit twice (two fixes adding one import) is applied once
    if a[0] == a[1] or b[0] == b[1]:  # an insertion touching another edit: order unclear
        return a[0] <= b[1] and b[0] <= a[1]
    return a[0] < b[1] and b[0] < a[1]


def apply_fixes(source: str, diagnostics: list[Diagnostic]) -> tuple[str, list[Diagnostic]]:
    """Apply the fixes of ``diagnostics`` that do not overlap an earlier one; return the
    new text and the diagnostics whose fixes were applied."""
    lines = LineIndex(source)
    taken: list[tuple[int, int, str]] = []
    applied: list[Diagnostic] = []
    for diagnostic in sorted(diagnostics, key=Diagnostic.sort_key):
        assert diagnostic.fix is not None
        ranges = _ranges(lines, diagnostic.fix.edits)
        if any(_conflicts(new, old) for new in ranges for old in taken):
            continue
        taken.extend(edit for edit in ranges if edit not in taken)
        applied.append(diagnostic)
    text = source
    for start, end, content in sorted(taken, key=lambda edit: (edit[0], edit[1]), reverse=True):
        text = text[:start] + content + text[end:]
    return text, applied


def compiles(source: str, path: str) -> bool:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile(source, path, "exec", dont_inherit=True)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


def _valid(source: str, path: str, must_compile: bool) -> bool:
    try:
        cst.parse_module(source)
    except Exception:
        return False
    return compiles(source, path) if must_compile else True


@dataclass
class FixOutcome:
    source: str
    result: FileResult  # the findings that remain in ``source``
    applied: dict[str, int] = field(default_factory=dict)
    errors: list[LintError] = field(default_factory=list)


def fix_source(
    source: str,
    path: str,
    settings: Settings,
    lint: Callable[[str], FileResult],
    first: Optional[FileResult] = None,
    hold: Optional[Callable[[list[Diagnostic]], list[Diagnostic]]] = None,
) -> FixOutcome:
    """Fix ``source`` until stable; ``lint`` lints a text (``first``: its result for
    ``source`` when already known). ``hold`` names, among the findings of each round, those
    whose fixes must not be applied (the baseline's)."""
    must_compile = compiles(source, path)
    result = first if first is not None else lint(source)
    outcome = FixOutcome(source, result)
    rejected: set[tuple[str, str]] = set()  # (code, statement hash) of fixes that broke code
    for _ in range(MAX_ITERATIONS):
        held = {id(d) for d in hold(outcome.result.diagnostics)} if hold is not None else set()
        candidates = [
            d
            for d in outcome.result.diagnostics
            if is_applicable(d, settings) and (d.code, d.statement_hash) not in rejected and id(d) not in held
        ]
        if not candidates:
            break
        text, applied = apply_fixes(outcome.source, candidates)
        if not _valid(text, path, must_compile):
            # Find the culprits one fix at a time; keep the good ones.
            text, applied = outcome.source, []
            for diagnostic in sorted(candidates, key=Diagnostic.sort_key):
                attempt, used = apply_fixes(text, [diagnostic])
                if used and _valid(attempt, path, must_compile):
                    text = attempt
                    break  # positions of the remaining fixes moved: re-lint first
                rejected.add((diagnostic.code, diagnostic.statement_hash))
                outcome.errors.append(
                    LintError(
                        path,
                        f"internal error: the fix for {diagnostic.code} at line {diagnostic.line} "
                        "would produce invalid code; it was not applied (please report this)",
                    )
                )
            else:
                continue
            applied = [diagnostic]
        if text == outcome.source:
            break
        for diagnostic in applied:
            outcome.applied[diagnostic.code] = outcome.applied.get(diagnostic.code, 0) + 1
        outcome.source = text
        outcome.result = lint(text)
    if outcome.applied:
        pruned = prune_unused_imports(source, outcome.source, path)
        if pruned != outcome.source and _valid(pruned, path, must_compile):
            outcome.source = pruned
            outcome.result = lint(pruned)
    return outcome
