"""`timeoutlint check` and `timeoutlint rule` from the outside (SPEC §3, §4): every flag and
its exit code, in a temporary project with the working directory inside it.

Most tests go through click's CliRunner (in-process, fast); what is about processes (the
process pool, stdin/stdout, colors into a pipe, ``python -m``) runs a real subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Optional

import pytest
from click.testing import CliRunner, Result

import timeoutlint
from timeoutlint.api import POOL_THRESHOLD
from timeoutlint.cli import main
from timeoutlint.rule import all_rules

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


def invoke(*args: str, stdin: Optional[str] = None) -> Result:
    """Run the CLI in-process; it must exit through SystemExit, never an exception."""
    result = CliRunner().invoke(main, list(args), input=stdin)
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


# -- paths, text format, summary ------------------------------------------------------------


def test_default_path_is_the_current_directory(project: Path) -> None:
    write(project, "a.py", BAD)
    write(project, "pkg/b.py", BAD)
    write(project, "notes.txt", BAD)
    result = invoke("check")
    assert result.exit_code == 1
    assert LINE in result.stdout
    assert f"pkg/b.py:2:1: TL303 {MESSAGE}" in result.stdout
    assert "notes.txt" not in result.stdout
    assert "Found 2 problems." in result.stdout


def test_clean_project_exits_zero(project: Path) -> None:
    write(project, "a.py", CLEAN)
    result = invoke("check")
    assert result.exit_code == 0
    assert result.stdout == "All checks passed!\n"


def test_text_line_and_summary_without_a_fix(project: Path) -> None:
    write(project, "a.py", BAD)
    for args in ((), ("--unsafe-fixes",)):  # no default-timeout: no fix to offer
        result = invoke("check", *args)
        assert result.exit_code == 1
        assert result.stdout == f"{LINE}\n\nFound 1 problem.\n"


def test_fix_marker_only_when_the_fix_applies_under_the_flags(project: Path) -> None:
    write(project, "pyproject.toml", DEFAULT_TIMEOUT)
    write(project, "a.py", BAD)
    safe_only = invoke("check")
    assert safe_only.stdout == f"{LINE}\n\nFound 1 problem (1 more with --unsafe-fixes).\n"
    unsafe = invoke("check", "--unsafe-fixes")
    assert unsafe.stdout == f"{FIXABLE_LINE}\n\nFound 1 problem (1 fixable with --fix).\n"
    assert safe_only.exit_code == unsafe.exit_code == 1


def test_unsafe_fixes_from_the_config(project: Path) -> None:
    write(project, "pyproject.toml", DEFAULT_TIMEOUT + "unsafe-fixes = true\n")
    write(project, "a.py", BAD)
    assert FIXABLE_LINE in invoke("check").stdout
    assert LINE in invoke("check", "--no-unsafe-fixes").stdout


# -- --fix, --unsafe-fixes, --diff, --show-fixes, --exit-non-zero-on-fix ----------------------


def test_fix_needs_unsafe_fixes_for_an_unsafe_fix(project: Path) -> None:
    write(project, "pyproject.toml", DEFAULT_TIMEOUT)
    path = write(project, "a.py", BAD)
    result = invoke("check", "--fix")
    assert result.exit_code == 1
    assert path.read_text() == BAD
    assert "1 more with --unsafe-fixes" in result.stdout


def test_fix_writes_the_file_and_exits_zero_when_all_fixed(project: Path) -> None:
    write(project, "pyproject.toml", DEFAULT_TIMEOUT)
    path = write(project, "a.py", BAD)
    result = invoke("check", "--fix", "--unsafe-fixes")
    assert result.exit_code == 0, result.output
    assert path.read_text() == FIXED
    assert result.stdout == "Fixed 1 problem.\nAll checks passed!\n"
    again = invoke("check", "--fix", "--unsafe-fixes")
    assert again.exit_code == 0
    assert path.read_text() == FIXED


def test_fix_exits_one_when_findings_remain(project: Path) -> None:
    write(project, "pyproject.toml", DEFAULT_TIMEOUT + "unfixable = ['TL303']\n")
    path = write(project, "a.py", BAD)
    result = invoke("check", "--fix", "--unsafe-fixes")
    assert result.exit_code == 1
    assert path.read_text() == BAD
    assert LINE in result.stdout


def test_exit_non_zero_on_fix(project: Path) -> None:
    write(project, "pyproject.toml", DEFAULT_TIMEOUT)
    path = write(project, "a.py", BAD)
    result = invoke("check", "--fix", "--unsafe-fixes", "--exit-non-zero-on-fix")
    assert result.exit_code == 1
    assert path.read_text() == FIXED
    assert "Fixed 1 problem." in result.stdout
    # Nothing left to fix: back to 0.
    assert invoke("check", "--fix", "--unsafe-fixes", "--exit-non-zero-on-fix").exit_code == 0


def test_diff_prints_and_writes_nothing(project: Path) -> None:
    write(project, "pyproject.toml", DEFAULT_TIMEOUT)
    path = write(project, "a.py", BAD)
    result = invoke("check", "--diff", "--unsafe-fixes")
    assert result.exit_code == 1
    assert path.read_text() == BAD
    assert result.stdout.splitlines() == [
        "--- a/a.py",
        "+++ b/a.py",
        "@@ -1,2 +1,2 @@",
        " import subprocess",
        '-subprocess.run(["ls"])',
        '+subprocess.run(["ls"], timeout=30)',
    ]
    assert "Would apply 1 fix." in result.stderr


def test_diff_without_applicable_fixes_is_clean(project: Path) -> None:
    write(project, "pyproject.toml", DEFAULT_TIMEOUT)
    write(project, "a.py", BAD)
    write(project, "b.py", CLEAN)
    result = invoke("check", "--diff")  # the only fix is unsafe
    assert result.exit_code == 0
    assert result.stdout == ""
    assert invoke("check", "--diff", "--unsafe-fixes", "b.py").exit_code == 0


def test_show_fixes_lists_what_was_fixed(project: Path) -> None:
    write(project, "pyproject.toml", DEFAULT_TIMEOUT)
    write(project, "a.py", BAD)
    write(project, "b.py", BAD + 'subprocess.call("x")\n')
    result = invoke("check", "--fix", "--unsafe-fixes", "--show-fixes")
    assert result.exit_code == 0
    assert result.stdout == (
        "Fixed 3 problems:\n"
        "- a.py:\n"
        "    1 × TL303 (subprocess-without-timeout)\n"
        "- b.py:\n"
        "    2 × TL303 (subprocess-without-timeout)\n"
        "\n"
        "All checks passed!\n"
    )


# -- rule selection ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "reported"),
    [
        (("--select", "TL303"), True),
        (("--select", "TL3"), True),
        (("--select", "TL30"), True),
        (("--select", "TL"), True),
        (("--select", "ALL"), True),
        (("--select", "TL4"), False),
        (("--select", "TL4,TL303"), True),
        (("--select", "TL4", "--extend-select", "TL30"), True),
        (("--ignore", "TL303"), False),
        (("--ignore", "TL3"), False),
        (("--ignore", "TL30"), False),
        (("--ignore", "tl3"), False),
        (("--select", "TL303", "--ignore", "TL3"), True),  # the more specific prefix wins
        (("--select", "TL3", "--ignore", "TL303"), False),
    ],
    ids=lambda value: " ".join(value) if isinstance(value, tuple) else str(value),
)
def test_select_extend_select_ignore_with_prefixes(project: Path, args: tuple, reported: bool) -> None:
    write(project, "a.py", BAD)
    result = invoke("check", *args)
    assert (LINE in result.stdout) is reported
    assert result.exit_code == (1 if reported else 0)


def test_select_on_the_command_line_replaces_the_config(project: Path) -> None:
    write(project, "pyproject.toml", "[tool.timeoutlint]\nselect = ['TL4']\n")
    write(project, "a.py", BAD)
    assert invoke("check").exit_code == 0
    assert invoke("check", "--select", "TL3").exit_code == 1
    assert invoke("check", "--extend-select", "TL303").exit_code == 1


# -- output formats -----------------------------------------------------------------------------


@pytest.fixture
def finding(project: Path) -> Path:
    write(project, "pyproject.toml", DEFAULT_TIMEOUT)
    write(project, "a.py", BAD)
    return project


def test_output_format_text(finding: Path) -> None:
    result = invoke("check", "--output-format", "text")
    assert result.stdout.splitlines()[0] == LINE


def test_output_format_full(finding: Path) -> None:
    result = invoke("check", "--output-format", "full")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0] == LINE
    assert '2 | subprocess.run(["ls"])' in lines
    assert "  | ^^^^^^^^^^^^^^^^^^^^^^ TL303" in lines
    assert "  = help: Pass `timeout=30` (the configured default-timeout)" in lines
    assert lines[-1] == "Found 1 problem (1 more with --unsafe-fixes)."


def test_output_format_json(finding: Path) -> None:
    result = invoke("check", "--output-format", "json", "--unsafe-fixes")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["version"] == 1
    assert data["errors"] == []
    (diagnostic,) = data["diagnostics"]
    assert {k: diagnostic[k] for k in ("code", "name", "path", "line", "column", "end_line", "end_column")} == {
        "code": "TL303",
        "name": "subprocess-without-timeout",
        "path": "a.py",
        "line": 2,
        "column": 1,
        "end_line": 2,
        "end_column": 23,
    }
    assert diagnostic["message"] == MESSAGE
    assert diagnostic["url"].endswith("TL303-subprocess-without-timeout.md")
    assert diagnostic["fix"]["applicability"] == "unsafe"
    assert diagnostic["fix"]["edits"] == [
        {"line": 2, "column": 22, "end_line": 2, "end_column": 22, "content": ", timeout=30"}
    ]


def test_output_format_json_reports_errors(project: Path) -> None:
    write(project, "a.py", BAD)
    write(project, "broken.py", "import subprocess\ndef f(:\n")
    data = json.loads(invoke("check", "--output-format", "json").stdout)
    assert [d["path"] for d in data["diagnostics"]] == ["a.py"]
    (error,) = data["errors"]
    assert error["path"] == "broken.py"
    assert "SyntaxError" in error["message"]


def test_output_format_sarif(finding: Path) -> None:
    result = invoke("check", "--output-format", "sarif")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["version"] == "2.1.0"
    (run_,) = data["runs"]
    assert run_["tool"]["driver"]["name"] == "timeoutlint"
    assert "TL303" in [rule["id"] for rule in run_["tool"]["driver"]["rules"]]
    (sarif_result,) = run_["results"]
    assert sarif_result["ruleId"] == "TL303"
    location = sarif_result["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "a.py"
    assert location["region"]["startLine"] == 2


def test_output_format_github(finding: Path) -> None:
    result = invoke("check", "--output-format", "github")
    assert result.exit_code == 1
    assert result.stdout.startswith(
        "::warning file=a.py,line=2,col=1,endLine=2,endColumn=23,title=TL303 (subprocess-without-timeout)::TL303 "
    )


def test_output_format_junit(finding: Path) -> None:
    result = invoke("check", "--output-format", "junit")
    assert result.exit_code == 1
    root = ET.fromstring(result.stdout)
    assert root.tag == "testsuites"
    failures = root.findall(".//testcase/failure")
    assert [failure.get("type") for failure in failures] == ["TL303"]
    assert failures[0].get("message") == MESSAGE


def test_output_format_gitlab(finding: Path) -> None:
    result = invoke("check", "--output-format", "gitlab")
    assert result.exit_code == 1
    (issue,) = json.loads(result.stdout)
    assert issue["check_name"] == "TL303"
    assert issue["location"]["path"] == "a.py"
    assert issue["location"]["lines"]["begin"] == 2
    assert issue["fingerprint"] == json.loads(invoke("check", "--output-format", "gitlab").stdout)[0]["fingerprint"]


def test_bad_output_format_is_a_usage_error(finding: Path) -> None:
    line = one_line_error(invoke("check", "--output-format", "xml"))
    assert "'xml' is not one of" in line


def test_output_file(finding: Path) -> None:
    result = invoke("check", "--output-format", "json", "--output-file", "report.json")
    assert result.exit_code == 1
    assert result.stdout == ""
    data = json.loads((finding / "report.json").read_text(encoding="utf-8"))
    assert [d["code"] for d in data["diagnostics"]] == ["TL303"]
    short = invoke("check", "-o", "report.txt")
    assert short.stdout == ""
    assert (finding / "report.txt").read_text(encoding="utf-8").splitlines()[0] == LINE


def test_output_file_that_cannot_be_written(finding: Path) -> None:
    line = one_line_error(invoke("check", "--output-file", "missing/folder/report.txt"))
    assert "report.txt" in line


# -- exit codes -----------------------------------------------------------------------------


def test_exit_zero(finding: Path) -> None:
    result = invoke("check", "--exit-zero")
    assert result.exit_code == 0
    assert LINE in result.stdout


def test_statistics(finding: Path) -> None:
    write(finding, "b.py", BAD + 'subprocess.call("x")\n')
    result = invoke("check", "--statistics")
    assert result.exit_code == 1
    assert result.stdout == "3\tTL303\tsubprocess-without-timeout\n"
    fixable = invoke("check", "--statistics", "--unsafe-fixes")
    assert fixable.stdout == "3\tTL303\t[*] subprocess-without-timeout\n"


def test_statistics_as_json(finding: Path) -> None:
    result = invoke("check", "--statistics", "--output-format", "json", "--unsafe-fixes")
    assert result.exit_code == 1
    assert json.loads(result.stdout) == [{"code": "TL303", "name": "subprocess-without-timeout", "count": 1, "fixable": True}]


# -- configuration ----------------------------------------------------------------------------


def test_config_from_pyproject_is_honoured(project: Path) -> None:
    write(project, "pyproject.toml", "[tool.timeoutlint]\nignore = ['TL303']\n")
    write(project, "a.py", BAD)
    assert invoke("check").exit_code == 0
    # found walking up from a subfolder too
    sub = project / "sub"
    sub.mkdir()
    os.chdir(sub)
    assert invoke("check", "..").exit_code == 0


def test_config_file_option(project: Path) -> None:
    write(project, "a.py", BAD)
    write(project, "conf/lint.toml", "ignore = ['TL303']\n")
    write(project, "conf/pyproject.toml", "[tool.timeoutlint]\ndefault-timeout = 30\n")
    assert invoke("check").exit_code == 1
    assert invoke("check", "--config", "conf/lint.toml").exit_code == 0
    result = invoke("check", "--config", "conf/pyproject.toml", "--unsafe-fixes")
    assert FIXABLE_LINE in result.stdout


def test_isolated_ignores_the_config(project: Path) -> None:
    write(project, "pyproject.toml", "[tool.timeoutlint]\nignore = ['TL303']\n")
    write(project, "a.py", BAD)
    assert invoke("check").exit_code == 0
    result = invoke("check", "--isolated")
    assert result.exit_code == 1
    assert LINE in result.stdout


def test_bad_config_key_is_a_one_line_error(project: Path) -> None:
    write(project, "pyproject.toml", "[tool.timeoutlint]\nselct = ['TL3']\n")
    write(project, "a.py", BAD)
    line = one_line_error(invoke("check"))
    assert "pyproject.toml" in line
    assert "selct" in line
    assert "select" in line.split("selct", 1)[1]  # the suggestion


def test_bad_config_value_is_a_one_line_error(project: Path) -> None:
    write(project, "pyproject.toml", "[tool.timeoutlint]\ndefault-timeout = 'soon'\n")
    write(project, "a.py", BAD)
    line = one_line_error(invoke("check"))
    assert "default-timeout" in line


def test_target_version_option(project: Path) -> None:
    write(project, "a.py", ALIAS)
    old = invoke("check", "--isolated", "--select", "TL106", "--target-version", "py39")
    assert old.exit_code == 1
    assert "a.py:7:12: TL106" in old.stdout
    new = invoke("check", "--isolated", "--select", "TL106", "--target-version", "py311")
    assert new.exit_code == 0


def test_bad_target_version_is_a_usage_error(project: Path) -> None:
    write(project, "a.py", BAD)
    one_line_error(invoke("check", "--target-version", "py27"))


@pytest.mark.parametrize(("requires", "reported"), [(">=3.9", True), (">=3.10", True), (">=3.11", False)])
def test_target_version_from_requires_python(project: Path, requires: str, reported: bool) -> None:
    write(project, "pyproject.toml", f'[project]\nrequires-python = "{requires}"\n\n[tool.timeoutlint]\nselect = ["TL106"]\n')
    write(project, "a.py", ALIAS)
    result = invoke("check")
    assert result.exit_code == (1 if reported else 0)
    # the command line still wins
    assert invoke("check", "--target-version", "py39").exit_code == 1


# -- stdin -------------------------------------------------------------------------------------


def test_stdin_filename_reports_under_the_name(project: Path) -> None:
    result = invoke("check", "--stdin-filename", "pkg/mod.py", stdin=BAD)
    assert result.exit_code == 1
    assert f"pkg/mod.py:2:1: TL303 {MESSAGE}" in result.stdout
    assert not (project / "pkg").exists()


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
    assert f"a.py:3:1: TL303" in new.stdout
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


# -- version, rule docs, usage errors, python -m ----------------------------------------------


def test_version() -> None:
    for flag in ("--version", "-V"):
        result = invoke(flag)
        assert result.exit_code == 0
        assert result.stdout == f"timeoutlint {timeoutlint.__version__}\n"


def test_rule_prints_the_docs() -> None:
    result = invoke("rule", "TL303")
    assert result.exit_code == 0
    assert result.stdout.startswith("# subprocess-without-timeout (TL303)\n")
    for section in ("## What it does", "## Why is this bad?", "## Example", "## Use instead", "## Fix safety"):
        assert section in result.stdout
    assert invoke("rule", "tl303").stdout == result.stdout
    assert invoke("rule", "subprocess-without-timeout").stdout == result.stdout


def test_rule_all_json_lists_every_rule_with_metadata() -> None:
    result = invoke("rule", "--all", "--output-format", "json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert [entry["code"] for entry in data] == [rule.code for rule in all_rules()]
    for entry in data:
        assert {"code", "name", "message", "summary", "fix", "url", "explanation"} <= set(entry)
        assert entry["fix"] in ("none", "sometimes", "always")
    (tl303,) = [entry for entry in data if entry["code"] == "TL303"]
    assert tl303["name"] == "subprocess-without-timeout"
    assert tl303["applicability"] == "unsafe"


def test_rule_all_text() -> None:
    result = invoke("rule", "--all")
    assert result.exit_code == 0
    assert result.stdout.count("## What it does") == len(all_rules())


@pytest.mark.parametrize(("code", "hint"), [("TL3O3", "TL303"), ("TL30", "TL303"), ("subprocess-without-timeot", "subprocess-without-timeout")])
def test_unknown_rule_suggests_one(code: str, hint: str) -> None:
    line = one_line_error(invoke("rule", code))
    assert f"did you mean {hint}" in line


def test_rule_needs_a_code_or_all() -> None:
    one_line_error(invoke("rule"))
    one_line_error(invoke("rule", "TL303", "--all"))


@pytest.mark.parametrize(
    "args",
    [
        ("check", "--bogus"),
        ("check", "--output-format", "nope"),
        ("check", "--jobs", "-1"),
        ("check", "--select", "TL999"),
        ("check", "--ignore", "XYZ"),
        ("check", "--config", "missing.toml"),
        ("check", "--isolated", "--config", "pyproject.toml"),
        ("frobnicate",),
    ],
    ids=lambda args: " ".join(args),
)
def test_bad_usage_is_exit_2_with_one_line(project: Path, args: tuple) -> None:
    write(project, "pyproject.toml", "[tool.timeoutlint]\n")
    write(project, "a.py", BAD)
    one_line_error(invoke(*args))


def test_unknown_select_code_suggests_one(project: Path) -> None:
    write(project, "a.py", BAD)
    assert "TL303" in one_line_error(invoke("check", "--select", "TL3O3"))


def test_bad_usage_in_a_real_process_has_no_traceback(project: Path) -> None:
    write(project, "pyproject.toml", "[tool.timeoutlint]\nbogus = 1\n")
    write(project, "a.py", BAD)
    for args in (("check", "--bogus"), ("check",), ("check", "--output-format", "yaml")):
        process = run(*args, cwd=project)
        assert process.returncode == 2
        assert b"Traceback" not in process.stderr
        assert len(process.stderr.decode().strip().splitlines()) == 1, process.stderr
        assert process.stdout == b""


def test_python_dash_m_and_the_console_script(project: Path) -> None:
    write(project, "a.py", BAD)
    process = run("check", cwd=project)
    assert process.returncode == 1
    assert process.stdout.decode().splitlines()[0] == LINE
    script = Path(sys.executable).parent / ("timeoutlint.exe" if os.name == "nt" else "timeoutlint")
    if script.exists():
        via_script = subprocess.run([str(script), "check"], cwd=project, capture_output=True, timeout=300)
        assert via_script.returncode == 1
        assert via_script.stdout == process.stdout
    version = run("--version", cwd=project)
    assert version.stdout.decode() == f"timeoutlint {timeoutlint.__version__}\n"


def test_bare_command_shows_help(project: Path) -> None:
    result = invoke()
    assert "Commands:" in result.output
    assert "check" in result.output
