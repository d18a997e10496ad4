"""The CLI habits of Ruff users (SPEC §3): --add-noqa, --show-settings, --show-files,
--fix-only, --extend-ignore, --watch, --output-file, -v and the baseline, unknown codes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cli_support import BAD, CLEAN, DEFAULT_TIMEOUT, FIXED, invoke, one_line_error, project, run, write  # noqa: F401
from timeoutlint import config

# Two safe TL402 fixes (lines 6 and 7) and an unsafe TL303 one (line 8).
TWO = (
    "import subprocess\nimport time\n\n\ndef f(cmd, t):\n    deadline = time.time() + t\n"
    "    while time.time() < deadline:\n        subprocess.run(cmd)\n"
)


def _codes(stdout: str) -> list[tuple[str, int, str]]:
    return sorted((d["path"], d["line"], d["code"]) for d in json.loads(stdout)["diagnostics"])


# -- --add-noqa ---------------------------------------------------------------------------------


def test_add_noqa_suppresses_every_finding_and_a_second_run_adds_nothing(project: Path) -> None:
    write(project, "a.py", TWO)
    write(project, "b.py", BAD)
    result = invoke("check", "--add-noqa")
    assert result.exit_code == 0, result.output
    assert "Added 4 noqa directives." in result.stderr
    text = (project / "a.py").read_text(encoding="utf-8")
    assert "    deadline = time.time() + t  # noqa: TL402\n" in text
    assert "    while time.time() < deadline:  # noqa: TL402\n" in text
    assert "        subprocess.run(cmd)  # noqa: TL303\n" in text
    assert (project / "b.py").read_text(encoding="utf-8") == 'import subprocess\nsubprocess.run(["ls"])  # noqa: TL303\n'
    assert invoke("check").exit_code == 0
    again = invoke("check", "--add-noqa")
    assert "Added 0 noqa directives." in again.stderr
    assert (project / "b.py").read_text(encoding="utf-8").count("noqa") == 1


@pytest.mark.parametrize(
    "source, expected",
    [
        pytest.param(
            'import subprocess\nsubprocess.run(["ls"])  # noqa: E501\n',
            'import subprocess\nsubprocess.run(["ls"])  # noqa: E501, TL303\n',
            id="merged-into-another-tools-noqa",
        ),
        pytest.param(
            'import subprocess\nsubprocess.run(["ls"])  # list the folder\n',
            'import subprocess\nsubprocess.run(["ls"])  # list the folder  # noqa: TL303\n',
            id="after-a-comment",
        ),
        pytest.param(
            'import subprocess\nsubprocess.run(["sh", "-c", """\n  ls\n"""])\n',
            'import subprocess\nsubprocess.run(["sh", "-c", """\n  ls\n"""])  # noqa: TL303\n',
            id="a-string-spans-the-line-end",
        ),
        pytest.param(
            'import subprocess\nsubprocess.run(["ls"],\\\n    check=True)\n',
            'import subprocess\nsubprocess.run(["ls"],\\\n    check=True)  # noqa: TL303\n',
            id="a-backslash-continues-the-line",
        ),
        pytest.param(
            'import subprocess\nx = [\n    subprocess.run(["ls"]),\n]\n',
            'import subprocess\nx = [\n    subprocess.run(["ls"]),  # noqa: TL303\n]\n',
            id="inside-brackets",
        ),
        pytest.param(
            'import subprocess\r\nsubprocess.run(["ls"])   \r\n',
            'import subprocess\r\nsubprocess.run(["ls"])  # noqa: TL303\r\n',
            id="crlf-and-trailing-spaces",
        ),
        pytest.param(
            'import subprocess\nsubprocess.run(["ls"])',
            'import subprocess\nsubprocess.run(["ls"])  # noqa: TL303',
            id="no-final-newline",
        ),
    ],
)
def test_add_noqa_places_the_comment_where_it_is_read(project: Path, source: str, expected: str) -> None:
    (project / "a.py").write_bytes(source.encode())
    result = invoke("check", "--add-noqa")
    assert result.exit_code == 0, result.output
    assert (project / "a.py").read_bytes().decode() == expected
    assert invoke("check").exit_code == 0


def test_add_noqa_keeps_the_encoding(project: Path) -> None:
    source = '# -*- coding: latin-1 -*-\nimport subprocess\nsubprocess.run(["caf\xe9"])\n'
    (project / "a.py").write_bytes(source.encode("latin-1"))
    assert invoke("check", "--add-noqa").exit_code == 0
    assert (project / "a.py").read_bytes() == source.replace("])\n", "])  # noqa: TL303\n").encode("latin-1")


def test_add_noqa_with_a_baseline_marks_only_new_findings(project: Path) -> None:
    write(project, "a.py", BAD)
    assert invoke("check", "--write-baseline", "baseline.json").exit_code == 0
    write(project, "b.py", BAD)
    result = invoke("check", "--add-noqa", "--baseline", "baseline.json")
    assert result.exit_code == 0, result.output
    assert "noqa" not in (project / "a.py").read_text(encoding="utf-8")
    assert "# noqa: TL303" in (project / "b.py").read_text(encoding="utf-8")


def test_add_noqa_does_not_go_with_fix(project: Path) -> None:
    write(project, "a.py", BAD)
    line = one_line_error(invoke("check", "--add-noqa", "--fix"))
    assert "--add-noqa and --fix cannot be used together" in line
    assert (project / "a.py").read_text(encoding="utf-8") == BAD


# -- --fix-only, --extend-ignore ------------------------------------------------------------------


def test_fix_only_fixes_and_does_not_report_the_rest(project: Path) -> None:
    write(project, "pyproject.toml", DEFAULT_TIMEOUT)
    write(project, "a.py", BAD)
    write(project, "b.py", TWO)
    result = invoke("check", "--fix-only")
    assert result.exit_code == 0, result.output
    assert (project / "a.py").read_text(encoding="utf-8") == BAD  # its fix is unsafe
    assert "time.monotonic() < deadline" in (project / "b.py").read_text(encoding="utf-8")
    assert "TL" not in result.stdout  # the unsafe TL303 findings are left, unreported
    assert "Applied 2 fixes." in result.stderr
    left = invoke("check", "--output-format", "json")
    assert _codes(left.stdout) == [("a.py", 2, "TL303"), ("b.py", 8, "TL303")]
    assert invoke("check", "--fix-only", "--exit-non-zero-on-fix").exit_code == 0  # nothing left to fix


def test_fix_only_exit_non_zero_on_fix(project: Path) -> None:
    write(project, "pyproject.toml", DEFAULT_TIMEOUT)
    write(project, "a.py", BAD)
    assert invoke("check", "--fix-only", "--unsafe-fixes", "--exit-non-zero-on-fix").exit_code == 1
    assert (project / "a.py").read_text(encoding="utf-8") == FIXED


def test_extend_ignore_adds_to_the_configs_ignore(project: Path) -> None:
    write(project, "pyproject.toml", "[tool.timeoutlint]\nignore = ['TL402']\n")
    write(project, "a.py", TWO)
    assert _codes(invoke("check", "--output-format", "json").stdout) == [("a.py", 8, "TL303")]
    result = invoke("check", "--output-format", "json", "--extend-ignore", "TL303")
    assert result.exit_code == 0 and _codes(result.stdout) == []


# -- --show-files, --show-settings ---------------------------------------------------------------


def test_show_files_lists_what_check_lints(project: Path) -> None:
    write(project, "pyproject.toml", "[tool.timeoutlint]\nextend-exclude = ['gen/']\n")
    for name in ("b.py", "a.py", "pkg/c.pyi", "gen/d.py", "notes.txt"):
        write(project, name, CLEAN)
    result = invoke("check", "--show-files")
    assert result.exit_code == 0
    assert result.stdout.splitlines() == ["a.py", "b.py", "pkg/c.pyi"]


def test_show_settings_says_where_each_value_came_from(project: Path) -> None:
    write(project, "pyproject.toml", "[project]\nrequires-python = '>=3.10'\n[tool.timeoutlint]\nignore = ['TL4']\ndefault-timeout = 30\n")
    write(project, "a.py", CLEAN)
    result = invoke("check", "--show-settings", "--extend-select", "TL303")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "Settings for: a.py"
    assert f"Config file: {project / 'pyproject.toml'}" in lines
    assert 'ignore = ["TL4"]' in lines
    assert 'extend-select = ["TL303"]' in lines
    assert "default-timeout = 30.0" in lines
    assert 'target-version = "py310"  # from requires-python \'>=3.10\' of pyproject.toml' in lines


# -- --output-file, -v with a baseline, unknown codes --------------------------------------------


def test_verbose_counts_what_the_baseline_hid(project: Path) -> None:
    write(project, "a.py", TWO)
    assert invoke("check", "--write-baseline", "base.json").exit_code == 0
    write(project, "b.py", BAD)
    result = invoke("check", "-v", "--baseline", "base.json")
    assert result.exit_code == 1
    assert "the baseline base.json hid 3 findings" in result.stderr
    assert "b.py:2:1: TL303" in result.stdout and "a.py" not in result.stdout


def test_a_family_with_no_rules_is_named_as_such(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without the asyncio family (as before it existed), TL2 is not "did you mean TL102"."""
    write(project, "a.py", CLEAN)
    rules = {code: rule for code, rule in config.known_rules().items() if not code.startswith("TL2")}
    monkeypatch.setattr(config, "known_rules", lambda: rules)
    line = one_line_error(invoke("check", "--select", "TL2"))
    assert "there is no TL2 family: TL1 (executors), TL3 (unbounded waits), TL4 (budgets)" in line
    assert "TL102" not in line
    line = one_line_error(invoke("check", "--select", "TL309"))
    assert "did you mean 'TL30" in line


