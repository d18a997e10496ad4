"""The flake8 plugin under real flake8 (``python -m flake8`` in a subprocess): it must report
what ``timeoutlint check --output-format json`` reports for the same files, at the same
positions, with the same messages (docs/flake8.md), and say what differs where the docs
say it does."""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import sys
from collections import Counter
from importlib import metadata
from pathlib import Path
from typing import Iterable, List, Optional, Tuple

import pytest

from timeoutlint import flake8_plugin
from timeoutlint.ftypes import FileResult, LintError
from timeoutlint.rule import all_rules

REPO_ROOT = Path(__file__).resolve().parent.parent
FIXTURES = REPO_ROOT / "fixtures"
PROJECT_FIXTURES = sorted(path for path in FIXTURES.glob("*_project") if path.is_dir())
PROJECT_RULES = {rule.code for rule in all_rules() if hasattr(rule, "check_project")}

# A line of flake8's report, split apart: path|line|column|code|message (column 1-based).
FORMAT = "%(path)s|%(row)d|%(col)d|%(code)s|%(text)s"
Finding = Tuple[str, int, int, str, str]

BAD = 'import subprocess\n\n\ndef f():\n    subprocess.run(["ls"])\n'
MESSAGE = "subprocess.run() waits for a child process with no timeout: a hung child blocks forever"
# Columns in characters past a non-ASCII string, a tab indent and a second statement.
COLUMNS = (
    'import subprocess\n\n\ndef f():\n\tx = "\u00e9\u00e9"; subprocess.call(["ls"])\n'
    '\tsubprocess.run(["a"]); subprocess.run(["b"])\n\treturn x\n'
)
# TL106 depends on the target version: before 3.11 the builtin TimeoutError is not
# asyncio.TimeoutError.
ALIAS = (
    "import asyncio\n\n\nasync def f(aw):\n    try:\n        return await asyncio.wait_for(aw, 1)\n"
    "    except TimeoutError:\n        return None\n"
)
# TL102: a pool per call.
POOL_PER_CALL = """\
from concurrent.futures import ThreadPoolExecutor


def g(items):
    pool = ThreadPoolExecutor()
    return list(pool.map(str, items))
"""
NOQA = """\
import subprocess


def f():
    subprocess.run(["a"])  # noqa: TL303
    subprocess.run(["b"])  # noqa:TL303,E501
    subprocess.run(["c"])  # NOQA: TL3
    subprocess.run(["d"])  # noqa
    subprocess.run(["e"])  # noqa: TL303 (a reason after the codes)
    subprocess.run(
        ["f"],
    )  # noqa: TL303
    subprocess.run(["g"])  # noqa: E501
    subprocess.run(["h"])  # noqa: TL304
    subprocess.run(["i"])
"""


