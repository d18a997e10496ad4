"""`timeoutlint check` around the files: stdin, baselines, the process pool, the cache,
--quiet/--verbose/--color, --force-exclude and progress on a terminal (SPEC §3)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import Result

from timeoutlint.api import POOL_THRESHOLD

from cli_support import (  # noqa: F401  (project is a fixture)
    BAD,
    CLEAN,
    DEFAULT_TIMEOUT,
    FIXED,
    LINE,
    MESSAGE,
    invoke,
    one_line_error,
    project,
    run,
    write,
)


# -- stdin -------------------------------------------------------------------------------------


def test_stdin_filename_reports_under_the_name(project: Path) -> None:
    result = invoke("check", "--stdin-filename", "pkg/mod.py", stdin=BAD)
    assert result.exit_code == 1
    assert f"pkg/mod.py:2:1: TL303 {MESSAGE}" in result.stdout
    assert not (project / "pkg").exists()


def test_dash_reads_stdin(project: Path) -> None:
    result = invoke("check", "-", stdin=BAD)
    assert result.exit_code == 1
    assert f"-:2:1: TL303 {MESSAGE}" in result.stdout
    named = invoke("check", "--stdin-filename", "pkg/mod.py", "-", stdin=BAD)
    assert f"pkg/mod.py:2:1: TL303 {MESSAGE}" in named.stdout


def test_stdin_clean(project: Path) -> None:
    result = invoke("check", "--stdin-filename", "mod.py", stdin=CLEAN)
    assert result.exit_code == 0


def test_stdin_with_paths_is_a_usage_error(project: Path) -> None:
    write(project, "a.py", BAD)
    one_line_error(invoke("check", "--stdin-filename", "x.py", "a.py", stdin=BAD))


def test_stdin_fix_prints_the_code_to_stdout_and_the_report_to_stderr(project: Path) -> None:
    write(project, "pyproject.toml", DEFAULT_TIMEOUT)
    process = run("check", "--stdin-filename", "mod.py", "--fix", "--unsafe-fixes", cwd=project, stdin=BAD.encode())
    assert process.returncode == 0, process.stderr
    assert process.stdout == FIXED.encode()
    assert b"Fixed 1 problem." in process.stderr


def test_stdin_fix_gives_the_code_back_when_nothing_applies(project: Path) -> None:
    write(project, "pyproject.toml", DEFAULT_TIMEOUT)
    process = run("check", "--stdin-filename", "mod.py", "--fix", cwd=project, stdin=BAD.encode())
    assert process.returncode == 1
    assert process.stdout == BAD.encode()
    assert f"mod.py:2:1: TL303 {MESSAGE}".encode() in process.stderr


def test_stdin_fix_keeps_the_encoding(project: Path) -> None:
    write(project, "pyproject.toml", DEFAULT_TIMEOUT)
    source = '# -*- coding: latin-1 -*-\nimport subprocess\nname = "café"\nsubprocess.run(["ls"])\n'.encode("latin-1")
    process = run(
        "check", "--stdin-filename", "mod.py", "--fix", "--unsafe-fixes", cwd=project, stdin=source,
        env={"PYTHONIOENCODING": "ascii", "LC_ALL": "C"},
    )
    assert process.returncode == 0, process.stderr
    assert process.stdout == source.replace(b'["ls"])', b'["ls"], timeout=30)')


def test_stdin_diff(project: Path) -> None:
    write(project, "pyproject.toml", DEFAULT_TIMEOUT)
    result = invoke("check", "--stdin-filename", "mod.py", "--diff", "--unsafe-fixes", stdin=BAD)
    assert result.exit_code == 1
    assert '+subprocess.run(["ls"], timeout=30)' in result.stdout.splitlines()


# -- baseline ---------------------------------------------------------------------------------


def test_write_baseline_then_baseline(project: Path) -> None:
    path = write(project, "a.py", BAD)
    written = invoke("check", "--write-baseline", "baseline.json")
    assert written.exit_code == 0
    assert "Wrote 1 finding to the baseline baseline.json." in written.stderr
    data = json.loads((project / "baseline.json").read_text(encoding="utf-8"))
    assert [entry["code"] for entry in data["findings"]] == ["TL303"]
    known = invoke("check", "--baseline", "baseline.json")
    assert known.exit_code == 0
    assert known.stdout == "All checks passed!\n"
    path.write_text(BAD + 'subprocess.call("x")\n', encoding="utf-8")
    new = invoke("check", "--baseline", "baseline.json")
    assert new.exit_code == 1
    assert "a.py:3:1: TL303" in new.stdout
    assert LINE not in new.stdout


def test_missing_baseline_is_a_one_line_error(project: Path) -> None:
    write(project, "a.py", BAD)
    assert "nope.json" in one_line_error(invoke("check", "--baseline", "nope.json"))


# -- processes, cache, verbosity ------------------------------------------------------------


def test_jobs_pool_gives_the_same_results_as_one_process(project: Path) -> None:
    count = max(POOL_THRESHOLD + 4, 20)
    for index in range(count):
        body = BAD * (1 + index % 3) if index % 4 else CLEAN
        write(project, f"pkg{index % 3}/m{index}.py", body)
    write(project, "pkg0/broken.py", "import subprocess\ndef f(:\n")
    serial = run("check", "--no-cache", "--jobs", "1", "--output-format", "json", cwd=project)
    pooled = run("check", "--no-cache", "--jobs", "2", "--output-format", "json", cwd=project)
    assert serial.returncode == pooled.returncode == 1
    assert pooled.stderr == serial.stderr == b""
    assert json.loads(pooled.stdout) == json.loads(serial.stdout)
    data = json.loads(serial.stdout)
    assert len({d["path"] for d in data["diagnostics"]}) == count - (count + 3) // 4
    assert [e["path"] for e in data["errors"]] == ["pkg0/broken.py"]


def test_cache_serves_a_second_run_and_relints_a_changed_file(project: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    for index in range(5):
        write(project, f"m{index}.py", BAD)

    def checked() -> tuple[Result, str]:
        result = invoke("check", "--cache-dir", str(cache), "--verbose")
        (line,) = [line for line in result.stderr.splitlines() if "from cache" in line]
        return result, line

    first, line = checked()
    assert "checked 5 files (0 from cache)" in line
    second, line = checked()
    assert "checked 5 files (5 from cache)" in line
    assert second.stdout == first.stdout
    (project / "m3.py").write_text(CLEAN, encoding="utf-8")
    third, line = checked()
    assert "checked 5 files (4 from cache)" in line
    assert "m3.py" not in third.stdout
    assert "Found 4 problems." in third.stdout
    assert not (project / ".timeoutlint_cache").exists()


def test_cache_misses_when_the_module_name_changes(project: Path, tmp_path: Path) -> None:
    """Adding ``__init__.py`` makes ``pkg/a.py`` the module ``pkg.a``: its relative imports
    resolve differently, so its cached result must not be reused."""
    cache = str(tmp_path / "cache")
    write(project, "pkg/a.py", BAD)
    invoke("check", "--cache-dir", cache)
    assert "checked 1 files (1 from cache)" in invoke("check", "--cache-dir", cache, "-v").stderr
    write(project, "pkg/__init__.py", "")
    assert "checked 2 files (0 from cache)" in invoke("check", "--cache-dir", cache, "-v").stderr


def test_default_cache_lives_in_the_project(project: Path) -> None:
    write(project, "pyproject.toml", DEFAULT_TIMEOUT)
    write(project, "a.py", BAD)
    invoke("check")
    assert (project / ".timeoutlint_cache").is_dir()
    assert "from cache" in invoke("check", "-v").stderr
    assert "(1 from cache)" in invoke("check", "-v").stderr


def test_no_cache_reads_and_writes_nothing(project: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    write(project, "a.py", BAD)
    for _ in range(2):
        result = invoke("check", "--no-cache", "--cache-dir", str(cache), "-v")
        assert "(0 from cache)" in result.stderr
    assert not cache.exists()
    assert not (project / ".timeoutlint_cache").exists()


def test_quiet_prints_findings_only(project: Path) -> None:
    write(project, "a.py", BAD)
    write(project, "broken.py", "import subprocess\ndef f(:\n")
    result = invoke("check", "--quiet")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0] == LINE
    assert lines[1].startswith("broken.py:")
    assert len(lines) == 2
    assert invoke("check", "-q", "a.py", "--exit-zero").stdout == f"{LINE}\n"
    (project / "a.py").write_text(CLEAN)
    assert invoke("check", "-q", "a.py").stdout == ""


def test_quiet_full_keeps_the_snippets(project: Path) -> None:
    write(project, "a.py", "import subprocess\ndef f():\n    subprocess.run(['ls'])\n")
    result = invoke("check", "-q", "--output-format", "full")
    assert "Found" not in result.stdout
    assert "2 | def f():" in result.stdout
    assert "3 |     subprocess.run(['ls'])" in result.stdout


def test_verbose_names_the_config(project: Path) -> None:
    write(project, "pyproject.toml", DEFAULT_TIMEOUT)
    write(project, "a.py", BAD)
    result = invoke("check", "--verbose")
    assert result.exit_code == 1
    assert f"using {project / 'pyproject.toml'}" in result.stderr
    assert "checked 1 files" in result.stderr or "checked 1 file" in result.stderr
    isolated = invoke("check", "--verbose", "--isolated")
    assert "no config file" in isolated.stderr


@pytest.mark.parametrize(("choice", "colored"), [("always", True), ("never", False), ("auto", False)])
def test_color(project: Path, choice: str, colored: bool) -> None:
    write(project, "a.py", BAD)
    process = run("check", "--color", choice, cwd=project)  # stdout is a pipe
    assert process.returncode == 1
    assert (b"\x1b[" in process.stdout) is colored
    assert process.stdout.replace(b"\x1b[0m", b"").replace(b"\x1b[1m", b"").count(b"TL303") == 1


def test_no_color_env_and_force_color(project: Path) -> None:
    write(project, "a.py", BAD)
    assert b"\x1b[" in run("check", cwd=project, env={"FORCE_COLOR": "1"}).stdout
    assert b"\x1b[" not in run("check", cwd=project, env={"NO_COLOR": "1", "FORCE_COLOR": "1"}).stdout


# -- --force-exclude ------------------------------------------------------------------------


@pytest.fixture
def excluding(project: Path) -> Path:
    write(project, "pyproject.toml", "[tool.timeoutlint]\nextend-exclude = ['generated/', 'legacy_*.py']\n")
    write(project, ".gitignore", "ignored/\n")
    for name in ("a.py", "generated/g.py", "legacy_x.py", "ignored/i.py", "build/b.py", "src/generated/deep.py"):
        write(project, name, BAD)
    return project


EXCLUDED = ["generated/g.py", "legacy_x.py", "ignored/i.py", "build/b.py", "src/generated/deep.py"]


def test_named_files_are_linted_even_when_excluded(excluding: Path) -> None:
    result = invoke("check", "a.py", *EXCLUDED)
    assert result.exit_code == 1
    for name in ["a.py", *EXCLUDED]:
        assert f"{name}:2:1: TL303" in result.stdout


def test_force_exclude_applies_the_excludes_to_named_files(excluding: Path) -> None:
    result = invoke("check", "--force-exclude", "a.py", *EXCLUDED)
    assert result.exit_code == 1
    assert result.stdout == f"{LINE}\n\nFound 1 problem.\n"
    assert invoke("check", "--force-exclude", *EXCLUDED).stdout == "All checks passed!\n"
    # a walk is unchanged by the flag
    assert invoke("check", "--force-exclude").stdout == invoke("check").stdout


def test_force_exclude_from_a_subfolder_and_with_absolute_paths(excluding: Path) -> None:
    os.chdir(excluding / "src")
    assert invoke("check", "--force-exclude", "generated/deep.py").stdout == "All checks passed!\n"
    absolute = [str(excluding / name) for name in EXCLUDED]
    assert invoke("check", "--force-exclude", *absolute).exit_code == 0
    assert invoke("check", "--force-exclude", str(excluding / "a.py")).exit_code == 1


def test_force_exclude_respects_respect_gitignore_false(excluding: Path) -> None:
    (excluding / "pyproject.toml").write_text("[tool.timeoutlint]\nrespect-gitignore = false\n")
    result = invoke("check", "--force-exclude", "ignored/i.py", "build/b.py")
    assert "ignored/i.py:2:1: TL303" in result.stdout
    assert "build/b.py" not in result.stdout  # a default exclude


def test_force_exclude_with_stdin(excluding: Path) -> None:
    skipped = invoke("check", "--force-exclude", "--stdin-filename", "generated/g.py", stdin=BAD)
    assert skipped.exit_code == 0
    assert skipped.stdout == ""
    echoed = invoke("check", "--force-exclude", "--fix", "--stdin-filename", "generated/g.py", stdin=BAD)
    assert echoed.exit_code == 0
    assert echoed.stdout == BAD
    linted = invoke("check", "--force-exclude", "--stdin-filename", "src/ok.py", stdin=BAD)
    assert linted.exit_code == 1


def test_force_exclude_help_text() -> None:
    result = invoke("check", "--help")
    assert "--force-exclude" in result.stdout
    assert "even to files named on the command line" in " ".join(result.stdout.split())


# -- progress -----------------------------------------------------------------------------------


def test_progress_on_a_terminal_only(project: Path) -> None:
    pty = pytest.importorskip("pty")
    for index in range(60):
        write(project, f"m{index:02}.py", CLEAN)
    master, slave = pty.openpty()
    # Shown from the start (the run may take less than the default half second); CI logs
    # never get it, so the CI variable of the machine running the tests is dropped here.
    env = {key: value for key, value in os.environ.items() if key != "CI"}
    env.update(TIMEOUTLINT_PROGRESS_DELAY="0", TERM="xterm")
    try:
        process = subprocess.run(
            [sys.executable, "-m", "timeoutlint", "check", "--no-cache", "--jobs", "1"],
            cwd=project,
            stdout=subprocess.PIPE,
            stderr=slave,
            env=env,
            timeout=300,
        )
        os.close(slave)
        slave = -1
        shown = b""
        while True:
            try:
                chunk = os.read(master, 4096)
            except OSError:  # the other side is closed
                break
            if not chunk:
                break
            shown += chunk
    finally:
        os.close(master)
        if slave != -1:
            os.close(slave)
    assert process.returncode == 0
    assert re.search(rb"timeoutlint: \d+/60 files, \d+\.\ds", shown), shown
    assert shown.endswith(b"\r\x1b[2K"), shown[-40:]  # erased at the end
    assert b"files" not in process.stdout.replace(b"All checks passed!", b"")
    piped = run("check", "--no-cache", "--jobs", "1", cwd=project)
    assert b"/60 files" not in piped.stderr
