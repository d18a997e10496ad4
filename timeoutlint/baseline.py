"""Baselines: adopt timeoutlint on a legacy codebase today, fail only on new findings.

A finding is keyed by its code, its path (relative to the folder of the baseline file,
so the key does not depend on the working directory), a hash of the
normalized text of the statement that holds it, and its occurrence index among findings
with the same three: so edits elsewhere in the file (lines moving) do not resurrect it,
while a second copy of the same bad statement is new.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path
from typing import AbstractSet, FrozenSet, Iterable, Tuple

Key = Tuple[str, str, str, int]
# A baseline's keys and the folder (as a string: it travels to worker processes) their
# paths are relative to.
Baselined = Tuple[FrozenSet[Key], str]

from timeoutlint.ftypes import Diagnostic

FORMAT_VERSION = 1


class BaselineError(Exception):
    pass


def anchor(baseline_file: Path) -> Path:
    """The folder the paths of a baseline are relative to: the baseline file's own."""
    return Path(os.path.realpath(baseline_file)).parent


def _relative(path: str, root: Path) -> str:
    # realpath on both sides: a symlinked working directory (/tmp on macOS) must give the
    # same key as its target.
    real = os.path.realpath(path)
    try:
        return Path(os.path.relpath(real, os.path.realpath(root))).as_posix()
    except ValueError:  # another drive (Windows)
        return Path(real).as_posix()


def keys(diagnostics: Iterable[Diagnostic], root: Path) -> list[tuple[str, str, str, int]]:
    """The baseline key of each diagnostic, in the order given (sort them first)."""
    seen: Counter[tuple[str, str, str]] = Counter()
    result = []
    for diagnostic in diagnostics:
        base = (diagnostic.code, _relative(diagnostic.path, root), diagnostic.statement_hash)
        result.append((*base, seen[base]))
        seen[base] += 1
    return result


def write_baseline(path: Path, diagnostics: list[Diagnostic], root: Path) -> None:
    ordered = sorted(diagnostics, key=Diagnostic.sort_key)
    entries = [
        {"code": code, "path": file, "hash": digest, "index": index, "line": diagnostic.line, "message": diagnostic.message}
        for (code, file, digest, index), diagnostic in zip(keys(ordered, root), ordered)
    ]
    document = {"version": FORMAT_VERSION, "findings": entries}
    path.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")


def load_baseline(path: Path) -> set[tuple[str, str, str, int]]:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        if document.get("version") != FORMAT_VERSION:
            raise BaselineError(f"{path}: unsupported baseline version {document.get('version')!r}")
        return {(e["code"], e["path"], e["hash"], int(e["index"])) for e in document["findings"]}
    except OSError as exc:
        raise BaselineError(f"{path}: cannot read the baseline: {exc.strerror or exc}") from None
    except KeyError as exc:
        raise BaselineError(f"{path}: not a timeoutlint baseline (missing key {exc})") from None
    except (ValueError, TypeError, AttributeError) as exc:
        raise BaselineError(f"{path}: not a timeoutlint baseline ({exc})") from None


def _split(diagnostics: list[Diagnostic], known: AbstractSet[Key], root: Path) -> Tuple[list[Diagnostic], list[Diagnostic]]:
    """The diagnostics the baseline does not record, and those it does (sorted)."""
    ordered = sorted(diagnostics, key=Diagnostic.sort_key)
    new: list[Diagnostic] = []
    recorded: list[Diagnostic] = []
    for diagnostic, key in zip(ordered, keys(ordered, root)):
        (recorded if key in known else new).append(diagnostic)
    return new, recorded


def new_findings(diagnostics: list[Diagnostic], known: AbstractSet[Key], root: Path) -> list[Diagnostic]:
    return _split(diagnostics, known, root)[0]


def baselined(diagnostics: list[Diagnostic], known: AbstractSet[Key], root: Path) -> list[Diagnostic]:
    """The diagnostics the baseline records (the complement of ``new_findings``)."""
    return _split(diagnostics, known, root)[1]


def entries_for(known: FrozenSet[Key], path: str, root: Path) -> FrozenSet[Key]:
    """The entries of ``known`` that belong to the file ``path``."""
    relative = _relative(path, root)
    return frozenset(key for key in known if key[1] == relative)
