"""pytest-timeout's configured per-test timeout, found as pytest finds its configuration."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from timeoutlint.analysis import testrunner
from timeoutlint.analysis.testrunner import is_test_path, test_timeout as timeout_for

TEST = "import requests\n\ndef test_fetch():\n    requests.get('http://localhost:8000')\n"


@pytest.fixture(autouse=True)
def _fresh() -> None:
    testrunner._timeout_in.cache_clear()


def _test_file(root: Path) -> str:
    path = root / "tests" / "test_fetch.py"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(TEST)
    return str(path)


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("pytest.ini", "[pytest]\ntimeout = 30\n", 30.0),
        ("pyproject.toml", "[tool.pytest.ini_options]\ntimeout = 120\n", 120.0),
        ("pyproject.toml", '[tool.pytest.ini_options]\ntimeout = "20"\n', 20.0),
        ("pyproject.toml", '[tool.pytest]\ntimeout = "20"\n', 20.0),  # pytest 9's native table
        ("tox.ini", "[pytest]\ntimeout = 5\n", 5.0),
        ("setup.cfg", "[tool:pytest]\ntimeout = 7.5\n", 7.5),
        ("pytest.ini", "[pytest]\ntimeout = 0\n", None),  # 0 turns the plugin off
        ("pytest.ini", "[pytest]\nfaulthandler_timeout = 60\n", None),  # not a timeout
    ],
)
def test_configured_timeout(tmp_path: Path, name: str, text: str, expected: object) -> None:
    (tmp_path / name).write_text(text)
    assert timeout_for(_test_file(tmp_path)) == expected


def test_the_first_configuration_found_wins(tmp_path: Path) -> None:
    (tmp_path / "pytest.ini").write_text("[pytest]\ntimeout = 30\n")
    inner = tmp_path / "sub"
    inner.mkdir()
    (inner / "pyproject.toml").write_text("[tool.pytest.ini_options]\naddopts = '-q'\n")
    assert timeout_for(_test_file(inner)) is None  # pytest stops at sub/pyproject.toml
    (inner / "pyproject.toml").write_text("[project]\nname = 'x'\n")  # no pytest table: go on up
    testrunner._timeout_in.cache_clear()
    assert timeout_for(_test_file(inner)) == 30.0


def test_only_test_code(tmp_path: Path) -> None:
    (tmp_path / "pytest.ini").write_text("[pytest]\ntimeout = 30\n")
    library = tmp_path / "pkg" / "client.py"
    library.parent.mkdir()
    library.write_text(TEST)
    assert timeout_for(str(library)) is None
    assert is_test_path("a/tests/helpers.py") and is_test_path("test_x.py") and is_test_path("conftest.py")
    assert not is_test_path("src/contest.py")


def _check(cwd: Path) -> str:
    command = [sys.executable, "-m", "timeoutlint", "check", "--isolated", "--select", "TL304", "."]
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=120).stdout


def test_the_cli_follows_the_configuration_through_the_cache(tmp_path: Path) -> None:
    _test_file(tmp_path)
    assert "tests/test_fetch.py:4:5: TL304" in _check(tmp_path)
    (tmp_path / "pytest.ini").write_text("[pytest]\ntimeout = 30\n")
    assert "TL304" not in _check(tmp_path)  # the cached result of the first run is not reused
    (tmp_path / "pytest.ini").write_text("[pytest]\naddopts = -q\n")
    assert "tests/test_fetch.py:4:5: TL304" in _check(tmp_path)
