"""The project pass through the real CLI, on the multi-module fixture projects
(``fixtures/<what>_project/``): every file's ``# error:`` comments must be found with all
files checked, and — pre-commit style — with only some files passed, where the facts of the
others are still read but only the files passed are reported. ``--fix --unsafe-fixes`` on a
copy must give the fixed twin (``fixtures/<what>_project.fixed/``) byte for byte;
``--update-fixtures`` rewrites the twin instead.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import pytest

from test_fixtures import expected_findings

REPO_ROOT = Path(__file__).resolve().parent.parent
FIXTURES = REPO_ROOT / "fixtures"
PROJECTS = sorted(path for path in FIXTURES.glob("*_project") if path.is_dir())
IGNORED = shutil.ignore_patterns("__pycache__", ".timeoutlint_cache")

Finding = Tuple[str, int, str]  # (file, line, code)


def _twin(project: Path) -> Path:
    return project.with_name(project.name + ".fixed")


def _sources(project: Path) -> List[str]:
    return sorted(path.name for path in project.glob("*.py"))


def _expected(project: Path, files: Optional[List[str]] = None) -> Counter[Finding]:
    found: Counter[Finding] = Counter()
    for name in files if files is not None else _sources(project):
        for (line, code), count in expected_findings((project / name).read_text(encoding="utf-8")).items():
            found[(name, line, code)] += count
    return found


def _copy(project: Path, tmp_path: Path) -> Path:
    work = tmp_path / project.name
    shutil.copytree(project, work, ignore=IGNORED)
    return work


def _check(cwd: Path, *args: str) -> Tuple[int, Dict[str, Any]]:
    command = [sys.executable, "-m", "timeoutlint", "check", "--output-format", "json", *args]
    completed = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=300)
    assert completed.returncode in (0, 1), completed.stderr
    report = json.loads(completed.stdout)
    assert report["errors"] == [], report["errors"]
    return completed.returncode, report


def _found(report: Dict[str, Any]) -> Counter[Finding]:
    return Counter((d["path"], d["line"], d["code"]) for d in report["diagnostics"])


@pytest.mark.parametrize("project", PROJECTS, ids=[p.name for p in PROJECTS])
def test_all_files(project: Path, tmp_path: Path) -> None:
    work = _copy(project, tmp_path)
    status, report = _check(work, "--no-cache")
    assert _found(report) == _expected(project)
    assert status == (1 if _expected(project) else 0)


def _single_files() -> List[Any]:
    return [pytest.param(project, name, id=f"{project.name}-{name}") for project in PROJECTS for name in _sources(project)]


@pytest.mark.parametrize(("project", "name"), _single_files())
def test_one_file_passed(project: Path, name: str, tmp_path: Path) -> None:
    """What the pre-commit hook does: only the changed file is passed; findings that need
    the other modules' facts are still found, and only that file is reported."""
    work = _copy(project, tmp_path)
    _, report = _check(work, "--no-cache", name)
    assert _found(report) == _expected(project, [name])


def test_slot_alone_finds_the_pool_three_modules_away(tmp_path: Path) -> None:
    work = _copy(FIXTURES / "workflow_project", tmp_path)
    _, report = _check(work, "--no-cache", "--select", "TL101", "slot.py")
    [finding] = report["diagnostics"]
    assert finding["path"] == "slot.py"
    assert "flow.py:19 submits `execute_task` → `Task.run` → `Slot.receive`" in finding["message"]
    _, report = _check(work, "--no-cache", "--select", "TL101", "flow.py")
    assert {d["path"] for d in report["diagnostics"]} == {"flow.py"}


def test_cached_facts_of_the_other_files(tmp_path: Path) -> None:
    work = _copy(FIXTURES / "workflow_project", tmp_path)
    cache = tmp_path / "cache"
    first = _check(work, "--cache-dir", str(cache), "slot.py")[1]
    again = _check(work, "--cache-dir", str(cache), "slot.py")[1]
    assert first == again
    assert _found(again) == _expected(FIXTURES / "workflow_project", ["slot.py"])
    everything = _check(work, "--cache-dir", str(cache))[1]
    assert _found(everything) == _expected(FIXTURES / "workflow_project")


@pytest.mark.parametrize("project", PROJECTS, ids=[p.name for p in PROJECTS])
def test_fixed_twin(project: Path, tmp_path: Path, update_fixtures: bool) -> None:
    work = _copy(project, tmp_path)
    _check(work, "--no-cache", "--fix", "--unsafe-fixes")
    twin = _twin(project)
    if update_fixtures:
        shutil.rmtree(twin, ignore_errors=True)
        shutil.copytree(work, twin, ignore=IGNORED)
        return
    assert twin.is_dir(), f"{project.name} has no fixed twin {twin.name} (--update-fixtures)"
    names = sorted(path.name for path in work.iterdir() if path.name not in ("__pycache__", ".timeoutlint_cache"))
    assert names == sorted(path.name for path in twin.iterdir() if path.name != "__pycache__")
    for name in names:
        assert (work / name).read_bytes() == (twin / name).read_bytes(), f"{twin.name}/{name} differs from the fix result"


@pytest.mark.parametrize("project", PROJECTS, ids=[p.name for p in PROJECTS])
def test_fixed_twin_is_stable(project: Path, tmp_path: Path) -> None:
    work = _copy(_twin(project), tmp_path)
    _, report = _check(work, "--no-cache", "--unsafe-fixes")
    assert [d for d in report["diagnostics"] if d["fix"] is not None] == []
    before = {name: (work / name).read_bytes() for name in _sources(work)}
    _check(work, "--no-cache", "--fix", "--unsafe-fixes")
    assert {name: (work / name).read_bytes() for name in _sources(work)} == before


@pytest.mark.parametrize(
    ("project", "expected"),
    [
        pytest.param("workflow_project", ["slot.py:21:14: TL101"], id="workflow"),
        # the pool comes from a getter, the task is a dataclass, the worker a module function
        pytest.param("activation_project", ["slot.py:20:14: TL101", "slot.py:21:20: TL104"], id="activation"),
    ],
)
def test_pre_commit_hook_with_only_the_changed_file(tmp_path: Path, project: str, expected: List[str]) -> None:
    """The real hook (``pre-commit try-repo``) on a git repository of the project."""
    pre_commit = shutil.which("pre-commit") or str(Path(sys.executable).with_name("pre-commit"))
    if not Path(pre_commit).exists():
        pytest.skip("pre-commit is not installed")
    work = _copy(FIXTURES / project, tmp_path)
    env = {"HOME": str(tmp_path), "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"), "PATH": "/usr/bin:/bin"}
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com"]
    for command in (["git", "init", "-q"], ["git", "add", "."], [*git, "commit", "-q", "-m", "fixture"]):
        subprocess.run(command, cwd=work, check=True, capture_output=True, env=env, timeout=60)
    completed = subprocess.run(
        [pre_commit, "try-repo", str(REPO_ROOT), "timeoutlint", "--files", "slot.py", "--verbose"],
        cwd=work,
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
    )
    output = completed.stdout + completed.stderr
    if "Installing environment" in output and completed.returncode != 1:
        pytest.skip(f"the hook's environment could not be installed here:\n{output[-2000:]}")
    assert completed.returncode == 1, output
    for finding in expected:
        assert finding in output, output
    reported = set(re.findall(r"^(\S+\.py):\d+:\d+: TL\d+", output, re.MULTILINE))
    assert reported == {"slot.py"}, output  # the other modules are read for facts, not reported
