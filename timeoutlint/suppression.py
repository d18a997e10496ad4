"""``# noqa`` comments: on a finding's first line or on the last line of its statement;
``# timeoutlint: noqa`` (all) or ``# timeoutlint: noqa: TL3`` anywhere for the whole file.

Only real comments count (found with ``tokenize``), so a ``# noqa`` inside a string does
not suppress anything."""

from __future__ import annotations

import io
import re
import tokenize
from dataclasses import dataclass, field
from typing import Iterable, Optional

_CODES = r"[A-Z]+[0-9]+(?:[\s,]+[A-Z]+[0-9]+)*"
_FILE_RE = re.compile(rf"#\s*timeoutlint\s*:\s*noqa\b(?:\s*:\s*(?P<codes>{_CODES}))?", re.IGNORECASE)
LINE_RE = re.compile(rf"#\s*noqa\b(?:\s*:\s*(?P<codes>{_CODES}))?", re.IGNORECASE)

ALL = ("",)  # the empty prefix matches every code


def _codes(text: Optional[str]) -> tuple[str, ...]:
    if not text:
        return ALL
    return tuple(code.upper() for code in re.split(r"[\s,]+", text.strip()) if code)


@dataclass
class Suppressions:
    by_line: dict[int, tuple[str, ...]] = field(default_factory=dict)
    file_codes: tuple[str, ...] = ()

    def suppresses(self, code: str, lines: Iterable[int]) -> bool:
        if any(code.startswith(prefix) for prefix in self.file_codes):
            return True
        for line in lines:
            codes = self.by_line.get(line)
            if codes and any(code.startswith(prefix) for prefix in codes):
                return True
        return False


def _comments(source: str) -> Iterable[tuple[int, str]]:
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type == tokenize.COMMENT:
                yield token.start[0], token.string
    except (tokenize.TokenError, SyntaxError, IndentationError, ValueError):
        # The tokenizer of the running Python may reject syntax libcst accepts (a newer
        # grammar); fall back to the text after a '#' on each line.
        for number, line in enumerate(source.splitlines(), start=1):
            position = line.find("#")
            if position >= 0:
                yield number, line[position:]


def find_suppressions(source: str) -> Suppressions:
    found = Suppressions()
    if "noqa" not in source and "NOQA" not in source:
        return found
    file_codes: list[str] = []
    for line, comment in _comments(source):
        file_match = _FILE_RE.search(comment)
        if file_match:
            file_codes.extend(_codes(file_match.group("codes")))
            continue
        line_match = LINE_RE.search(comment)
        if line_match:
            found.by_line[line] = _codes(line_match.group("codes"))
    found.file_codes = tuple(file_codes)
    return found
