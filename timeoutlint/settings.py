"""Resolved settings: what the engine is told to do, after config file and CLI are merged.

``config.py`` builds a :class:`Settings` from ``[tool.timeoutlint]`` and the command line;
the engine only ever reads this object. Rule selection follows Ruff: codes and prefixes
(``TL3``, ``TL30``, ``TL303``); a code is enabled when the longest prefix selecting it is
longer than the longest prefix ignoring it.
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Optional, Tuple

DEFAULT_EXCLUDES: Tuple[str, ...] = (
    ".git",
    ".hg",
    ".svn",
    ".bzr",
    ".venv",
    "venv",
    ".env",
    "env",
    "__pycache__",
    "__pypackages__",
    ".mypy_cache",
    ".pytest_cache",
    ".ruff_cache",
    ".timeoutlint_cache",
    ".tox",
    ".nox",
    ".eggs",
    "*.egg-info",
    "build",
    "dist",
    "node_modules",
    "site-packages",
    "_build",
    "buck-out",
)

SUPPORTED_TARGETS: Tuple[Tuple[int, int], ...] = tuple((3, minor) for minor in range(9, 15))


def format_target(version: Tuple[int, int]) -> str:
    return f"py{version[0]}{version[1]}"


def parse_target(text: str) -> Optional[Tuple[int, int]]:
    """``"py310"`` -> ``(3, 10)``; None when it is not a supported target."""
    for version in SUPPORTED_TARGETS:
        if format_target(version) == text:
            return version
    return None


def _longest_match(code: str, prefixes: Iterable[str]) -> int:
    return max((len(prefix) for prefix in prefixes if code.startswith(prefix)), default=0)


def prefix_enabled(code: str, selected: Iterable[str], ignored: Iterable[str]) -> bool:
    selected_len = _longest_match(code, selected)
    return selected_len > 0 and selected_len > _longest_match(code, ignored)


@dataclass(frozen=True)
class Settings:
    select: Tuple[str, ...] = ("TL",)
    extend_select: Tuple[str, ...] = ()
    ignore: Tuple[str, ...] = ()
    per_file_ignores: Tuple[Tuple[str, Tuple[str, ...]], ...] = ()
    exclude: Tuple[str, ...] = DEFAULT_EXCLUDES
    extend_exclude: Tuple[str, ...] = ()
    respect_gitignore: bool = True
    target_version: Tuple[int, int] = (3, 9)
    unsafe_fixes: bool = False
    fixable: Tuple[str, ...] = ("TL",)
    unfixable: Tuple[str, ...] = ()
    default_timeout: Optional[float] = None
    budget_import: str = "timeoutlint.runtime"
    executor_import: str = "timeoutlint.runtime"
    rule_options: Tuple[Tuple[str, Tuple[Tuple[str, Any], ...]], ...] = ()
    # Functions every call site of which the project bounds (found by the project pass
    # before fixes are applied, so that a fix is never made for a finding it drops).
    caller_bounded: Tuple[str, ...] = ()
    # Where the config came from: relative globs and the cache are anchored at ``root``.
    root: Path = field(default_factory=Path.cwd, compare=False)
    config_path: Optional[Path] = field(default=None, compare=False)
    # Where target_version came from, for ``-v`` and ``--show-settings``.
    target_source: str = field(default="the default", compare=False)

    def is_enabled(self, code: str) -> bool:
        return prefix_enabled(code, self.select + self.extend_select, self.ignore)

    def is_fixable(self, code: str) -> bool:
        return prefix_enabled(code, self.fixable, self.unfixable)

    def options_for(self, code: str) -> dict[str, Any]:
        for rule_code, options in self.rule_options:
            if rule_code == code:
                return dict(options)
        return {}

    def ignored_for_path(self, path: Path) -> Tuple[str, ...]:
        """Code prefixes that ``per-file-ignores`` switches off for ``path``."""
        if not self.per_file_ignores:
            return ()
        try:
            relative = path.resolve().relative_to(self.root.resolve()).as_posix()
        except ValueError:
            relative = path.as_posix()
        codes: list[str] = []
        for pattern, pattern_codes in self.per_file_ignores:
            if (
                fnmatch.fnmatchcase(relative, pattern)
                or fnmatch.fnmatchcase(path.name, pattern)
                or fnmatch.fnmatchcase(relative, pattern.rstrip("/") + "/*")
            ):
                codes.extend(pattern_codes)
        return tuple(codes)

    def fingerprint(self) -> str:
        """A stable hash of everything that can change a file's findings (for the cache)."""
        payload = {
            "select": self.select,
            "extend_select": self.extend_select,
            "ignore": self.ignore,
            "target": self.target_version,
            "default_timeout": self.default_timeout,
            "budget_import": self.budget_import,
            "executor_import": self.executor_import,
            "rule_options": self.rule_options,
            "caller_bounded": self.caller_bounded,
        }
        text = json.dumps(payload, sort_keys=True, default=repr)
        return hashlib.sha256(text.encode()).hexdigest()[:20]
