"""``full``: each finding's text line, the source around it with the range underlined and
the fix title, as Ruff's ``full`` format shows it; then the summary."""

from __future__ import annotations

import re
import unicodedata
from typing import Optional

from timeoutlint.ftypes import Diagnostic
from timeoutlint.output.report import Report
from timeoutlint.output.style import paint
from timeoutlint.output.summary import summary_lines
from timeoutlint.output.text import diagnostic_line, error_line

CONTEXT = 2  # source lines shown before and after the finding
MAX_RANGE_LINES = 6  # a longer range shows its head and tail around an ellipsis
_NEWLINE = re.compile(r"\r\n|\r|\n")  # Python's own line ends (str.splitlines knows more)
TAB = "    "


def _display(text: str) -> str:
    return text.replace("\t", TAB)


def _width(text: str) -> int:
    """Terminal columns taken by ``text`` (tabs expanded, wide East Asian characters count 2)."""
    text = _display(text)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _underline(text: str, start: int, end: int) -> tuple[int, int]:
    """(indent, length) in display columns for characters ``start:end`` of ``text``."""
    indent = _width(text[:start])
    return indent, max(1, _width(text[start:end]))


def snippet(diag: Diagnostic, source: str, color: bool) -> Optional[list[str]]:
    lines = _NEWLINE.split(source)
    if not 1 <= diag.line <= len(lines):
        return None
    last = min(max(diag.end_line, diag.line), len(lines))
    first_shown, last_shown = max(1, diag.line - CONTEXT), min(len(lines), last + CONTEXT)
    while first_shown < diag.line and not lines[first_shown - 1].strip():
        first_shown += 1
    while last_shown > last and not lines[last_shown - 1].strip():
        last_shown -= 1
    numbers = list(range(first_shown, last_shown + 1))
    if last - diag.line + 1 > MAX_RANGE_LINES:
        keep_head, keep_tail = MAX_RANGE_LINES // 2, MAX_RANGE_LINES // 2 - 1
        numbers = [n for n in numbers if n < diag.line + keep_head or n > last - keep_tail]
    gutter = len(str(last_shown))

    def bar(number: str = "") -> str:
        return paint(f"{number:>{gutter}} |", "bold", "blue", enabled=color)

    out = [bar()]
    previous = None
    for number in numbers:
        if previous is not None and number != previous + 1:
            out.append(paint(f"{'...':>{gutter}}", "bold", "blue", enabled=color))
        previous = number
        text = lines[number - 1]
        out.append(f"{bar(str(number))} {_display(text)}".rstrip())
        if not diag.line <= number <= last:
            continue
        start = diag.column - 1 if number == diag.line else len(text) - len(text.lstrip())
        end = diag.end_column - 1 if number == diag.end_line else len(text)
        if number != diag.line and number != last and not text.strip():
            continue
        indent, length = _underline(text, start, max(start, end))
        label = f" {diag.code}" if number == last else ""
        carets = paint("^" * length + label, "bold", "red", enabled=color)
        out.append(f"{bar()} {' ' * indent}{carets}")
    out.append(bar())
    return out


def render(report: Report) -> str:
    color = report.color
    out: list[str] = []
    for diag in report.sorted_diagnostics():
        out.append(diagnostic_line(diag, report))
        source = report.sources.get(diag.path)
        if source is not None:
            out += snippet(diag, source, color) or []
        if diag.fix is not None:
            help_line = f"= {paint('help', 'bold', 'cyan', enabled=color)}: {diag.fix.title}"
            out.append(f"  {help_line}")
        out.append("")
    out += [error_line(error, report) for error in report.sorted_errors()]
    if report.errors:
        out.append("")
    out += summary_lines(report)
    return "\n".join(out) + "\n"
