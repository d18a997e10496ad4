"""Imports a fix left unused are removed (the ``ThreadPoolExecutor`` import after a TL102 or
TL103 rewrite, ``from time import time`` after TL402 moved to ``monotonic``).

Only a module-level import whose name the code used before the fixes and uses nowhere
after them goes: a name that was never used (a re-export, an import for its side effects)
stays, and so does one still named anywhere, in code, strings or comments, or in a
package's ``__init__.py``. Uses are counted on the tokens, outside import statements."""

from __future__ import annotations

import io
import re
import tokenize
from collections import Counter
from typing import List, Optional, Set, Union

import libcst as cst

from timeoutlint.analysis.bindings import dotted_name

_IMPORT_WORDS = ("import", "from")
_WORD = re.compile(r"[A-Za-z_]\w*")
_FSTRING_MIDDLE = getattr(tokenize, "FSTRING_MIDDLE", -1)  # 3.12+: f-string text is its own token


def _uses(source: str) -> Optional[Counter]:
    """How often each name occurs outside import statements (in code, strings and
    comments); None when the text cannot be tokenized."""
    counts: Counter = Counter()
    depth = 0
    at_start, skipping = True, False
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            kind, text = token.type, token.string
            if kind == tokenize.NEWLINE or (kind == tokenize.NL and depth == 0):
                at_start, skipping = True, False
                continue
            if kind == tokenize.COMMENT or kind == tokenize.STRING or kind == _FSTRING_MIDDLE:
                counts.update(_WORD.findall(text))
                continue
            if kind in (tokenize.NL, tokenize.INDENT, tokenize.DEDENT, tokenize.ENDMARKER):
                continue
            if kind == tokenize.OP:
                depth += 1 if text in "([{" else -1 if text in ")]}" else 0
            if at_start:
                skipping = kind == tokenize.NAME and text in _IMPORT_WORDS
                at_start = False
            if kind == tokenize.OP and text == ";" and depth == 0:
                at_start, skipping = True, False
            elif kind == tokenize.NAME and not skipping:
                counts[text] += 1
    except (tokenize.TokenError, SyntaxError, ValueError):
        return None
    return counts


def _bound(alias: cst.ImportAlias) -> Optional[str]:
    """The name an import binds: ``x`` for ``import x.y``, ``z`` for ``... as z``."""
    bound = dotted_name(alias.asname.name) if alias.asname is not None else dotted_name(alias.name)
    return bound.split(".")[0] if bound else None


def _without(small: Union[cst.Import, cst.ImportFrom], drop: Set[str]) -> Optional[cst.BaseSmallStatement]:
    """The import without the aliases binding ``drop``; None when nothing is left."""
    if isinstance(small, cst.ImportFrom) and isinstance(small.names, cst.ImportStar):
        return small
    names = list(small.names)  # type: ignore[arg-type]
    kept = [alias for alias in names if _bound(alias) not in drop]
    if len(kept) == len(names):
        return small
    if not kept:
        return None
    parenthesized = isinstance(small, cst.ImportFrom) and small.lpar is not None
    if not parenthesized and isinstance(kept[-1].comma, cst.Comma):
        kept[-1] = kept[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
    elif parenthesized and isinstance(names[-1].comma, cst.Comma) != isinstance(kept[-1].comma, cst.Comma):
        kept[-1] = kept[-1].with_changes(comma=names[-1].comma)
    return small.with_changes(names=kept)


def prune_unused_imports(before: str, after: str, path: str = "") -> str:
    """``after`` (the fixed text of ``before``) without the imports its fixes left unused."""
    if path.endswith("__init__.py") or path.endswith("__init__.pyi"):
        return after
    old, new = _uses(before), _uses(after)
    if old is None or new is None:
        return after
    try:
        module = cst.parse_module(after)
    except cst.ParserSyntaxError:
        return after
    drop: Set[str] = set()
    for statement in module.body:
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                if isinstance(small, (cst.Import, cst.ImportFrom)) and not _is_future(small):
                    for alias in small.names if not isinstance(small.names, cst.ImportStar) else ():
                        name = _bound(alias)
                        if name and old[name] > 0 and new[name] == 0:
                            drop.add(name)
    if not drop:
        return after
    body: List[cst.BaseStatement] = []
    carried: List[cst.EmptyLine] = []
    removed = False  # the statement before this one was removed
    for statement in module.body:
        if isinstance(statement, cst.SimpleStatementLine) and any(isinstance(s, (cst.Import, cst.ImportFrom)) for s in statement.body):
            smalls = [s if not isinstance(s, (cst.Import, cst.ImportFrom)) else _without(s, drop) for s in statement.body]
            left = [s for s in smalls if s is not None]
            if not left:
                carried.extend(statement.leading_lines)  # its comments and blank lines stay
                removed = True
                continue
            if len(left) != len(statement.body):
                left[-1] = left[-1].with_changes(semicolon=cst.MaybeSentinel.DEFAULT)
            statement = statement.with_changes(body=left)
        if removed:
            lines = _joined_lines(carried, list(statement.leading_lines))
            if not body:  # it is now the first statement: no blank lines above it
                while lines and _blank(lines[0]):
                    lines = lines[1:]
            statement = statement.with_changes(leading_lines=lines)
            carried, removed = [], False
        body.append(statement)
    pruned = module.with_changes(body=body, footer=[*carried, *module.footer]) if carried else module.with_changes(body=body)
    return pruned.code


def _blank(line: cst.EmptyLine) -> bool:
    return line.comment is None


def _joined_lines(carried: List[cst.EmptyLine], own: List[cst.EmptyLine]) -> List[cst.EmptyLine]:
    """The lines above a removed import, then the next statement's own: a blank line that
    separated the removed import from what came before is not doubled by the one that
    separated it from what follows."""
    if own and _blank(own[0]):
        while carried and _blank(carried[-1]):
            carried = carried[:-1]
    return [*carried, *own]


def _is_future(small: Union[cst.Import, cst.ImportFrom]) -> bool:
    return isinstance(small, cst.ImportFrom) and isinstance(small.module, cst.Name) and small.module.value == "__future__"
