"""`timeoutlint check` and `timeoutlint rule` from the outside (SPEC §3, §4): paths, the text
format and summary, fixes and diffs, rule selection, configuration, rule docs, usage errors.

The output formats are in test_cli_output.py; stdin, baselines, processes, the cache and
--force-exclude in test_cli_runs.py. Most tests go through click's CliRunner (in-process);
what is about processes runs a real subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import timeoutlint
from timeoutlint.rule import all_rules

from cli_support import (  # noqa: F401  (project is a fixture)
    ALIAS,
    BAD,
    CLEAN,
    DEFAULT_TIMEOUT,
    FIXABLE_LINE,
    FIXED,
    LINE,
    MESSAGE,
    invoke,
    one_line_error,
    project,
    run,
    write,
)


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


@pytest.mark.parametrize(("code", "hint"), [("TL3O3", "TL303"), ("TL30", "TL305"), ("subprocess-without-timeot", "subprocess-without-timeout")])
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
