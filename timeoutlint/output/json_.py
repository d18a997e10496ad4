"""``json``: ``{"version": 1, "diagnostics": [...], "errors": [...]}`` (SPEC section 6)."""

from __future__ import annotations

import json

from timeoutlint.output.report import Report

VERSION = 1


def render(report: Report) -> str:
    document = {
        "version": VERSION,
        "diagnostics": [diag.to_dict() for diag in report.sorted_diagnostics()],
        "errors": [error.to_dict() for error in report.sorted_errors()],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
