"""The TL30x rules' ``blocking-calls`` option from the user's side: a callable of your own
that waits is reported like the library ones, by the rule whose table names it, and a
mistake in the option is exit 2 naming the file and the key (a real process)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

CONFIG = """\
[tool.timeoutlint]
default-timeout = 20

[tool.timeoutlint.rules.TL304]
blocking-calls = [
    {name = "mypkg.api.fetch", timeout = "deadline", position = 1},
    {name = "mypkg.api.Client.call"},
]

[tool.timeoutlint.rules.TL302]
blocking-calls = [{name = "mypkg.sync.Latch.wait", position = 0}]
"""

CODE = """\
from mypkg.api import Client, fetch
from mypkg.sync import Latch

def run(url, latch: Latch):
    fetch(url)
    fetch(url, 5)
    fetch(url, deadline=5)
    Client().call("ping")
    latch.wait()
    latch.wait(3)
"""


def _check(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "timeoutlint", "check", "--no-cache", *args],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _project(tmp_path: Path, config: str) -> Path:
    (tmp_path / "pyproject.toml").write_text(config, encoding="utf-8")
    (tmp_path / "app.py").write_text(CODE, encoding="utf-8")
    return tmp_path


def test_user_blocking_calls_are_reported_by_their_rule(tmp_path: Path) -> None:
    root = _project(tmp_path, CONFIG)
    process = _check(root, "--output-format", "json", "app.py")
    assert process.returncode == 1, process.stderr
    found = sorted((d["line"], d["code"]) for d in json.loads(process.stdout)["diagnostics"])
    assert found == [(5, "TL304"), (8, "TL304"), (9, "TL302")]


def test_user_blocking_calls_are_fixed_with_their_parameter(tmp_path: Path) -> None:
    root = _project(tmp_path, CONFIG)
    _check(root, "--fix", "--unsafe-fixes", "app.py")
    fixed = (root / "app.py").read_text(encoding="utf-8").splitlines()
    assert fixed[4] == "    fetch(url, deadline=20)"
    assert fixed[7] == '    Client().call("ping", timeout=20)'
    assert fixed[8] == "    latch.wait(timeout=20)"


def test_a_bad_blocking_calls_entry_is_exit_2_naming_file_and_key(tmp_path: Path) -> None:
    bad = '[tool.timeoutlint.rules.TL304]\nblocking-calls = [{name = "mypkg.fetch", timeot = "t"}]\n'
    root = _project(tmp_path, bad)
    process = _check(root, "app.py")
    assert process.returncode == 2
    assert process.stdout == ""
    assert process.stderr.strip() == (
        "timeoutlint: error: pyproject.toml: [tool.timeoutlint] rules.TL304.blocking-calls: "
        "entry 1: unknown key 'timeot'; did you mean 'timeout'?"
    )


def test_an_option_of_a_rule_that_takes_none_is_exit_2(tmp_path: Path) -> None:
    root = _project(tmp_path, "[tool.timeoutlint.rules.TL305]\nblocking-calls = []\n")
    process = _check(root, "app.py")
    assert process.returncode == 2
    assert "rules.TL305: unknown option 'blocking-calls'; TL305 takes no options" in process.stderr


TUI = """\
import subprocess

def browse(path):
    subprocess.run(["mytui", path])
    subprocess.run(["vim", path])
    subprocess.run(["make", path])
"""


def test_interactive_commands_name_more_programs_that_own_the_terminal(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(TUI, encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text("[tool.timeoutlint]\n", encoding="utf-8")

    def found() -> list:
        report = json.loads(_check(tmp_path, "--output-format", "json", "app.py").stdout)
        return sorted(d["line"] for d in report["diagnostics"])

    assert found() == [4, 6]  # vim owns the terminal out of the box; mytui is unknown
    (tmp_path / "pyproject.toml").write_text(
        '[tool.timeoutlint.rules.TL303]\ninteractive-commands = ["mytui"]\n', encoding="utf-8"
    )
    assert found() == [6]


def test_a_bad_interactive_commands_value_is_exit_2(tmp_path: Path) -> None:
    root = _project(tmp_path, '[tool.timeoutlint.rules.TL303]\ninteractive-commands = "mytui"\n')
    process = _check(root, "app.py")
    assert process.returncode == 2
    assert "rules.TL303.interactive-commands" in process.stderr and "list of program names" in process.stderr
