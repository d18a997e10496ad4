"""Positions as LSP counts them: 0-based lines, and columns in the code units of the
encoding agreed at ``initialize`` (UTF-16 unless the client offers another). timeoutlint's
positions are 1-based lines and 1-based columns in code points (characters of a ``str``),
so a character outside the Basic Multilingual Plane is one column for timeoutlint, two
UTF-16 units and four UTF-8 bytes for the client."""

from __future__ import annotations

import bisect

from timeoutlint.sourcefile import LineIndex

UTF8, UTF16, UTF32 = "utf-8", "utf-16", "utf-32"


def units(text: str, encoding: str) -> int:
    """How many code units of ``encoding`` ``text`` takes (lone surrogates count too)."""
    if encoding == UTF32:
        return len(text)
    if encoding == UTF8:
        return len(text.encode("utf-8", "surrogatepass"))
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


class Columns:
    """Converts timeoutlint positions in one text to LSP positions."""

    def __init__(self, text: str, encoding: str = UTF16) -> None:
        self.lines = LineIndex(text)
        self.encoding = encoding

    def position(self, line: int, column: int) -> tuple[int, int]:
        """The LSP (line, character) of a 1-based line and 1-based code-point column (a
        column past the end of its line counts on into the next, as a string offset does)."""
        if line < 1:
            return 0, 0
        return self.offset_position(self.lines.offset(line, max(column, 1)))

    def offset_position(self, offset: int) -> tuple[int, int]:
        """The LSP (line, character) of a string offset into the text."""
        return self._of_offset(max(0, min(offset, len(self.lines.text))))

    def _of_offset(self, offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(self.lines.starts, offset)
        start = self.lines.starts[line - 1]
        before = self.lines.text[start:offset].rstrip("\r\n")
        return line - 1, units(before, self.encoding)