# -- --watch --------------------------------------------------------------------------------------


def _read_until(process: subprocess.Popen, wanted: bytes, seconds: float) -> bytes:
    """What the process printed until ``wanted`` appeared (or the time ran out)."""
    assert process.stdout is not None
    os.set_blocking(process.stdout.fileno(), False)
    seen = b""
    end = time.monotonic() + seconds
    while wanted not in seen and time.monotonic() < end:
        chunk = process.stdout.read()
        if chunk:
            seen += chunk
        else:
            time.sleep(0.05)
    return seen


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT to a child process")
def test_watch_lints_again_on_change_and_ends_on_ctrl_c(project: Path) -> None:
    write(project, "a.py", CLEAN)
    process = subprocess.Popen(
        [sys.executable, "-m", "timeoutlint", "check", "--watch", "--no-cache"],
        cwd=project,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        first = _read_until(process, b"All checks passed!", 60)
        assert b"Starting timeoutlint in watch mode" in first
        write(project, "a.py", BAD)
        second = _read_until(process, b"Found 1 problem", 60)
        assert b"File change detected" in second and b"a.py:2:1: TL303" in second
        write(project, "a.py", CLEAN)
        assert b"All checks passed!" in _read_until(process, b"All checks passed!", 60)
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=10) == 130
        assert process.stderr is not None
        assert b"Traceback" not in process.stderr.read()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)


def test_the_documented_recipe_for_test_code(project: Path) -> None:
    """The per-file-ignores recipe of docs/index.md ("Test code") does what it says."""
    text = (Path(__file__).resolve().parent.parent / "docs" / "index.md").read_text(encoding="utf-8")
    section = text[text.index("### Test code") :]
    recipe = section[section.index("```toml\n") + len("```toml\n") : section.index("```\n", section.index("```toml"))]
    write(project, "pyproject.toml", recipe)
    for name in ("tests/test_a.py", "tests/unit/helpers.py", "pkg/test_b.py", "pkg/b_test.py", "conftest.py", "pkg/lib.py"):
        write(project, name, BAD)
    result = invoke("check", "--output-format", "json")
    assert sorted({path for path, _, _ in _codes(result.stdout)}) == ["pkg/lib.py"]
