"""Shared test plumbing: settings from a ``[tool.timeoutlint]``-style table, and the
``--update-fixtures`` flag that rewrites the ``*.fixed.py`` twins from the current output.

Rule examples (``Valid``/``Invalid``) and fixture headers carry their configuration as a
dict of config keys (``{"default-timeout": 30, "target-version": "py310"}``);
:func:`settings_from_table` turns such a dict into :class:`~timeoutlint.settings.Settings`.
Test modules get it through the ``make_settings`` fixture (importing ``conftest`` by name
is ambiguous: ``tests/runtime`` has its own).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any, Callable, Dict, Mapping, Optional

import pytest

from timeoutlint.settings import Settings, parse_target

REPO_ROOT = Path(__file__).resolve().parent.parent


def _codes(key: str, value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, (list, tuple)) or not all(isinstance(code, str) for code in value):
        raise ValueError(f"{key}: expected a list of rule codes, got {value!r}")
    return tuple(value)


def _target(key: str, value: Any) -> tuple[int, int]:
    version = parse_target(value) if isinstance(value, str) else None
    if version is None:
        raise ValueError(f"{key}: unknown target version {value!r} (expected e.g. 'py310')")
    return version


def _seconds(key: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        raise ValueError(f"{key}: expected a positive number of seconds, got {value!r}")
    return float(value)


def _module(key: str, value: Any) -> str:
    if not isinstance(value, str) or not all(part.isidentifier() for part in value.split(".")):
        raise ValueError(f"{key}: expected a dotted module name, got {value!r}")
    return value


def _boolean(key: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"{key}: expected a boolean, got {value!r}")
    return value


# config key -> (Settings field, converter). Only the keys examples and fixtures need.
_KEYS: Dict[str, tuple[str, Callable[[str, Any], Any]]] = {
    "default-timeout": ("default_timeout", _seconds),
    "target-version": ("target_version", _target),
    "budget-import": ("budget_import", _module),
    "executor-import": ("executor_import", _module),
    "select": ("select", _codes),
    "extend-select": ("extend_select", _codes),
    "ignore": ("ignore", _codes),
    "unsafe-fixes": ("unsafe_fixes", _boolean),
}


def settings_from_table(
    table: Mapping[str, Any], *, root: Optional[Path] = None, unsafe_fixes: Optional[bool] = None
) -> Settings:
    """``Settings`` from config keys as written in ``[tool.timeoutlint]``; an unknown key or
    a bad value raises ``ValueError`` (a typo in a test's settings must not pass silently).

    ``unsafe_fixes`` (when given) overrides the table: tests that check fixed results turn
    unsafe fixes on, as ``--fix --unsafe-fixes`` does.
    """
    values: Dict[str, Any] = {}
    for key, value in table.items():
        if key not in _KEYS:
            raise ValueError(f"unknown config key {key!r} in test settings; known: {', '.join(sorted(_KEYS))}")
        field_name, convert = _KEYS[key]
        values[field_name] = convert(key, value)
    if unsafe_fixes is not None:
        values["unsafe_fixes"] = unsafe_fixes
    if root is not None:
        values["root"] = root
    return dataclasses.replace(Settings(root=root or REPO_ROOT), **values)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-fixtures",
        action="store_true",
        default=False,
        help="Rewrite fixtures/*.fixed.py from the current --fix --unsafe-fixes output instead of "
        "asserting on it (and delete twins of fixtures that no longer change). Review the diff!",
    )


@pytest.fixture
def update_fixtures(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-fixtures"))


@pytest.fixture
def make_settings() -> Callable[..., Settings]:
    return settings_from_table
