"""``sarif``: SARIF 2.1.0 for code scanning, valid against the official OASIS schema.

Every registered rule is listed (not only those found), results point at their rule by
index, fixes that may be applied (safe or unsafe) travel as SARIF ``fixes``, and files that
could not be checked become tool execution notifications.
"""

from __future__ import annotations

import json
from pathlib import PurePath
from typing import Any, Optional
from urllib.parse import quote

import timeoutlint
from timeoutlint.ftypes import Applicability, Diagnostic, Fix
from timeoutlint.output.fingerprint import fingerprints
from timeoutlint.output.report import Report
from timeoutlint.rule import Rule, all_rules, rule_url

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
INFORMATION_URI = "https://github.com/timeoutlint/timeoutlint"
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "timeoutlint/v1"


def artifact_location(path: str) -> dict[str, str]:
    pure = PurePath(path)
    if pure.is_absolute():
        return {"uri": pure.as_uri()}
    return {"uri": quote(pure.as_posix()), "uriBaseId": SRCROOT}


def _region(line: int, column: int, end_line: int, end_column: int) -> dict[str, int]:
    return {"startLine": line, "startColumn": column, "endLine": end_line, "endColumn": end_column}


def _rule_descriptor(rule: type[Rule]) -> dict[str, Any]:
    docs = rule.documentation()
    what = " ".join(rule.sections.get("What it does", "").split()) or rule.summary()
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary()},
        "fullDescription": {"text": what},
        "help": {"text": docs, "markdown": docs},
        "helpUri": rule.url(),
        "defaultConfiguration": {"level": "warning"},
        "properties": {"fix": rule.fix_availability.value},
    }


def _unregistered_descriptor(diag: Diagnostic) -> dict[str, Any]:
    return {
        "id": diag.code,
        "name": diag.name or diag.code,
        "shortDescription": {"text": diag.message},
        "helpUri": rule_url(diag.code),
        "defaultConfiguration": {"level": "warning"},
    }


def _fix(diag: Diagnostic, fix: Fix) -> Optional[dict[str, Any]]:
    if fix.applicability is Applicability.DISPLAY_ONLY or not fix.edits:
        return None
    replacements = [
        {
            "deletedRegion": _region(edit.line, edit.column, edit.end_line, edit.end_column),
            "insertedContent": {"text": edit.content},
        }
        for edit in sorted(fix.edits)
    ]
    return {
        "description": {"text": fix.title},
        "artifactChanges": [{"artifactLocation": artifact_location(diag.path), "replacements": replacements}],
        "properties": {"applicability": fix.applicability.value},
    }


def _result(diag: Diagnostic, rule_index: int, fingerprint: str) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": diag.code,
        "ruleIndex": rule_index,
        "level": "warning",
        "message": {"text": diag.message},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": artifact_location(diag.path),
                    "region": _region(diag.line, diag.column, diag.end_line, diag.end_column),
                }
            }
        ],
        "partialFingerprints": {FINGERPRINT_KEY: fingerprint},
    }
    fix = _fix(diag, diag.fix) if diag.fix else None
    if fix:
        result["fixes"] = [fix]
    return result


def _invocation(report: Report) -> dict[str, Any]:
    invocation: dict[str, Any] = {"executionSuccessful": not report.errors}
    notifications = []
    for error in report.sorted_errors():
        location: dict[str, Any] = {"artifactLocation": artifact_location(error.path)}
        if error.line is not None:
            location["region"] = {"startLine": error.line, "startColumn": error.column or 1}
        notifications.append(
            {"level": "error", "message": {"text": error.message}, "locations": [{"physicalLocation": location}]}
        )
    if notifications:
        invocation["toolExecutionNotifications"] = notifications
    return invocation


def build(report: Report) -> dict[str, Any]:
    diagnostics = report.sorted_diagnostics()
    rules = [_rule_descriptor(rule) for rule in all_rules()]
    index = {rule["id"]: position for position, rule in enumerate(rules)}
    for diag in diagnostics:
        if diag.code not in index:
            index[diag.code] = len(rules)
            rules.append(_unregistered_descriptor(diag))
    results = [
        _result(diag, index[diag.code], fingerprint)
        for diag, fingerprint in zip(diagnostics, fingerprints(diagnostics))
    ]
    driver = {
        "name": "timeoutlint",
        "version": timeoutlint.__version__,
        "semanticVersion": timeoutlint.__version__,
        "informationUri": INFORMATION_URI,
        "rules": rules,
    }
    run = {
        "tool": {"driver": driver},
        "invocations": [_invocation(report)],
        "columnKind": "unicodeCodePoints",
        "results": results,
    }
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def render(report: Report) -> str:
    return json.dumps(build(report), indent=2, ensure_ascii=False) + "\n"
