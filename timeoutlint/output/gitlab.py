"""``gitlab``: GitLab Code Quality JSON (a list of issues with stable fingerprints)."""

from __future__ import annotations

import json
import os
from pathlib import PurePath

from timeoutlint.output.fingerprint import error_fingerprint, fingerprints
from timeoutlint.output.report import Report

ERROR_CHECK_NAME = "timeoutlint-error"


def repo_path(path: str) -> str:
    """GitLab wants paths relative to the repository: an absolute path under
    ``$CI_PROJECT_DIR`` (else the working directory) is made relative to it."""
    pure = PurePath(path)
    if pure.is_absolute():
        root = os.environ.get("CI_PROJECT_DIR") or os.getcwd()
        try:
            pure = pure.relative_to(root)
        except ValueError:
            pass
    return pure.as_posix()


def render(report: Report) -> str:
    diagnostics = report.sorted_diagnostics()
    issues = []
    for diag, fingerprint in zip(diagnostics, fingerprints(diagnostics, repo_path)):
        issues.append(
            {
                "description": f"{diag.code} {diag.message}",
                "check_name": diag.code,
                "fingerprint": fingerprint,
                "severity": "major",
                "location": {
                    "path": repo_path(diag.path),
                    "lines": {"begin": diag.line, "end": max(diag.line, diag.end_line)},
                },
            }
        )
    for error in report.sorted_errors():
        line = error.line or 1
        issues.append(
            {
                "description": f"error: {error.message}",
                "check_name": ERROR_CHECK_NAME,
                "fingerprint": error_fingerprint(error, repo_path),
                "severity": "critical",
                "location": {"path": repo_path(error.path), "lines": {"begin": line, "end": line}},
            }
        )
    return json.dumps(issues, indent=2, ensure_ascii=False) + "\n"
