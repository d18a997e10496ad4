"""What one run found, fixed and could not check: the input of every output format."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Tuple

from timeoutlint.ftypes import Applicability, Diagnostic, LintError


@dataclass
class Report:
    diagnostics: list[Diagnostic]  # findings that remain, any order
    errors: list[LintError]  # files that could not be read or parsed
    files_checked: int = 0
    fixed: dict[str, dict[str, int]] = field(default_factory=dict)  # path -> {code: fixes applied}
    unsafe_fixes: bool = False  # were unsafe fixes enabled for this run
    fixable_codes: frozenset[str] = frozenset()  # codes whose fixes the config allows
    show_fixes: bool = False
    sources: dict[str, str] = field(default_factory=dict)  # path -> source text, for `full`
    color: bool = False

    def applicable(self, diag: Diagnostic) -> bool:
        """Would ``--fix`` (with this run's ``--unsafe-fixes`` setting) apply the finding's fix?"""
        fix = diag.fix
        if fix is None or diag.code not in self.fixable_codes:
            return False
        if fix.applicability is Applicability.SAFE:
            return True
        return fix.applicability is Applicability.UNSAFE and self.unsafe_fixes

    def fix_counts(self) -> Tuple[int, int]:
        """(fixable now with ``--fix``, fixable only when ``--unsafe-fixes`` is added)."""
        now = more = 0
        for diag in self.diagnostics:
            if self.applicable(diag):
                now += 1
            elif (
                not self.unsafe_fixes
                and diag.fix is not None
                and diag.fix.applicability is Applicability.UNSAFE
                and diag.code in self.fixable_codes
            ):
                more += 1
        return now, more

    def sorted_diagnostics(self) -> list[Diagnostic]:
        return sorted(self.diagnostics, key=Diagnostic.sort_key)

    def sorted_errors(self) -> list[LintError]:
        return sorted(self.errors, key=lambda e: (e.path, e.line or 0, e.column or 0, e.message))

    def fixed_total(self) -> int:
        return sum(sum(per_code.values()) for per_code in self.fixed.values())

    def error_files(self) -> int:
        return len({error.path for error in self.errors})
