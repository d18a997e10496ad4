"""Is a test file run under a per-test timeout? (pytest-timeout's ``timeout`` setting.)

A project whose pytest configuration sets ``timeout = N`` (pytest-timeout) ends every test
that runs longer: a wait without a timeout in its tests is bounded by the runner, and the
rules about waits that never end leave test code alone there. The configuration is found
as pytest finds it: walking up from the file, the first ``pytest.ini`` (``[pytest]``), a
``pyproject.toml`` with ``[tool.pytest.ini_options]`` (or pytest 9's ``[tool.pytest]``), a ``tox.ini`` with ``[pytest]`` or a
``setup.cfg`` with ``[tool:pytest]``. Nothing is imported or run; the files are only read.
"""

from __future__ import annotations

import configparser
import functools
import os
import sys
from pathlib import PurePath
from typing import Any, Optional

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.9/3.10
    import tomli as tomllib

# After ``pytest.ini`` and ``pyproject.toml``: the ini files pytest reads, with the section
# that makes them its configuration.
_INI_FILES = (("tox.ini", "pytest"), ("setup.cfg", "tool:pytest"))
_TEST_FOLDERS = frozenset({"test", "tests", "testing"})


def is_test_path(path: str) -> bool:
    """Test modules and test support code: ``test_*.py``, ``*_test.py``, ``conftest.py``, or
    anything under a ``test``/``tests``/``testing`` folder."""
    parts = PurePath(path).parts
    name = parts[-1] if parts else ""
    if name.startswith("test_") or name.endswith("_test.py") or name == "conftest.py":
        return True
    return any(part in _TEST_FOLDERS for part in parts[:-1])


def test_timeout(path: str) -> Optional[float]:
    """The per-test timeout pytest-timeout applies to the test file ``path`` (None: none,
    or ``path`` is not test code)."""
    if not is_test_path(path):
        return None
    return _timeout_in(os.path.dirname(os.path.abspath(path)))


@functools.lru_cache(maxsize=1024)
def _timeout_in(folder: str) -> Optional[float]:
    found = _read_config(folder)
    if found is not None:
        return found[0]
    parent = os.path.dirname(folder)
    return None if parent == folder else _timeout_in(parent)


def _read_config(folder: str) -> Optional[tuple[Optional[float]]]:
    """``(timeout,)`` when ``folder`` holds pytest's configuration, else None."""
    ini = os.path.join(folder, "pytest.ini")
    if os.path.isfile(ini):
        return (_ini_timeout(_parser(ini), "pytest"),)  # a pytest.ini is pytest's, whatever it holds
    pyproject = os.path.join(folder, "pyproject.toml")
    if os.path.isfile(pyproject):
        table = _pyproject_table(pyproject)
        if table is not None:
            return (_seconds(table.get("timeout")),)
    for name, section in _INI_FILES:
        candidate = os.path.join(folder, name)
        parser = _parser(candidate) if os.path.isfile(candidate) else None
        if parser is not None and parser.has_section(section):
            return (_ini_timeout(parser, section),)
    return None


def _pyproject_table(path: str) -> Optional[dict[str, Any]]:
    try:
        with open(path, "rb") as handle:
            data = tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError):
        return None
    pytest = data.get("tool", {}).get("pytest")
    if not isinstance(pytest, dict):
        return None
    table = pytest.get("ini_options", pytest)  # pytest 9 also reads ``[tool.pytest]`` itself
    return table if isinstance(table, dict) else None


def _parser(path: str) -> Optional[configparser.RawConfigParser]:
    parser = configparser.RawConfigParser()
    try:
        parser.read(path, encoding="utf-8")
    except (OSError, configparser.Error, UnicodeDecodeError):
        return None
    return parser


def _ini_timeout(parser: Optional[configparser.RawConfigParser], section: str) -> Optional[float]:
    if parser is None or not parser.has_section(section):
        return None
    return _seconds(parser.get(section, "timeout", fallback=None))


def _seconds(value: Any) -> Optional[float]:
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        return None
    return seconds if seconds > 0 else None
