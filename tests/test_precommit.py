"""The pre-commit hooks (SPEC §1) run for real: ``pre-commit try-repo`` and a
``.pre-commit-config.yaml`` pointing at this repository, in a temporary git repository.

The hook environment installs this project (its committed HEAD, or a shadow commit of the
work tree for try-repo when it has changes) with pip; PRE_COMMIT_HOME is shared by the
tests of this module so each environment is built once."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
BAD = 'import subprocess\nsubprocess.run(["ls"])\n'
FIXED = 'import subprocess\nsubprocess.run(["ls"], timeout=30)\n'
CLEAN = 'import subprocess\nsubprocess.run(["ls"], timeout=5)\n'
PYPROJECT = '[tool.timeoutlint]\ndefault-timeout = 30\nextend-exclude = ["generated/"]\n'
FINDING = "bad.py:2:1: TL303 subprocess.run() waits for a child process with no timeout"

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def _git_environment() -> dict[str, str]:
    # Variables a surrounding git hook may set would point git at the wrong repository.
    return {key: value for key, value in os.environ.items() if not key.startswith("GIT_")}


def _environment(home: Path) -> dict[str, str]:
    env = _git_environment()
    env["PRE_COMMIT_HOME"] = str(home)
    env.pop("PRE_COMMIT", None)
    env["PRE_COMMIT_COLOR"] = "never"
    return env


def _pre_commit_command() -> list[str]:
    script = Path(sys.executable).parent / "pre-commit"
    return [str(script)] if script.exists() else [sys.executable, "-m", "pre_commit"]


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("pre-commit-home")


def git(repo: Path, *args: str) -> str:
    process = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, timeout=120, env=_git_environment())
    assert process.returncode == 0, process.stderr
    return process.stdout


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A git repository with one finding (bad.py), a clean file, a finding in an excluded
    folder and the config; everything committed."""
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q")
    git(root, "config", "user.email", "tests@example.com")
    git(root, "config", "user.name", "Tests")
    git(root, "config", "commit.gpgsign", "false")
    (root / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
    (root / "bad.py").write_text(BAD, encoding="utf-8")
    (root / "good.py").write_text(CLEAN, encoding="utf-8")
    (root / "generated").mkdir()
    (root / "generated" / "gen.py").write_text(BAD, encoding="utf-8")
    (root / "notes.txt").write_text(BAD, encoding="utf-8")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "initial")
    return root


def pre_commit(repo: Path, home: Path, *args: str) -> subprocess.CompletedProcess:
    process = subprocess.run(
        [*_pre_commit_command(), *args],
        cwd=repo,
        capture_output=True,
        text=True,
        timeout=1200,
        env=_environment(home),
    )
    assert "Traceback" not in process.stdout + process.stderr, process.stdout + process.stderr
    return process


def try_repo(repo: Path, home: Path, hook: str, *args: str) -> subprocess.CompletedProcess:
    return pre_commit(repo, home, "try-repo", str(REPO_ROOT), hook, *args)


def set_unsafe_fixes(repo: Path) -> None:
    (repo / "pyproject.toml").write_text(PYPROJECT + "unsafe-fixes = true\n", encoding="utf-8")
    git(repo, "commit", "-q", "-am", "unsafe fixes")


def test_the_hooks_file_is_committed() -> None:
    tracked = subprocess.run(
        ["git", "ls-files", ".pre-commit-hooks.yaml"], cwd=REPO_ROOT, capture_output=True, text=True, timeout=60
    )
    if tracked.returncode != 0:
        pytest.skip("not a git checkout")
    assert tracked.stdout.strip() == ".pre-commit-hooks.yaml"


def test_check_hook_fails_and_prints_the_finding(repo: Path, pre_commit_home: Path) -> None:
    process = try_repo(repo, pre_commit_home, "timeoutlint", "--all-files")
    assert process.returncode == 1, process.stdout + process.stderr
    assert "timeoutlint" in process.stdout and "Failed" in process.stdout
    assert FINDING in process.stdout
    # pre-commit names generated/gen.py on the command line: --force-exclude skips it
    assert "gen.py" not in process.stdout
    assert "notes.txt" not in process.stdout
    assert (repo / "bad.py").read_text(encoding="utf-8") == BAD
    assert git(repo, "status", "--porcelain") == ""