def write(root: Path, name: str, text: str) -> Path:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def run(args: List[str], cwd: Path, stdin: Optional[str] = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    return subprocess.run(
        [sys.executable, *args], cwd=cwd, input=stdin, capture_output=True, text=True, encoding="utf-8", timeout=300, env=env
    )


def flake8(cwd: Path, *args: str, stdin: Optional[str] = None, select: Optional[str] = "TL") -> subprocess.CompletedProcess:
    """flake8 with no flake8 config file of its own (``--isolated``; timeoutlint's config
    is still read, by the plugin)."""
    chosen = ["--select", select] if select is not None else []
    return run(["-m", "flake8", "--isolated", "--format", FORMAT, *chosen, *args], cwd, stdin)


def flake8_findings(cwd: Path, *args: str, stdin: Optional[str] = None, select: Optional[str] = "TL") -> Counter[Finding]:
    process = flake8(cwd, *args, stdin=stdin, select=select)
    assert process.returncode in (0, 1), process.stdout + process.stderr
    assert "Traceback" not in process.stderr, process.stderr
    found: Counter[Finding] = Counter()
    for line in process.stdout.splitlines():
        path, row, col, code, text = line.split("|", 4)
        found[(os.path.normpath(path), int(row), int(col), code, text)] += 1
    assert (process.returncode == 1) == bool(found), process.stdout + process.stderr
    return found


def check_findings(cwd: Path, *args: str, stdin: Optional[str] = None) -> Counter[Finding]:
    process = run(["-m", "timeoutlint", "check", "--no-cache", "--output-format", "json", *args], cwd, stdin)
    assert process.returncode in (0, 1), process.stdout + process.stderr
    report = json.loads(process.stdout)
    return Counter(
        (os.path.normpath(d["path"]), d["line"], d["column"], d["code"], d["message"]) for d in report["diagnostics"]
    )


def codes(found: Iterable[Finding]) -> Counter[str]:
    return Counter(finding[3] for finding in found)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    root.mkdir()
    return root


# -- installation ------------------------------------------------------------------------


def test_the_entry_point_names_the_checker() -> None:
    if sys.version_info >= (3, 10):
        group = list(metadata.entry_points(group="flake8.extension"))
    else:
        group = list(metadata.entry_points().get("flake8.extension", []))
    ours = [entry for entry in group if entry.value.startswith("timeoutlint.")]
    # (Python 3.9's importlib.metadata may list an editable install's entry point twice.)
    assert {(entry.name, entry.value) for entry in ours} == {("TL", "timeoutlint.flake8_plugin:TimeoutlintChecker")}
    assert ours[0].load() is flake8_plugin.TimeoutlintChecker


def test_flake8_is_no_dependency_of_timeoutlint() -> None:
    requirements = metadata.requires("timeoutlint") or []
    flake8_lines = [line for line in requirements if line.split(";")[0].strip().startswith("flake8")]
    assert flake8_lines and all("extra ==" in line for line in flake8_lines), requirements
    process = run(["-c", "import sys, timeoutlint.flake8_plugin; print('flake8' in sys.modules)"], REPO_ROOT)
    assert process.stdout.strip() == "False", process.stderr


def test_flake8_lists_the_plugin(project: Path) -> None:
    process = run(["-m", "flake8", "--version"], project)
    assert process.returncode == 0, process.stderr
    assert f"timeoutlint: {flake8_plugin.TimeoutlintChecker.version}" in " ".join(process.stdout.split())


# -- the same findings as timeoutlint check ------------------------------------------------


def test_every_fixture_file_gives_the_findings_of_check(project: Path) -> None:
    """Every per-file fixture (findings, negatives, fixed twins) in one run of each tool:
    the same (path, line, column, code, message), each as often."""
    for path in sorted(FIXTURES.glob("*.py")):
        shutil.copy(path, project / path.name)
    expected = check_findings(project, ".")
    assert len(expected) > 100 and len(codes(expected)) >= 15  # the comparison means something
    assert flake8_findings(project, ".") == expected


def test_columns_are_flake8s_zero_based_ones_shown_one_based(project: Path) -> None:
    write(project, "cols.py", COLUMNS)
    expected = check_findings(project, "cols.py")
    assert sorted((line, column) for _, line, column, _, _ in expected) == [(5, 12), (6, 2), (6, 25)]
    assert flake8_findings(project, "cols.py") == expected


def test_the_checker_yields_zero_based_columns(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    checker = flake8_plugin.TimeoutlintChecker(None, "a.py", BAD.splitlines(keepends=True))  # type: ignore[arg-type]
    assert list(checker.run()) == [(5, 4, f"TL303 {MESSAGE}", flake8_plugin.TimeoutlintChecker)]


def test_default_selection_includes_the_plugin(project: Path) -> None:
    write(project, "a.py", BAD)
    found = flake8_findings(project, "a.py", select=None)
    assert codes(found) == Counter({"TL303": 1})
    assert found == check_findings(project, "a.py")


def test_a_flake8_config_that_selects_extends_to_tl(project: Path) -> None:
    """The docs' advice for a flake8 configuration with its own ``select``."""
    write(project, ".flake8", "[flake8]\nselect = E,F,W\nextend-select = TL\nper-file-ignores =\n    tests/*: TL3\n")
    write(project, "a.py", BAD)
    write(project, "tests/t.py", BAD)
    process = run(["-m", "flake8", "--format", FORMAT, "."], project)
    assert [line.split("|")[:4] for line in process.stdout.splitlines()] == [["./a.py", "5", "5", "TL303"]]


def test_flake8_select_and_ignore_narrow_like_timeoutlints(project: Path) -> None:
    write(project, "a.py", BAD + ALIAS.replace("import asyncio\n", "import asyncio\nimport requests\n") + "requests.get('u')\n")
    everything = check_findings(project, "a.py")
    assert set(codes(everything)) == {"TL106", "TL303", "TL304"}
    assert flake8_findings(project, "a.py", select="TL3") == check_findings(project, "--select", "TL3", "a.py")
    narrowed = flake8_findings(project, "--extend-ignore", "TL303", "a.py")
    assert narrowed == check_findings(project, "--ignore", "TL303", "a.py")
    assert set(codes(narrowed)) == {"TL106", "TL304"}
    others = codes(flake8_findings(project, "a.py", select="E,F,W"))
    assert others and not any(code.startswith("TL") for code in others)


def test_flake8s_selection_decides_which_rules_run(monkeypatch: pytest.MonkeyPatch) -> None:
    parse_args = pytest.importorskip("flake8.options.parse_args").parse_args
    monkeypatch.setattr(flake8_plugin.TimeoutlintChecker, "flake8_selected", None)
    parse_args(["--isolated", "--select", "E,TL3", "--extend-ignore", "TL303"])  # calls parse_options
    every = {rule.code for rule in all_rules()}
    assert flake8_plugin.TimeoutlintChecker.flake8_selected == {c for c in every if c.startswith("TL3") and c != "TL303"}
    parse_args(["--isolated", "--select", "E"])
    assert flake8_plugin.TimeoutlintChecker.flake8_selected == frozenset()
    parse_args(["--isolated"])
    assert flake8_plugin.TimeoutlintChecker.flake8_selected == every
    # A flake8 whose options the decision engine cannot read: every rule runs.
    assert flake8_plugin._flake8_selection(object()) is None


# -- configuration ---------------------------------------------------------------------------


PYPROJECT = """\
[project]
name = "demo"
requires-python = ">=3.11"

[tool.timeoutlint]
select = ["TL1", "TL3"]
ignore = ["TL304"]
extend-exclude = ["generated/"]

[tool.timeoutlint.per-file-ignores]
"legacy/*" = ["TL303"]
"""


def test_config_in_pyproject_is_the_files_config(project: Path) -> None:
    write(project, "pyproject.toml", PYPROJECT)
    write(project, "app.py", BAD + ALIAS + "import requests\nrequests.get('u')\n")
    write(project, "legacy/old.py", BAD + POOL_PER_CALL)
    write(project, "generated/gen.py", BAD)
    expected = check_findings(project, ".")
    # select, ignore, per-file-ignores, target-version from requires-python (no TL106),
    # extend-exclude: each takes something away.
    assert sorted((path, code) for path, _, _, code, _ in expected) == [("app.py", "TL303"), ("legacy/old.py", "TL102")]
    assert flake8_findings(project, ".") == expected
    # Named to flake8, an excluded file is still excluded (pre-commit's --force-exclude).
    assert check_findings(project, "--force-exclude", "generated/gen.py") == Counter()
    assert flake8_findings(project, "generated/gen.py") == Counter()


def test_each_file_gets_its_nearest_config(project: Path) -> None:
    write(project, "pyproject.toml", '[tool.timeoutlint]\nselect = ["TL3"]\n')
    write(project, "a.py", BAD + ALIAS)
    write(project, "sub/pyproject.toml", '[tool.timeoutlint]\nselect = ["TL1"]\n')
    write(project, "sub/b.py", BAD + ALIAS)
    write(project, "sub/c.py", BAD + POOL_PER_CALL)
    found = flake8_findings(project, ".")
    # TL106 is TL1's, not TL3's.
    assert sorted((path, code) for path, _, _, code, _ in found) == [("a.py", "TL303"), ("sub/b.py", "TL106"), ("sub/c.py", "TL102")]
    # Each project as timeoutlint check sees it when run in it.
    assert Counter({f: n for f, n in found.items() if not f[0].startswith("sub")}) == check_findings(project, "a.py")
    in_sub = Counter({(os.path.relpath(f[0], "sub"), *f[1:]): n for f, n in found.items() if f[0].startswith("sub")})
    assert in_sub == check_findings(project / "sub", ".")


def test_a_broken_config_stops_flake8_with_its_message(project: Path) -> None:
    write(project, "pyproject.toml", '[tool.timeoutlint]\nselec = ["TL3"]\n')
    for name in ("a.py", "b.py", "c.py"):
        write(project, name, BAD)
    check = run(["-m", "timeoutlint", "check", "--no-cache", "."], project)
    assert check.returncode == 2 and "unknown key 'selec'" in check.stderr
    for jobs in ("1", "2"):  # in flake8's own process, and in its worker processes
        process = flake8(project, "--jobs", jobs, ".")
        assert process.returncode == 1
        assert "unknown key 'selec'" in process.stdout + process.stderr
        assert "did you mean 'select'?" in process.stdout + process.stderr
        assert "Traceback" not in process.stderr and "TL303" not in process.stdout


# -- suppression -------------------------------------------------------------------------


def test_noqa_suppresses_once(project: Path) -> None:
    write(project, "n.py", NOQA)
    expected = check_findings(project, "n.py")
    assert sorted(line for _, line, _, _, _ in expected) == [13, 14, 15]
    assert flake8_findings(project, "n.py") == expected


def test_file_level_noqa(project: Path) -> None:
    write(project, "all.py", "# timeoutlint: noqa\n" + BAD)
    write(project, "some.py", "# timeoutlint: noqa: TL3\n" + BAD + ALIAS)
    expected = check_findings(project, ".")
    assert codes(expected) == Counter({"TL106": 1})
    assert flake8_findings(project, ".") == expected


# -- stdin -------------------------------------------------------------------------------


def test_stdin_with_a_display_name(project: Path) -> None:
    write(project, "pyproject.toml", PYPROJECT.replace('requires-python = ">=3.11"', 'requires-python = ">=3.9"'))
    source = BAD + ALIAS + COLUMNS.replace("import subprocess\n", "")
    # Nothing on disk under that name: the text flake8 read is what is linted.
    found = flake8_findings(project, "-", "--stdin-display-name", "app.py", stdin=source)
    expected = check_findings(project, "--stdin-filename", "app.py", stdin=source)
    assert set(codes(expected)) == {"TL106", "TL303"}
    assert found == expected
    # The display name places the text in the project: its per-file-ignores hold.
    found = flake8_findings(project, "-", "--stdin-display-name", "legacy/x.py", stdin=source)
    assert found == check_findings(project, "--stdin-filename", "legacy/x.py", stdin=source)
    assert set(codes(found)) == {"TL106"}


def test_stdin_equals_the_file(project: Path) -> None:
    write(project, "a.py", COLUMNS + NOQA)
    from_file = flake8_findings(project, "a.py")
    assert from_file and from_file == flake8_findings(project, "-", "--stdin-display-name", "a.py", stdin=COLUMNS + NOQA)


# -- what flake8 cannot see: the rest of the project --------------------------------------


@pytest.mark.parametrize("fixture", PROJECT_FIXTURES, ids=[path.name for path in PROJECT_FIXTURES])
def test_project_rules_see_one_file(fixture: Path, tmp_path: Path) -> None:
    """Under flake8 every file is a project of one: its findings are those of ``timeoutlint
    check`` on each file alone, never twice; what only the whole project shows (a chain of
    calls across modules, callers that bound a coroutine) is the project rules' alone."""
    project = tmp_path / fixture.name
    shutil.copytree(fixture, project)
    found = flake8_findings(project, ".")
    assert max(found.values(), default=1) == 1
    alone: Counter[Finding] = Counter()
    for path in sorted(project.glob("*.py")):
        single = tmp_path / "alone" / path.stem
        single.mkdir(parents=True)
        shutil.copy(project / "pyproject.toml", single)
        shutil.copy(path, single)
        alone += check_findings(single, path.name)
    assert found == alone
    whole = check_findings(project, ".")
    assert set(codes((whole - found) + (found - whole))) <= PROJECT_RULES


# -- files flake8 and timeoutlint see differently -----------------------------------------


def test_a_syntax_error_is_flake8s_alone(project: Path) -> None:
    write(project, "bad.py", "import subprocess\n\ndef f(:\n    subprocess.run(['ls'])\n")
    write(project, "good.py", BAD)
    process = flake8(project, ".", select="TL,E999")
    assert process.returncode == 1 and process.stderr == ""
    lines = sorted(process.stdout.splitlines())
    assert [line.split("|")[:2] + line.split("|")[3:4] for line in lines] == [["./bad.py", "3", "E999"], ["./good.py", "5", "TL303"]]


def test_what_timeoutlint_cannot_analyse_is_said_on_stderr_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.chdir(tmp_path)
    lines = BAD.splitlines(keepends=True)

    def failing(source: str, path: str, settings: object, **kwargs: object) -> FileResult:
        return FileResult(path, errors=[LintError(path, "could not parse: the code is nested too deeply", 3, 1)])

    monkeypatch.setattr(flake8_plugin, "lint_source", failing)
    with caplog.at_level(logging.WARNING, logger=flake8_plugin.__name__):
        assert list(flake8_plugin.TimeoutlintChecker(None, "deep.py", lines).run()) == []  # type: ignore[arg-type]
    assert caplog.messages == ["timeoutlint: deep.py:3:1: could not parse: the code is nested too deeply"]
    caplog.clear()

    def syntax_error(source: str, path: str, settings: object, **kwargs: object) -> FileResult:
        return FileResult(path, errors=[LintError(path, "SyntaxError: invalid syntax", 3, 7)])

    monkeypatch.setattr(flake8_plugin, "lint_source", syntax_error)
    with caplog.at_level(logging.WARNING, logger=flake8_plugin.__name__):
        assert list(flake8_plugin.TimeoutlintChecker(None, "bad.py", lines).run()) == []  # type: ignore[arg-type]
    assert caplog.messages == []  # flake8's E999 says it

    def crashing(source: str, path: str, settings: object, **kwargs: object) -> FileResult:
        raise RuntimeError("boom")

    monkeypatch.setattr(flake8_plugin, "lint_source", crashing)
    with caplog.at_level(logging.WARNING, logger=flake8_plugin.__name__):
        assert list(flake8_plugin.TimeoutlintChecker(None, "x.py", lines).run()) == []  # type: ignore[arg-type]
    assert caplog.messages == ["timeoutlint: x.py: internal error: RuntimeError: boom (please report this)"]
