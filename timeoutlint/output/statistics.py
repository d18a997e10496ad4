"""``--statistics``: how often each code was found, most frequent first (Ruff's table)."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from timeoutlint.output.report import Report


def rows(report: Report) -> list[dict[str, Any]]:
    counts = Counter(diag.code for diag in report.diagnostics)
    names = {diag.code: diag.name for diag in report.diagnostics}
    fixable = {diag.code for diag in report.diagnostics if report.applicable(diag)}
    ordered = sorted(counts, key=lambda code: (-counts[code], code))
    return [{"code": code, "name": names[code], "count": counts[code], "fixable": code in fixable} for code in ordered]


def render(report: Report, fmt: str = "text") -> str:
    table = rows(report)
    if fmt == "json":
        return json.dumps(table, indent=2) + "\n"
    if not table:
        return ""
    count_width = max(len(str(row["count"])) for row in table)
    code_width = max(len(row["code"]) for row in table)
    any_fixable = any(row["fixable"] for row in table)
    lines = []
    for row in table:
        marker = ("[*] " if row["fixable"] else "[ ] ") if any_fixable else ""
        lines.append(f"{row['count']:>{count_width}}\t{row['code']:<{code_width}}\t{marker}{row['name']}")
    return "\n".join(lines) + "\n"