def test_check_hook_passes_on_clean_files(repo: Path, pre_commit_home: Path) -> None:
    process = try_repo(repo, pre_commit_home, "timeoutlint", "--files", "good.py", "generated/gen.py")
    assert process.returncode == 0, process.stdout + process.stderr
    assert "Passed" in process.stdout


def test_fix_hook_without_unsafe_fixes_changes_nothing_and_fails(repo: Path, pre_commit_home: Path) -> None:
    process = try_repo(repo, pre_commit_home, "timeoutlint-fix", "--all-files")
    assert process.returncode == 1
    assert FINDING in process.stdout
    assert "1 more with --unsafe-fixes" in process.stdout
    assert (repo / "bad.py").read_text(encoding="utf-8") == BAD


def test_fix_hook_through_try_repo_with_unsafe_fixes_in_the_config(repo: Path, pre_commit_home: Path) -> None:
    set_unsafe_fixes(repo)
    first = try_repo(repo, pre_commit_home, "timeoutlint-fix", "--all-files")
    assert first.returncode == 1, first.stdout + first.stderr
    assert "files were modified by this hook" in first.stdout
    assert (repo / "bad.py").read_text(encoding="utf-8") == FIXED
    assert (repo / "generated" / "gen.py").read_text(encoding="utf-8") == BAD  # excluded: untouched
    assert git(repo, "status", "--porcelain").split() == ["M", "bad.py"]
    second = try_repo(repo, pre_commit_home, "timeoutlint-fix", "--all-files")
    assert second.returncode == 0, second.stdout + second.stderr
    assert "Passed" in second.stdout


def test_fix_hook_from_a_config_with_args(repo: Path, pre_commit_home: Path) -> None:
    rev = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=REPO_ROOT, capture_output=True, text=True, timeout=60
    ).stdout.strip()
    if not rev:
        pytest.skip("the project is not a git checkout")
    config = (
        "repos:\n"
        f"-   repo: {REPO_ROOT.as_posix()}\n"
        f"    rev: {rev}\n"
        "    hooks:\n"
        "    -   id: timeoutlint-fix\n"
        "        args: [--unsafe-fixes]\n"
    )
    (repo / ".pre-commit-config.yaml").write_text(config, encoding="utf-8")
    git(repo, "add", ".pre-commit-config.yaml")
    git(repo, "commit", "-q", "-m", "pre-commit config")

    first = pre_commit(repo, pre_commit_home, "run", "--all-files")
    assert first.returncode == 1, first.stdout + first.stderr
    assert "timeoutlint (fix)" in first.stdout
    assert "files were modified by this hook" in first.stdout
    assert "Fixed 1 problem." in first.stdout
    assert (repo / "bad.py").read_text(encoding="utf-8") == FIXED
    assert (repo / "generated" / "gen.py").read_text(encoding="utf-8") == BAD

    second = pre_commit(repo, pre_commit_home, "run", "--all-files")
    assert second.returncode == 0, second.stdout + second.stderr
    assert "Passed" in second.stdout

    # As a git hook on a commit: the staged fix passes, a new finding is fixed and stops the commit.
    git(repo, "add", "bad.py")
    assert pre_commit(repo, pre_commit_home, "install").returncode == 0
    git(repo, "commit", "-q", "-m", "fixed")
    (repo / "new.py").write_text(BAD, encoding="utf-8")
    git(repo, "add", "new.py")
    commit = subprocess.run(
        ["git", "commit", "-q", "-m", "a new finding"],
        cwd=repo,
        capture_output=True,
        text=True,
        timeout=1200,
        env=_environment(pre_commit_home),
    )
    assert commit.returncode != 0
    assert (repo / "new.py").read_text(encoding="utf-8") == FIXED
    assert "new.py" in git(repo, "status", "--porcelain")
