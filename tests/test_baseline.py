"""Baselines (SPEC §5): ``--write-baseline FILE`` records today's findings so that unrelated
edits do not resurrect them; ``--baseline FILE`` reports only new ones."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import Result

from cli_support import make_runner
from timeoutlint.cli import main

BAD = 'subprocess.run(["ls"])\n'
HEADER = "import subprocess\n"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "project"
    root.mkdir()
    monkeypatch.chdir(root)
    return root


def invoke(*args: str) -> Result:
    result = make_runner().invoke(main, ["check", "--no-cache", *args])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"the CLI raised {result.exception!r}") from result.exception
    return result


def new_lines(*args: str, baseline: str = "baseline.json") -> list[tuple[str, int]]:
    result = invoke("--baseline", baseline, "--output-format", "json", *args)
    data = json.loads(result.stdout)
    assert result.exit_code == (1 if data["diagnostics"] else 0), result.output
    return [(d["path"], d["line"]) for d in data["diagnostics"]]


def write_baseline(*args: str, name: str = "baseline.json") -> Result:
    result = invoke("--write-baseline", name, *args)
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture
def legacy(project: Path) -> Path:
    """A project with two findings recorded in baseline.json."""
    (project / "a.py").write_text(HEADER + BAD + 'subprocess.call("make")\n', encoding="utf-8")
    written = write_baseline()
    assert "Wrote 2 findings to the baseline baseline.json." in written.stderr
    assert new_lines() == []
    return project


def test_baseline_file_content(legacy: Path) -> None:
    data = json.loads((legacy / "baseline.json").read_text(encoding="utf-8"))
    assert data["version"] == 1
    assert [(e["code"], e["path"], e["line"], e["index"]) for e in data["findings"]] == [
        ("TL303", "a.py", 2, 0),
        ("TL303", "a.py", 3, 0),
    ]
    before = (legacy / "baseline.json").read_bytes()
    write_baseline()
    assert (legacy / "baseline.json").read_bytes() == before  # stable: diffs stay small in review


def test_lines_moving_resurrect_nothing(legacy: Path) -> None:
    path = legacy / "a.py"
    path.write_text(
        '"""A docstring added on top."""\n\nimport os\n' + HEADER + "\n\nVALUE = os.getcwd()\n\n" + path.read_text()[len(HEADER):],
        encoding="utf-8",
    )
    assert new_lines() == []
    assert len(json.loads(invoke("--output-format", "json").stdout)["diagnostics"]) == 2


def test_moving_the_statement_into_a_function_resurrects_nothing(legacy: Path) -> None:
    path = legacy / "a.py"
    body = path.read_text()[len(HEADER):]
    path.write_text(HEADER + "\n\ndef build():\n" + "".join("    " + line for line in body.splitlines(True)), encoding="utf-8")
    assert new_lines() == []


def test_a_second_copy_of_the_same_statement_is_exactly_one_new_finding(legacy: Path) -> None:
    path = legacy / "a.py"
    path.write_text(path.read_text() + "x = 1\n" + BAD, encoding="utf-8")
    assert new_lines() == [("a.py", 5)]
    # and a third copy makes two
    path.write_text(path.read_text() + BAD, encoding="utf-8")
    assert len(new_lines()) == 2


def test_a_different_statement_is_new(legacy: Path) -> None:
    path = legacy / "a.py"
    path.write_text(path.read_text() + 'subprocess.run(["ls", "-l"])\n', encoding="utf-8")
    assert new_lines() == [("a.py", 4)]


def test_a_new_file_is_new_and_a_fixed_finding_is_simply_gone(legacy: Path) -> None:
    (legacy / "b.py").write_text(HEADER + BAD, encoding="utf-8")
    (legacy / "a.py").write_text(HEADER + 'subprocess.run(["ls"], timeout=5)\nsubprocess.call("make")\n', encoding="utf-8")
    assert new_lines() == [("b.py", 2)]


def test_text_output_with_a_baseline(legacy: Path) -> None:
    result = invoke("--baseline", "baseline.json")
    assert result.exit_code == 0
    assert result.stdout == "All checks passed!\n"


def test_the_baseline_works_from_another_working_directory(legacy: Path) -> None:
    (legacy / "sub").mkdir()
    os.chdir(legacy / "sub")
    assert new_lines("..", baseline="../baseline.json") == []
    os.chdir(legacy.parent)
    assert new_lines("project", baseline="project/baseline.json") == []
    assert new_lines(str(legacy), baseline=str(legacy / "baseline.json")) == []


def test_a_baseline_kept_in_a_subfolder(project: Path) -> None:
    (project / "a.py").write_text(HEADER + BAD, encoding="utf-8")
    (project / ".ci").mkdir()
    write_baseline(name=".ci/baseline.json")
    data = json.loads((project / ".ci" / "baseline.json").read_text(encoding="utf-8"))
    assert [e["path"] for e in data["findings"]] == ["../a.py"]
    assert new_lines(baseline=".ci/baseline.json") == []


def test_the_baseline_follows_the_config_root(project: Path) -> None:
    (project / "pyproject.toml").write_text("[tool.timeoutlint]\n", encoding="utf-8")
    (project / "pkg").mkdir()
    (project / "pkg" / "a.py").write_text(HEADER + BAD, encoding="utf-8")
    write_baseline()
    os.chdir(project / "pkg")
    assert new_lines(".", baseline="../baseline.json") == []


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"{not json", "not a timeoutlint baseline"),
        (b"", "not a timeoutlint baseline"),
        (b"\xff\xfe\x00", "not a timeoutlint baseline"),
        (b"[]", "not a timeoutlint baseline"),
        (b'{"version": 1}', "missing key 'findings'"),
        (b'{"version": 1, "findings": [{"code": "TL303"}]}', "missing key"),
        (b'{"version": 1, "findings": [{"code": "TL303", "path": "a.py", "hash": "x", "index": "zero"}]}', "not a timeoutlint baseline"),
        (b'{"version": 99, "findings": []}', "unsupported baseline version 99"),
    ],
    ids=["truncated", "empty", "binary", "a list", "no findings", "entry without keys", "bad index", "future version"],
)
def test_a_corrupt_baseline_is_exit_2_with_a_message(project: Path, content: bytes, expected: str) -> None:
    (project / "a.py").write_text(HEADER + BAD, encoding="utf-8")
    (project / "baseline.json").write_bytes(content)
    result = invoke("--baseline", "baseline.json")
    assert result.exit_code == 2
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("timeoutlint: error: baseline.json: ")
    assert expected in line
    assert "Traceback" not in result.output


def test_a_corrupt_baseline_stops_the_run_before_fix_writes(project: Path) -> None:
    (project / "pyproject.toml").write_text("[tool.timeoutlint]\ndefault-timeout = 30\n", encoding="utf-8")
    path = project / "a.py"
    path.write_text(HEADER + BAD, encoding="utf-8")
    (project / "baseline.json").write_text("{", encoding="utf-8")
    result = invoke("--baseline", "baseline.json", "--fix", "--unsafe-fixes")
    assert result.exit_code == 2
    assert path.read_text(encoding="utf-8") == HEADER + BAD


def test_a_missing_baseline_and_an_unwritable_one(project: Path) -> None:
    (project / "a.py").write_text(HEADER + BAD, encoding="utf-8")
    missing = invoke("--baseline", "missing.json")
    assert missing.exit_code == 2
    assert "missing.json: cannot read the baseline" in missing.stderr
    unwritable = invoke("--write-baseline", "no/such/folder/baseline.json")
    assert unwritable.exit_code == 2
    assert "cannot write the baseline" in unwritable.stderr
    assert "Traceback" not in unwritable.output


def test_the_baseline_applies_to_stdin(legacy: Path) -> None:
    source = (legacy / "a.py").read_text(encoding="utf-8")
    known = make_runner().invoke(main, ["check", "--baseline", "baseline.json", "--stdin-filename", "a.py"], input=source)
    assert known.exit_code == 0, known.output
    new = make_runner().invoke(
        main, ["check", "--baseline", "baseline.json", "--stdin-filename", "a.py"], input=source + "x = 1\n" + BAD
    )
    assert new.exit_code == 1
    assert [line.split(": TL303")[0] for line in new.stdout.splitlines() if "TL303" in line] == ["a.py:5:1"]
    other_name = make_runner().invoke(main, ["check", "--baseline", "baseline.json", "--stdin-filename", "b.py"], input=source)
    assert other_name.exit_code == 1


def test_write_baseline_from_stdin_is_refused(project: Path) -> None:
    result = make_runner().invoke(main, ["check", "--write-baseline", "b.json", "--stdin-filename", "a.py"], input=HEADER + BAD)
    assert result.exit_code == 2
    assert "--write-baseline" in result.stderr
    assert not (project / "b.json").exists()


# -- --fix with a baseline: the baseline's findings are left as they are --------------------------


def test_fix_leaves_the_baselined_findings_alone(legacy: Path) -> None:
    (legacy / "pyproject.toml").write_text("[tool.timeoutlint]\ndefault-timeout = 30\n", encoding="utf-8")
    old = (legacy / "a.py").read_text(encoding="utf-8")
    (legacy / "a.py").write_text(old + BAD.replace("ls", "pwd"), encoding="utf-8")
    (legacy / "b.py").write_text(HEADER + BAD, encoding="utf-8")
    result = invoke("--baseline", "baseline.json", "--fix", "--unsafe-fixes")
    assert result.exit_code == 0, result.output
    assert (legacy / "a.py").read_text(encoding="utf-8") == old + 'subprocess.run(["pwd"], timeout=30)\n'
    assert (legacy / "b.py").read_text(encoding="utf-8") == HEADER + 'subprocess.run(["ls"], timeout=30)\n'
    diff = invoke("--baseline", "baseline.json", "--diff", "--unsafe-fixes")
    assert diff.exit_code == 0 and diff.stdout == ""  # nothing new is left to fix
    # --fix-baselined: the recorded ones too.
    result = invoke("--baseline", "baseline.json", "--fix", "--unsafe-fixes", "--fix-baselined")
    assert result.exit_code == 0, result.output
    fixed = (legacy / "a.py").read_text(encoding="utf-8")
    assert 'subprocess.run(["ls"], timeout=30)' in fixed and 'subprocess.call("make", timeout=30)' in fixed


def test_fix_of_stdin_leaves_the_baselined_findings_alone(legacy: Path) -> None:
    (legacy / "pyproject.toml").write_text("[tool.timeoutlint]\ndefault-timeout = 30\n", encoding="utf-8")
    source = (legacy / "a.py").read_text(encoding="utf-8")
    args = ["check", "--baseline", "baseline.json", "--fix", "--unsafe-fixes", "--stdin-filename", "a.py"]
    result = make_runner().invoke(main, args, input=source + BAD)
    assert result.stdout == source + 'subprocess.run(["ls"], timeout=30)\n'


def test_fix_baselined_needs_a_baseline(project: Path) -> None:
    result = invoke("--fix", "--fix-baselined")
    assert result.exit_code == 2
    assert "--fix-baselined" in result.stderr and "--baseline" in result.stderr
