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
from typing import Any, Callable, Mapping, Optional

import pytest

from timeoutlint.settings import Settings

REPO_ROOT = Path(__file__).resolve().parent.parent


def settings_from_table(
    table: Mapping[str, Any], *, root: Optional[Path] = None, unsafe_fixes: Optional[bool] = None
) -> Settings:
    """``Settings`` from config keys as written in ``[tool.timeoutlint]``, validated by the
    config loader itself (a typo in a test's settings must not pass silently).

    ``unsafe_fixes`` (when given) overrides the table: tests that check fixed results turn
    unsafe fixes on, as ``--fix --unsafe-fixes`` does.
    """
    from timeoutlint import config  # not at import time: tests/runtime must not need libcst

    settings = config.settings_from_table(dict(table), root=root or REPO_ROOT, label="test settings")
    if unsafe_fixes is not None:
        settings = dataclasses.replace(settings, unsafe_fixes=unsafe_fixes)
    return settings


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
