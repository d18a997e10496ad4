"""The closing lines the human formats (``text``, ``full``) share."""

from __future__ import annotations

from timeoutlint.output.report import Report
from timeoutlint.output.style import paint, plural
from timeoutlint.rule import get_rule


def fixes_applied_lines(report: Report) -> list[str]:
    """Ruff's ``--show-fixes`` block: per file, how many fixes of each code were applied."""
    color = report.color
    lines = [f"Fixed {plural(report.fixed_total(), 'problem')}:"]
    for path in sorted(report.fixed):
        per_code = {code: n for code, n in report.fixed[path].items() if n}
        if not per_code:
            continue
        lines.append(f"- {paint(path, 'bold', enabled=color)}:")
        for code in sorted(per_code):
            rule = get_rule(code)
            name = f" ({rule.name})" if rule else ""
            lines.append(f"    {per_code[code]} × {paint(code, 'bold', 'red', enabled=color)}{name}")
    return lines


def summary_lines(report: Report) -> list[str]:
    lines: list[str] = []
    fixed = report.fixed_total()
    show_block = report.show_fixes and fixed > 0
    if show_block:
        lines += fixes_applied_lines(report) + [""]
    found = len(report.diagnostics)
    if found:
        now, more = report.fix_counts()
        parts = []
        if now:
            parts.append(f"{now} fixable with --fix")
        if more:
            parts.append(f"{more} more with --unsafe-fixes")
        detail = f" ({', '.join(parts)})" if parts else ""
        lines.append(f"Found {plural(found, 'problem')}{detail}.")
    if fixed and not show_block:
        lines.append(f"Fixed {plural(fixed, 'problem')}.")
    if report.errors:
        files = report.error_files()
        verb = "file could not be checked" if files == 1 else "files could not be checked"
        lines.append(paint(f"{files} {verb}.", "bold", "red", enabled=report.color))
    if not found and not report.errors:
        lines.append(paint("All checks passed!", "bold", "green", enabled=report.color))
    return lines
