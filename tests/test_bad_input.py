"""Bad input never crashes a run (SPEC §3, §7, §8): each bad file becomes correct handling
or ONE error entry, the other files are still reported, exit 1, no traceback. And --fix
is safe: atomic writes that keep the mode, encoding, BOM and newlines; idempotent; a fix
that would break the code is never written.

Inputs that once crashed the process itself (libcst's native parser overflowing the C
stack) run in a real subprocess, so a regression fails the test instead of pytest."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any, Optional

import libcst as cst
import pytest
from click.testing import Result

from cli_support import make_runner
from timeoutlint.api import RunOptions, check_paths, process_file
from timeoutlint.cli import main
from timeoutlint.context import PendingFix
from timeoutlint.ftypes import Applicability
from timeoutlint.rules.waits import _omitted as waits
from timeoutlint.settings import Settings

BAD = 'import subprocess\nsubprocess.run(["ls"])\n'
FIXED = 'import subprocess\nsubprocess.run(["ls"], timeout=30)\n'
CONFIG = "[tool.timeoutlint]\ndefault-timeout = 30\nunsafe-fixes = true\n"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "project"
    root.mkdir()
    (root / "pyproject.toml").write_text(CONFIG, encoding="utf-8")
    (root / "good.py").write_text(BAD, encoding="utf-8")
    monkeypatch.chdir(root)
    return root


def invoke(*args: str) -> Result:
    result = make_runner().invoke(main, ["check", "--no-cache", *args])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"the CLI raised {result.exception!r}") from result.exception
    assert "Traceback" not in result.output
    return result


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    process = subprocess.run(
        [sys.executable, "-m", "timeoutlint", "check", "--no-cache", *args],
        cwd=cwd,
        capture_output=True,
        timeout=300,
    )
    assert process.returncode >= 0, f"killed by signal {-process.returncode}: {process.stderr!r}"
    assert b"Traceback" not in process.stderr
    return process


def report(*args: str) -> dict[str, Any]:
    """The JSON report of a run that must exit 1 and still report good.py."""
    result = invoke("--output-format", "json", *args)
    assert result.exit_code == 1, result.output
    data = json.loads(result.stdout)
    assert "good.py" in [d["path"] for d in data["diagnostics"]]
    return data


def single_error(data: dict[str, Any], path: str) -> str:
    errors = [e for e in data["errors"] if e["path"] == path]
    assert len(errors) == 1, data["errors"]
    assert not [d for d in data["diagnostics"] if d["path"] == path]
    return errors[0]["message"]


# -- unreadable, undecodable, unparsable ------------------------------------------------------


def test_syntax_error_is_one_entry_with_line_and_column(project: Path) -> None:
    (project / "broken.py").write_text("import subprocess\n\nx = (1,\ny = 2\n", encoding="utf-8")
    message = single_error(report(), "broken.py")
    assert message.startswith("SyntaxError")
    text = invoke()
    (line,) = [line for line in text.stdout.splitlines() if line.startswith("broken.py")]
    where, _, rest = line.partition(": error: ")
    _, line_number, column = where.split(":")
    assert int(line_number) >= 3 and int(column) >= 1
    assert rest.startswith("SyntaxError")
    assert "1 file could not be checked." in text.stdout


def test_syntax_error_points_at_the_mistake(project: Path) -> None:
    """Where Python itself points, not where libcst's parser gave up (the next line)."""
    (project / "broken.py").write_text("import subprocess\ndef f(:\n    subprocess.run(1)\n", encoding="utf-8")
    result = invoke("broken.py")
    assert result.exit_code == 1
    assert result.stdout.startswith("broken.py:2:7: error: SyntaxError: ")


