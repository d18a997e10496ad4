"""ANSI styling (only when the report asks for color) and count wording."""

from __future__ import annotations

_CODES = {"bold": "1", "red": "31", "green": "32", "yellow": "33", "blue": "34", "cyan": "36"}


def paint(text: str, *styles: str, enabled: bool) -> str:
    if not enabled or not styles or not text:
        return text
    codes = ";".join(_CODES[style] for style in styles)
    return f"\x1b[{codes}m{text}\x1b[0m"


def plural(count: int, noun: str, nouns: str = "") -> str:
    """``plural(1, "problem")`` -> ``"1 problem"``; ``plural(2, "problem")`` -> ``"2 problems"``."""
    return f"{count} {noun if count == 1 else (nouns or noun + 's')}"
