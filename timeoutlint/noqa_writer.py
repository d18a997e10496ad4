"""``check --add-noqa``: a ``# noqa: TLxxx`` comment for every current finding.

The comment goes on the finding's first line when a comment can end that line (not inside a
string, not after a backslash), else on the last line of its statement: the two places a
``# noqa`` is read (``suppression``). An existing ``# noqa: CODES`` on that line gets the new
codes merged in; any other comment keeps its place and the directive follows it."""

from __future__ import annotations

import io
import re
import tokenize
from typing import Dict, Iterable, Optional, Set, Tuple

from timeoutlint.suppression import LINE_RE, find_suppressions

_LINE_END = re.compile(r"(\r\n|\r|\n)?\Z")


class NoqaError(Exception):
    """The file cannot be tokenized, so where a comment may go is not known."""


def _layout(source: str) -> Tuple[Set[int], list[int], Dict[int, int]]:
    """Lines a comment may end, the lines of logical line ends (sorted), and where each
    line's comment starts (its column)."""
    commentable: Set[int] = set()
    statement_ends: list[int] = []
    comments: Dict[int, int] = {}
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type in (tokenize.NEWLINE, tokenize.NL):
                commentable.add(token.start[0])
                if token.type == tokenize.NEWLINE:
                    statement_ends.append(token.start[0])
            elif token.type == tokenize.COMMENT:
                commentable.add(token.start[0])
                comments[token.start[0]] = token.start[1]
            elif token.type == tokenize.ENDMARKER:
                # A last line with no newline: the tokenizer invents its NEWLINE there.
                statement_ends.append(token.start[0])
    except (tokenize.TokenError, SyntaxError, ValueError) as exc:
        raise NoqaError(f"cannot tell where a comment may go: {exc}") from None
    return commentable, statement_ends, comments


def _target_line(line: int, commentable: Set[int], statement_ends: list[int]) -> Optional[int]:
    if line in commentable:
        return line
    return next((end for end in statement_ends if end >= line), None)


def _merged(comment: str, codes: Set[str]) -> Optional[str]:
    """The comment with ``codes`` added to its ``# noqa: ...``; None when it has no noqa."""
    match = LINE_RE.search(comment)
    if match is None:
        return None
    if match.group("codes") is None:  # a bare ``# noqa`` already suppresses everything
        return comment
    present = [code.upper() for code in re.split(r"[\s,]+", match.group("codes").strip()) if code]
    together = present + sorted(code for code in codes if code not in present)
    start, end = match.span("codes")
    return comment[:start] + ", ".join(together) + comment[end:]


def add_noqa(source: str, findings: Iterable[Tuple[int, str]]) -> Tuple[str, int]:
    """``source`` with a directive for each (line, code); and how many lines changed."""
    wanted: Dict[int, Set[str]] = {}
    commentable, statement_ends, comments = _layout(source)
    for line, code in findings:
        target = _target_line(line, commentable, statement_ends)
        if target is not None:
            wanted.setdefault(target, set()).add(code)
    lines = source.splitlines(keepends=True)
    changed = 0
    for number, codes in wanted.items():
        if number > len(lines):
            continue
        text = lines[number - 1]
        ending = _LINE_END.search(text).group(0)  # type: ignore[union-attr]
        body = text[: len(text) - len(ending)]
        column = comments.get(number)
        if column is not None and _merged(body[column:], codes) is not None:
            new_body = body[:column] + (_merged(body[column:], codes) or "")
        else:
            new_body = body.rstrip() + "  # noqa: " + ", ".join(sorted(codes))
        if new_body != body:
            lines[number - 1] = new_body + ending
            changed += 1
    result = "".join(lines)
    read = find_suppressions(result)
    missed = [(line, code) for line, codes in wanted.items() for code in codes if not read.suppresses(code, [line])]
    if missed:
        raise NoqaError(f"a directive would not be read on line {missed[0][0]}")
    return result, changed
