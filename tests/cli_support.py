"""Shared by the CLI tests: a temporary project as the working directory, the in-process
runner (CliRunner) and the real-process runner (``python -m timeoutlint``)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Optional

import pytest
from click.testing import CliRunner, Result

from timeoutlint.cli import main

BAD = 'import subprocess\nsubprocess.run(["ls"])\n'
FIXED = 'import subprocess\nsubprocess.run(["ls"], timeout=30)\n'
CLEAN = 'import subprocess\nsubprocess.run(["ls"], timeout=5)\n'
MESSAGE = "subprocess.run() waits for a child process with no timeout: a hung child blocks forever"
LINE = f"a.py:2:1: TL303 {MESSAGE}"
FIXABLE_LINE = f"a.py:2:1: TL303 [*] {MESSAGE}"
DEFAULT_TIMEOUT = "[tool.timeoutlint]\ndefault-timeout = 30\n"
# A finding that depends on the target version (TL106: before 3.11 the builtin TimeoutError
# is not asyncio.TimeoutError).
ALIAS = (
    "import asyncio\n\n\nasync def f(aw):\n    try:\n        return await asyncio.wait_for(aw, 1)\n"
    "    except TimeoutError:\n        return None\n"
)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty project folder, the working directory, with no color hints in the env."""
    root = tmp_path / "project"
    root.mkdir()
    monkeypatch.chdir(root)
    for name in ("NO_COLOR", "FORCE_COLOR"):
        monkeypatch.delenv(name, raising=False)
    return root


def write(root: Path, name: str, text: str) -> Path:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def make_runner() -> CliRunner:
    """stdout and stderr apart: the default from click 8.2 on, ``mix_stderr=False`` before
    (Python 3.9 gets click 8.1)."""
    try:
        return CliRunner(mix_stderr=False)  # type: ignore[call-arg]
    except TypeError:
        return CliRunner()


def invoke(*args: str, stdin: Optional[str] = None) -> Result:
    """Run the CLI in-process; it must exit through SystemExit, never an exception."""
    result = make_runner().invoke(main, list(args), input=stdin)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"the CLI raised {result.exception!r}\n{result.output}") from result.exception
    assert "Traceback" not in result.output
    return result


def run(*args: str, cwd: Path, stdin: Optional[bytes] = None, env: Optional[dict] = None) -> subprocess.CompletedProcess:
    """Run ``python -m timeoutlint`` as a real process."""
    environment = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "timeoutlint", *args],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        env=environment,
        timeout=300,
    )


def one_line_error(result: Result) -> str:
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("timeoutlint: error: ")
    return lines[0]
