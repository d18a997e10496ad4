"""Fingerprints that survive unrelated edits: code + path + a hash of the flagged statement
(the message when there is none) + the occurrence index among equal keys, never the line."""

from __future__ import annotations

import hashlib
from pathlib import PurePath
from typing import Callable

from timeoutlint.ftypes import Diagnostic, LintError


def posix_path(path: str) -> str:
    return PurePath(path).as_posix()


def _digest(*parts: str) -> str:
    return hashlib.sha256("\0".join(parts).encode("utf-8", "surrogatepass")).hexdigest()


def fingerprints(diagnostics: list[Diagnostic], path_of: Callable[[str], str] = posix_path) -> list[str]:
    """One hex sha256 per diagnostic, in the order given (pass them sorted, so that the
    occurrence index follows the order in the file)."""
    seen: dict[tuple[str, str, str], int] = {}
    result = []
    for diag in diagnostics:
        key = (diag.code, path_of(diag.path), diag.statement_hash or diag.message)
        index = seen.get(key, 0)
        seen[key] = index + 1
        result.append(_digest(*key, str(index)))
    return result


def error_fingerprint(error: LintError, path_of: Callable[[str], str] = posix_path) -> str:
    return _digest("error", path_of(error.path), error.message)
