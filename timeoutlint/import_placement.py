"""Where a fix's new import goes: where an import sorter would put it.

The leading imports of the module are read as isort and Ruff's ``I001`` see them: sections
in the order future, standard library, third party, first party (the package of the file
being fixed), local (relative); within a section plain ``import x`` lines before ``from x
import y`` lines, each sorted by module name, case-insensitively. A new ``from m import n``
joins an existing single ``from m import ...`` statement (the name sorted in, constants
then classes then the rest, as ``order-by-type``); else a new line goes to its sorted place
in its section, or opens the section with a blank line between it and its neighbours. The
imports already there are never moved: an unsorted block stays as unsorted as it was."""

from __future__ import annotations

import os
import sys
import sysconfig
from functools import lru_cache
from typing import FrozenSet, List, Optional, Sequence, Tuple

import libcst as cst

from timeoutlint.analysis.bindings import dotted_name
from timeoutlint.analysis.definitions import is_docstring

FUTURE, STDLIB, THIRD_PARTY, FIRST_PARTY, LOCAL = range(5)

Key = Tuple[int, int, str]  # (section, 0 for ``import``/1 for ``from``, module lowercased)


@lru_cache(maxsize=None)
def _stdlib() -> FrozenSet[str]:
    names = getattr(sys, "stdlib_module_names", None)
    if names is not None:
        return frozenset(names)
    # Python 3.9: the standard library's own folder, and the modules built in.
    found = set(sys.builtin_module_names)
    folder = sysconfig.get_paths()["stdlib"]
    for entry in os.listdir(folder):
        name, extension = os.path.splitext(entry)
        if extension in ("", ".py", ".so") and name.isidentifier() and entry != "site-packages":
            found.add(name.split(".")[0])
    return frozenset(found)


def section_of(module: str, own_package: Optional[str], relative: bool = False) -> int:
    top = module.split(".")[0]
    if relative:
        return LOCAL
    if top == "__future__":
        return FUTURE
    if own_package and top == own_package:
        return FIRST_PARTY
    if top in _stdlib():
        return STDLIB
    return THIRD_PARTY


def _dotted(node: cst.BaseExpression) -> str:
    return dotted_name(node) or ""


def statement_key(statement: cst.SimpleStatementLine, own_package: Optional[str]) -> Key:
    small = statement.body[0]
    if isinstance(small, cst.Import):
        module = _dotted(small.names[0].name)
        return section_of(module, own_package), 0, module.lower()
    assert isinstance(small, cst.ImportFrom)
    module = _dotted(small.module) if small.module is not None else ""
    return section_of(module, own_package, relative=bool(small.relative)), 1, module.lower()


def new_key(module: str, name: Optional[str], own_package: Optional[str]) -> Key:
    return section_of(module, own_package), 0 if name is None else 1, module.lower()


def _name_key(name: str) -> Tuple[int, str]:
    """``order-by-type``: CONSTANTS, then Classes, then everything else."""
    if name.isupper() and len(name) > 1:
        kind = 0
    elif name[:1].isupper():
        kind = 1
    else:
        kind = 2
    return kind, name.lower()


def joined(statement: cst.ImportFrom, name: str) -> Optional[cst.ImportFrom]:
    """``statement`` with ``name`` sorted into its names; None for ``import *`` or when
    the name is there already."""
    if isinstance(statement.names, cst.ImportStar):
        return None
    names = list(statement.names)
    if any(isinstance(alias.name, cst.Name) and alias.name.value == name and alias.asname is None for alias in names):
        return None
    at = next(
        (i for i, alias in enumerate(names) if _name_key(name) < _name_key(_dotted(alias.name))),
        len(names),
    )
    # The comma that separates two names here (its whitespace leads to the next name).
    between = names[0].comma if len(names) > 1 and isinstance(names[0].comma, cst.Comma) else None
    if between is None and statement.lpar is not None:
        between = cst.Comma(whitespace_after=statement.lpar.whitespace_after)
    if between is None:
        between = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
    if at < len(names):
        names.insert(at, cst.ImportAlias(name=cst.Name(name), comma=between))
    else:
        last = names[-1]
        names[-1] = last.with_changes(comma=between)
        names.append(cst.ImportAlias(name=cst.Name(name), comma=last.comma))
    return statement.with_changes(names=names)


def leading_imports(body: Sequence[cst.BaseStatement]) -> Tuple[int, List[cst.SimpleStatementLine]]:
    """The index of the first statement after the docstring, and the import lines that
    follow it without a break (the block a sorter sorts)."""
    start = 1 if body and is_docstring(body[0]) else 0
    block: List[cst.SimpleStatementLine] = []
    for statement in body[start:]:
        if not _is_import_line(statement):
            break
        block.append(statement)  # type: ignore[arg-type]
    return start, block


def _is_import_line(statement: cst.CSTNode) -> bool:
    return isinstance(statement, cst.SimpleStatementLine) and all(
        isinstance(small, (cst.Import, cst.ImportFrom)) for small in statement.body
    )



def placement(block: Sequence[cst.SimpleStatementLine], key: Key, own_package: Optional[str]) -> Tuple[int, str]:
    """Where a new import line goes in ``block`` (non-empty): the index of the statement it
    goes before (``len(block)``: after the last) and whether a blank line must open a new
    section before it ("before") or after it ("after"), or neither ("")."""
    keys = [statement_key(statement, own_package) for statement in block]
    same = [i for i, k in enumerate(keys) if k[0] == key[0]]
    if same:
        after_it = next((i for i in same if keys[i] > key), None)
        return (after_it if after_it is not None else same[-1] + 1), ""
    later = next((i for i, k in enumerate(keys) if k[0] > key[0]), None)
    if later is not None:
        return later, "after"
    return len(block), "before"
