"""The asyncio rules from the user's side (real processes): the ``timeout-scopes`` option,
a mistake in it, and ``--fix`` that never touches a gather every caller bounds."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from cli_support import run

CODE = """\
import asyncio
from mypkg.deadlines import scope

async def bounded(jobs):
    async with scope(5):
        await asyncio.gather(*jobs)

async def unbounded(jobs):
    await asyncio.gather(*jobs)
"""


def _check(root: Path, *args: str) -> subprocess.CompletedProcess:
    process = run("check", "--no-cache", *args, cwd=root)
    return subprocess.CompletedProcess(process.args, process.returncode, process.stdout.decode(), process.stderr.decode())


def _project(tmp_path: Path, config: str) -> Path:
    (tmp_path / "pyproject.toml").write_text(config, encoding="utf-8")
    (tmp_path / "app.py").write_text(CODE, encoding="utf-8")
    return tmp_path


def _lines(process: subprocess.CompletedProcess) -> list[tuple[int, str]]:
    return sorted((d["line"], d["code"]) for d in json.loads(process.stdout)["diagnostics"])


def test_a_scope_of_your_own_bounds_what_runs_inside(tmp_path: Path) -> None:
    plain = _project(tmp_path, "[tool.timeoutlint]\nselect = ['TL201']\n")
    assert _lines(_check(plain, "--output-format", "json", "app.py")) == [(6, "TL201"), (9, "TL201")]
    config = "[tool.timeoutlint]\nselect = ['TL201']\n\n[tool.timeoutlint.rules.TL201]\ntimeout-scopes = ['mypkg.deadlines.scope']\n"
    root = _project(tmp_path, config)
    assert _lines(_check(root, "--output-format", "json", "app.py")) == [(9, "TL201")]


def test_the_scopes_of_either_table_serve_both_rules(tmp_path: Path) -> None:
    config = "[tool.timeoutlint]\nselect = ['TL202']\n\n[tool.timeoutlint.rules.TL201]\ntimeout-scopes = ['mypkg.deadlines.scope']\n"
    (tmp_path / "pyproject.toml").write_text(config, encoding="utf-8")
    (tmp_path / "app.py").write_text(
        "import asyncio\nfrom mypkg.deadlines import scope\n\nasync def run(ts):\n    async with scope(3):\n"
        "        await asyncio.wait(ts)\n    await asyncio.wait(ts)\n",
        encoding="utf-8",
    )
    assert _lines(_check(tmp_path, "--output-format", "json", "app.py")) == [(7, "TL202")]


def test_a_bad_timeout_scopes_value_is_a_usage_error(tmp_path: Path) -> None:
    root = _project(tmp_path, "[tool.timeoutlint.rules.TL202]\ntimeout-scopes = 'mypkg.scope'\n")
    process = _check(root, "app.py")
    assert process.returncode == 2
    assert "pyproject.toml" in process.stderr and "timeout-scopes" in process.stderr
    assert "expected a list of qualified names" in process.stderr
    root = _project(tmp_path, "[tool.timeoutlint.rules.TL202]\ntimeout-scopes = ['not a name']\n")
    process = _check(root, "app.py")
    assert process.returncode == 2 and "is not a qualified name" in process.stderr
    root = _project(tmp_path, "[tool.timeoutlint.rules.TL201]\ntimeout-scope = ['a.b']\n")
    process = _check(root, "app.py")
    assert process.returncode == 2 and "timeout-scopes" in process.stderr  # the suggestion


def test_fix_leaves_a_gather_every_caller_bounds(tmp_path: Path) -> None:
    """The fix stage knows what the project pass found: only the unbounded gather changes."""
    config = "[tool.timeoutlint]\nselect = ['TL201']\ndefault-timeout = 9\ntarget-version = 'py311'\n"
    (tmp_path / "pyproject.toml").write_text(config, encoding="utf-8")
    (tmp_path / "work.py").write_text(
        "import asyncio\n\nasync def inner(jobs):\n    await asyncio.gather(*jobs)\n\n"
        "async def outer(jobs):\n    await asyncio.gather(*jobs)\n",
        encoding="utf-8",
    )
    (tmp_path / "main.py").write_text(
        "import asyncio\nfrom work import inner\n\nasync def run(jobs):\n    async with asyncio.timeout(5):\n"
        "        await inner(jobs)\n",
        encoding="utf-8",
    )
    process = _check(tmp_path, "--fix", "--unsafe-fixes", "work.py")
    assert process.returncode == 0, process.stdout + process.stderr
    assert (tmp_path / "work.py").read_text(encoding="utf-8") == (
        "import asyncio\n\nasync def inner(jobs):\n    await asyncio.gather(*jobs)\n\n"
        "async def outer(jobs):\n    async with asyncio.timeout(9):\n        await asyncio.gather(*jobs)\n"
    )
