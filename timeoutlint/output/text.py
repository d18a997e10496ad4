"""``text``: one line a finding, ``path:line:col: TL201 [*] message``, then the summary."""

from __future__ import annotations

from timeoutlint.ftypes import Diagnostic, LintError
from timeoutlint.output.report import Report
from timeoutlint.output.style import paint
from timeoutlint.output.summary import summary_lines


def diagnostic_line(diag: Diagnostic, report: Report) -> str:
    color = report.color
    colon = paint(":", "cyan", enabled=color)
    where = f"{paint(diag.path, 'bold', enabled=color)}{colon}{diag.line}{colon}{diag.column}{colon}"
    code = paint(diag.code, "bold", "red", enabled=color)
    marker = f" {paint('[*]', 'cyan', enabled=color)}" if report.applicable(diag) else ""
    return f"{where} {code}{marker} {diag.message}"


def error_line(error: LintError, report: Report) -> str:
    where = error.path
    if error.line is not None:
        where += f":{error.line}"
        if error.column is not None:
            where += f":{error.column}"
    color = report.color
    return f"{paint(where, 'bold', enabled=color)}: {paint('error', 'bold', 'red', enabled=color)}: {error.message}"


def render(report: Report) -> str:
    lines = [diagnostic_line(diag, report) for diag in report.sorted_diagnostics()]
    lines += [error_line(error, report) for error in report.sorted_errors()]
    if lines:
        lines.append("")
    lines += summary_lines(report)
    return "\n".join(lines) + "\n"
