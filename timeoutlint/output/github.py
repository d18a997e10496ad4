"""``github``: GitHub Actions workflow commands, one annotation a finding."""

from __future__ import annotations

from timeoutlint.output.report import Report
from timeoutlint.rule import get_rule


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _command(kind: str, properties: dict[str, object], message: str) -> str:
    props = ",".join(f"{key}={escape_property(str(value))}" for key, value in properties.items())
    return f"::{kind} {props}::{escape_data(message)}"


def render(report: Report) -> str:
    lines = []
    for diag in report.sorted_diagnostics():
        rule = get_rule(diag.code)
        name = diag.name or (rule.name if rule else "")
        title = f"{diag.code} ({name})" if name else diag.code
        properties: dict[str, object] = {
            "file": diag.path,
            "line": diag.line,
            "col": diag.column,
            "endLine": diag.end_line,
            "endColumn": diag.end_column,
            "title": title,
        }
        lines.append(_command("warning", properties, f"{diag.code} {diag.message}"))
    for error in report.sorted_errors():
        properties = {"file": error.path}
        if error.line is not None:
            properties["line"] = error.line
            if error.column is not None:
                properties["col"] = error.column
        lines.append(_command("error", properties, error.message))
    return "".join(line + "\n" for line in lines)