def test_syntax_error_in_code_for_a_newer_python(project: Path) -> None:
    """A target newer than the running Python: its grammar may not cover the code, so
    libcst's report stands (still one entry with a position)."""
    (project / "broken.py").write_text("import subprocess\ndef f(:\n    pass\n", encoding="utf-8")
    result = invoke("broken.py", "--target-version", "py314")
    (line,) = result.stdout.splitlines()[:1]
    assert line.startswith("broken.py:") and ": error: SyntaxError: " in line


@pytest.mark.parametrize(
    "source",
    [
        pytest.param("import subprocess\nmatch x:\n    case 1:\n        subprocess.run(1)\n", id="match-3.10"),
        pytest.param("try:\n    pass\nexcept* ValueError:\n    pass\n", id="except-star-3.11"),
        pytest.param("type Pair = tuple[int, int]\n", id="type-alias-3.12"),
        pytest.param("import subprocess\ndef f[T](x: T) -> T:\n    subprocess.run(x)\n    return x\n", id="generics-3.12"),
    ],
)
def test_newer_syntax_than_the_running_python_is_not_an_error(project: Path, source: str) -> None:
    """The verdict does not depend on the interpreter timeoutlint runs on: code that a newer
    Python accepts (a ``match`` checked on 3.9) is linted, with and without a trigger."""
    (project / "new.py").write_text(source, encoding="utf-8")
    payload = report()
    assert payload["errors"] == [], payload["errors"]
    if "subprocess.run" in source:
        assert [d["code"] for d in payload["diagnostics"] if d["path"] == "new.py"] == ["TL303"]


def test_undecodable_bytes(project: Path) -> None:
    (project / "binary.py").write_bytes(b"import subprocess\nx = '\xff\xfe\xfa'\n")
    message = single_error(report(), "binary.py")
    assert "cannot decode as utf-8" in message
    assert "invalid byte 0xff at line 2, column 6" in message


def test_unknown_coding_cookie(project: Path) -> None:
    (project / "cookie.py").write_bytes(b"# -*- coding: klingon -*-\nimport subprocess\n")
    assert "klingon" in single_error(report(), "cookie.py")


def test_nul_byte(project: Path) -> None:
    (project / "nul.py").write_bytes(b"import subprocess\nsubprocess.run(['ls'])\x00\n")
    assert single_error(report(), "nul.py")


def test_empty_file_is_clean(project: Path) -> None:
    (project / "empty.py").write_bytes(b"")
    (project / "good.py").write_text(FIXED, encoding="utf-8")
    result = invoke()
    assert result.exit_code == 0
    assert result.stdout == "All checks passed!\n"


def test_unreadable_file(project: Path) -> None:
    path = project / "secret.py"
    path.write_text(BAD, encoding="utf-8")
    path.chmod(0)
    try:
        if os.access(path, os.R_OK):
            pytest.skip("this user (root?) can read a file with mode 000")
        assert "Permission denied" in single_error(report(), "secret.py")
    finally:
        path.chmod(0o644)


