"""The result cache: a file's findings keyed by its content, the tool version and every
setting that can change them. One small JSON file per entry, written atomically, so
parallel runs and workers never see a torn entry. A damaged entry is a miss."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Optional, Sequence

from timeoutlint import __version__
from timeoutlint.analysis.testrunner import test_timeout
from timeoutlint.ftypes import Diagnostic, FileResult, LintError


@functools.lru_cache(maxsize=None)
def linter_digest() -> str:
    """A hash of the linter's own code: a rule changed without a version bump (a
    development install) must not be answered from the cache of the old rule."""
    digest = hashlib.sha256(__version__.encode())
    package = Path(__file__).resolve().parent
    for source in sorted(package.rglob("*.py")):
        if "runtime" not in source.relative_to(package).parts:
            digest.update(source.relative_to(package).as_posix().encode())
            digest.update(source.read_bytes())
    return digest.hexdigest()


def cache_key(
    data: bytes, settings_fingerprint: str, codes: Sequence[str], path: str, module_name: Optional[str] = None
) -> str:
    """``module_name`` (from the packages around the file) changes how its relative imports
    resolve, and so its findings and facts: adding an ``__init__.py`` must be a miss."""
    digest = hashlib.sha256()
    # A test file's findings depend on the per-test timeout of the pytest configuration.
    runner = repr(test_timeout(path))
    for part in (linter_digest(), settings_fingerprint, ",".join(codes), path, module_name or "", runner):
        digest.update(part.encode())
        digest.update(b"\0")
    digest.update(data)
    return digest.hexdigest()


class Cache:
    """Entries are written whole (a temporary file, then a rename), so two runs at once
    never see half an entry; an entry that does not read back (corrupted, or written by
    something else) is a miss, rewritten. ``problem`` says why the cache did not serve, for
    the run's one warning; the lint goes on without it."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory / __version__
        self.problem: Optional[str] = None

    def _path(self, key: str) -> Path:
        return self.directory / key[:2] / f"{key[2:]}.json"

    def get(self, key: str, path: str) -> Optional[FileResult]:
        try:
            with open(self._path(key), encoding="utf-8") as handle:
                data = json.load(handle)
            result = FileResult(
                path,
                diagnostics=[Diagnostic.from_cache(item, path) for item in data["diagnostics"]],
                errors=[LintError(path, item["message"], item.get("line"), item.get("column")) for item in data["errors"]],
                facts=data["facts"],
            )
        except FileNotFoundError:
            return None
        except OSError as exc:
            self.problem = f"cannot read {self.directory.parent}: {exc.strerror or exc}"
            return None
        except (ValueError, KeyError, TypeError, AttributeError):
            self.problem = f"a corrupted entry in {self.directory.parent} was ignored (and rewritten)"
            return None
        result.from_cache = True
        return result

    def put(self, key: str, result: FileResult) -> None:
        data = {
            "diagnostics": [diagnostic.to_cache() for diagnostic in result.diagnostics],
            "errors": [{"message": e.message, "line": e.line, "column": e.column} for e in result.errors],
            "facts": result.facts,
        }
        target = self._path(key)
        temporary = None
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            _ensure_gitignore(self.directory.parent)
            fd, temporary = tempfile.mkstemp(dir=target.parent, suffix=".tmp")
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(data, handle)
            os.replace(temporary, target)
        except OSError as exc:  # a cache that cannot be written is only slower
            self.problem = f"cannot write to {self.directory.parent}: {exc.strerror or exc}"
            if temporary is not None:
                with contextlib.suppress(OSError):
                    os.unlink(temporary)


def _ensure_gitignore(directory: Path) -> None:
    marker = directory / ".gitignore"
    if not marker.exists():
        marker.write_text("# Created by timeoutlint: the cache is never committed.\n*\n", encoding="utf-8")