def test_unreadable_file_simulated(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same path as above without relying on the user: open() itself fails."""
    import timeoutlint.api as api

    (project / "secret.py").write_text(BAD, encoding="utf-8")

    def fake_open(path: Any, *args: Any, **kwargs: Any) -> Any:
        if os.path.basename(str(path)) == "secret.py":
            raise PermissionError(13, "Permission denied", str(path))
        return open(path, *args, **kwargs)

    monkeypatch.setattr(api, "open", fake_open, raising=False)
    assert single_error(report(), "secret.py") == "Permission denied"


def test_missing_file_named_on_the_command_line(project: Path) -> None:
    result = invoke("good.py", "missing.py")
    assert result.exit_code == 1
    assert "good.py:2:1: TL303" in result.stdout
    assert "missing.py: error: No such file or directory" in result.stdout


# -- odd files and folders ------------------------------------------------------------------


def test_symlink_loop_in_a_folder(project: Path) -> None:
    (project / "pkg").mkdir()
    (project / "pkg" / "mod.py").write_text(BAD, encoding="utf-8")
    (project / "pkg" / "loop").symlink_to(project / "pkg", target_is_directory=True)
    (project / "pkg" / "self").symlink_to("self")  # a link to itself: neither file nor folder
    result = invoke()
    assert result.exit_code == 1
    findings = [line.split(": TL303 ")[0] for line in result.stdout.splitlines() if ": TL303 " in line]
    assert findings == ["good.py:2:1", "pkg/mod.py:2:1"]  # each once, under its real path
    assert "error" not in result.stdout


def test_a_folder_named_like_a_source_file(project: Path) -> None:
    folder = project / "x.py"
    folder.mkdir()
    (folder / "inner.py").write_text(BAD, encoding="utf-8")
    walked = invoke()
    assert "x.py/inner.py:2:1: TL303" in walked.stdout
    named = invoke("x.py")
    assert named.exit_code == 1
    assert named.stdout.startswith("x.py/inner.py:2:1: TL303")
    (folder / "inner.py").unlink()
    assert invoke("x.py").exit_code == 0


DEEP_CASES = {
    "parentheses_5000": "import subprocess\nx = " + "(" * 5000 + "1" + ")" * 5000 + "\n",
    "brackets_3000": "import subprocess\nx = " + "[" * 3000 + "]" * 3000 + "\n",
    "ifs_200": "import subprocess\n" + "".join(" " * i + "if x:\n" for i in range(200)) + " " * 200 + "subprocess.run(1)\n",
    "operators_100000": "import subprocess\nx = " + "1 + " * 100000 + "1\n",
    "unary_20000": "import subprocess\nx = " + "not " * 20000 + "y\n",
    "multiline_chain_20000": "import subprocess\nx = (\n" + "    1 +\n" * 20000 + "    1)\n",
    "call_chain_20000": "import subprocess\nx = (y\n" + "    .a()\n" * 20000 + ")\n",
}


@pytest.mark.parametrize("name", sorted(DEEP_CASES))
def test_very_deep_nesting_is_an_error_entry_or_clean(project: Path, name: str) -> None:
    (project / f"{name}.py").write_text(DEEP_CASES[name], encoding="utf-8")
    process = run("--output-format", "json", cwd=project)
    assert process.returncode == 1, process.stderr
    data = json.loads(process.stdout)
    assert "good.py" in [d["path"] for d in data["diagnostics"]]
    errors = [e for e in data["errors"] if e["path"] == f"{name}.py"]
    assert len(errors) <= 1
    assert not [e for e in data["errors"] if "internal error" in e["message"]]


def test_deeply_nested_parentheses_message(project: Path) -> None:
    (project / "deep.py").write_text(DEEP_CASES["parentheses_5000"], encoding="utf-8")
    process = run(cwd=project)
    assert b"deep.py:2:" in process.stdout
    assert b"too many nested parentheses" in process.stdout


def test_a_bad_file_among_many_in_a_process_pool(project: Path) -> None:
    for index in range(24):
        (project / f"m{index:02}.py").write_text(BAD, encoding="utf-8")
    (project / "deep.py").write_text(DEEP_CASES["parentheses_5000"], encoding="utf-8")
    (project / "binary.py").write_bytes(b"\xff\xfe")
    process = run("--jobs", "2", "--output-format", "json", cwd=project)
    assert process.returncode == 1
    data = json.loads(process.stdout)
    assert len(data["diagnostics"]) == 25
    assert sorted(e["path"] for e in data["errors"]) == ["binary.py", "deep.py"]


# -- encodings and newlines survive a fix ------------------------------------------------------


def fix(path: Path) -> Result:
    result = invoke("--fix", str(path.name))
    assert result.exit_code == 0, result.output
    return result


def test_pep263_latin1_file_lints_and_its_fix_keeps_latin1(project: Path) -> None:
    source = '# -*- coding: latin-1 -*-\nimport subprocess\nname = "café"\nsubprocess.run(["ls"])\n'
    path = project / "latin.py"
    path.write_bytes(source.encode("latin-1"))
    data = json.loads(invoke("--output-format", "json", "latin.py").stdout)
    assert data["errors"] == []
    assert [(d["code"], d["line"]) for d in data["diagnostics"]] == [("TL303", 4)]
    fix(path)
    assert path.read_bytes() == source.replace('["ls"])', '["ls"], timeout=30)').encode("latin-1")


def test_utf8_bom_is_kept(project: Path) -> None:
    path = project / "bom.py"
    path.write_bytes(b"\xef\xbb\xbf" + BAD.encode())
    fix(path)
    assert path.read_bytes() == b"\xef\xbb\xbf" + FIXED.encode()


def test_crlf_is_kept(project: Path) -> None:
    path = project / "crlf.py"
    path.write_bytes(BAD.replace("\n", "\r\n").encode())
    fix(path)
    assert path.read_bytes() == FIXED.replace("\n", "\r\n").encode()


def test_no_final_newline_is_kept(project: Path) -> None:
    path = project / "noeol.py"
    path.write_bytes(BAD.rstrip("\n").encode())
    fix(path)
    assert path.read_bytes() == FIXED.rstrip("\n").encode()


@pytest.mark.parametrize(
    "source",
    [
        b'import subprocess\rsubprocess.run(["ls"])\r',  # bare CR: libcst drops the last one
        b'import subprocess\n\x0csubprocess.run(["ls"])\n',  # libcst drops form feeds
    ],
    ids=["bare-cr", "form-feed"],
)
def test_bytes_libcst_cannot_reproduce_are_never_lost(project: Path, source: bytes) -> None:
    path = project / "odd.py"
    path.write_bytes(source)
    result = invoke("--fix", "odd.py")
    assert "odd.py:2:" in result.stdout  # still reported, without a fix
    assert path.read_bytes() == source


# -- fix safety ----------------------------------------------------------------------------------


def test_fix_is_atomic_and_keeps_the_mode(project: Path) -> None:
    path = project / "script.py"
    path.write_text("#!/usr/bin/env python\n" + BAD, encoding="utf-8")
    path.chmod(0o755)
    inode = path.stat().st_ino
    fix(path)
    assert path.read_text(encoding="utf-8") == "#!/usr/bin/env python\n" + FIXED
    assert stat.S_IMODE(path.stat().st_mode) == 0o755
    assert path.stat().st_ino != inode  # replaced by a new file, not rewritten in place
    assert sorted(p.name for p in project.iterdir()) == ["good.py", "pyproject.toml", "script.py"]


def test_fix_keeps_the_owner_when_allowed(project: Path) -> None:
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        pytest.skip("only root can give a file to another user")
    path = project / "theirs.py"
    path.write_text(BAD, encoding="utf-8")
    os.chown(path, 65534, 65534)
    fix(path)
    assert path.read_text(encoding="utf-8") == FIXED
    assert (path.stat().st_uid, path.stat().st_gid) == (65534, 65534)


def test_fix_through_a_symlink_keeps_the_link(project: Path) -> None:
    (project / "real").mkdir()
    target = project / "real" / "mod.py"
    target.write_text(BAD, encoding="utf-8")
    link = project / "link.py"
    link.symlink_to(target)
    fix(link)
    assert link.is_symlink()
    assert target.read_text(encoding="utf-8") == FIXED


def test_a_failed_write_leaves_the_file_whole(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = project / "mod.py"
    path.write_text(BAD, encoding="utf-8")

    def refuse(source: Any, target: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", refuse)
    result = invoke("--fix", "mod.py")
    assert result.exit_code == 1
    assert "mod.py: error: could not write the fixed file" in result.stdout
    assert "mod.py:2:1: TL303" in result.stdout  # still there, as the file still has it
    assert "Fixed" not in result.stdout
    assert path.read_text(encoding="utf-8") == BAD
    assert sorted(p.name for p in project.iterdir()) == ["good.py", "mod.py", "pyproject.toml"]


def test_fixing_twice_equals_fixing_once(project: Path) -> None:
    source = (
        "import subprocess\n"
        "from subprocess import Popen, check_output\n\n\n"
        "def build():\n"
        "    subprocess.run(['make'])  # comment kept\n"
        "    proc = Popen(['srv'])\n"
        "    proc.wait()\n"
        "    return check_output(\n"
        "        ['git', 'rev-parse'],\n"
        "        text=True,\n"
        "    )\n"
    )
    path = project / "mod.py"
    path.write_text(source, encoding="utf-8")
    fix(path)
    once = path.read_bytes()
    assert once.count(b"timeout=30") == 3
    assert b"# comment kept" in once
    second = invoke("--fix", "--show-fixes", "mod.py")
    assert second.exit_code == 0
    assert "Fixed" not in second.stdout
    assert path.read_bytes() == once


def _broken_fix(replacement: cst.BaseExpression) -> Any:
    def make(rule: Any, call: cst.Call, name: str = "timeout") -> Optional[PendingFix]:
        return PendingFix("Break the code", Applicability.SAFE, [(call, replacement)])

    return make


@pytest.mark.parametrize(
    "replacement",
    [
        cst.parse_expression("(yield)"),  # parses, but 'yield' outside a function does not compile
        cst.Name("import"),  # does not even parse
    ],
    ids=["does-not-compile", "does-not-parse"],
)
def test_a_fix_that_breaks_the_code_is_never_written(
    project: Path, monkeypatch: pytest.MonkeyPatch, replacement: cst.BaseExpression
) -> None:
    monkeypatch.setattr(waits, "default_timeout_fix", _broken_fix(replacement))
    path = project / "mod.py"
    path.write_text(BAD, encoding="utf-8")
    settings = Settings(root=project, default_timeout=30, unsafe_fixes=True, select=("TL303",))

    outcome = process_file("mod.py", settings, RunOptions(fix=True, use_cache=False))
    assert path.read_text(encoding="utf-8") == BAD
    assert outcome.fixed is None
    (error,) = outcome.result.errors
    assert error.message.startswith("internal error: the fix for TL303 at line 2 would produce invalid code")
    assert [d.code for d in outcome.result.diagnostics] == ["TL303"]  # the finding stays

    result = invoke("--fix", "mod.py")
    assert result.exit_code == 2  # an internal error
    assert "mod.py: error: internal error: the fix for TL303" in result.stdout
    assert path.read_text(encoding="utf-8") == BAD
    diff = invoke("--diff", "mod.py")
    assert diff.exit_code == 2
    assert "+++" not in diff.stdout


def test_a_broken_fix_does_not_block_the_good_ones(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Only the fix at line 3 breaks the code; the one at line 2 is still applied."""
    original = waits.default_timeout_fix

    def sometimes_broken(rule: Any, call: cst.Call, name: str = "timeout") -> Optional[PendingFix]:
        if rule.ctx.module.code_for_node(call).startswith("subprocess.call"):
            return _broken_fix(cst.parse_expression("(yield)"))(rule, call)
        return original(rule, call, name)

    monkeypatch.setattr(waits, "default_timeout_fix", sometimes_broken)
    path = project / "mod.py"
    path.write_text(BAD + "subprocess.call(['x'])\n", encoding="utf-8")
    settings = Settings(root=project, default_timeout=30, unsafe_fixes=True, select=("TL303",))
    (outcome,) = check_paths(["mod.py"], settings, RunOptions(fix=True, use_cache=False, jobs=1))
    assert path.read_text(encoding="utf-8") == FIXED + "subprocess.call(['x'])\n"
    assert [e.message.split(" would")[0] for e in outcome.result.errors] == ["internal error: the fix for TL303 at line 3"]
    assert [(d.code, d.line) for d in outcome.result.diagnostics] == [("TL303", 3)]
