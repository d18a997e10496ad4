"""``# noqa`` comments (SPEC §5): on a finding's first line or on the last line of its
statement, bare or with codes; ``# timeoutlint: noqa`` for the whole file; only real
comments count."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cli_support import make_runner
from timeoutlint.api import lint_source
from timeoutlint.cli import main
from timeoutlint.settings import Settings
from timeoutlint.suppression import find_suppressions

SETTINGS = Settings(select=("TL303",))
IMPORT = "import subprocess\n"


def lines_reported(source: str) -> list[int]:
    result = lint_source(source, "mod.py", SETTINGS)
    assert result.errors == []
    return [d.line for d in result.diagnostics if d.code == "TL303"]


SUPPRESSED = {
    "bare": 'subprocess.run(["ls"])  # noqa\n',
    "code": 'subprocess.run(["ls"])  # noqa: TL303\n',
    "two codes": 'subprocess.run(["ls"])  # noqa: TL303, TL305\n',
    "two codes, other first": 'subprocess.run(["ls"])  # noqa: TL305,TL303\n',
    "no space": 'subprocess.run(["ls"])  #noqa:TL303\n',
    "upper case": 'subprocess.run(["ls"])  # NOQA: TL303\n',
    "lower-case code": 'subprocess.run(["ls"])  # noqa: tl303\n',
    "prefix": 'subprocess.run(["ls"])  # noqa: TL3\n',
    "with an explanation": 'subprocess.run(["ls"])  # noqa: TL303 (a CLI tool: waits on purpose)\n',
    "after another comment": 'subprocess.run(["ls"])  # type: ignore  # noqa: TL303\n',
    "last line of a multi-line statement": 'subprocess.run(\n    ["ls"],\n    check=True,\n)  # noqa: TL303\n',
    "first line of a multi-line statement": 'subprocess.run(  # noqa: TL303\n    ["ls"],\n)\n',
    "last line, assignment": 'out = subprocess.check_output(\n    ["ls"],\n    text=True,\n)  # noqa: TL303\n',
    "last line, call nested in another call": 'print(\n    subprocess.run(["ls"]),\n    1,\n)  # noqa: TL303\n',
    "one-line compound statement": 'if True: subprocess.run(["ls"])  # noqa: TL303\n',
    "file level": '# timeoutlint: noqa\nsubprocess.run(["ls"])\n',
    "file level with a code prefix": 'subprocess.run(["ls"])\n# timeoutlint: noqa: TL3\n',
    "file level with a code": '# timeoutlint: noqa: TL303\nsubprocess.run(["ls"])\n',
    "file level, several codes": '# timeoutlint: noqa: TL4, TL303\nsubprocess.run(["ls"])\n',
    "file level, at the end, any case": 'subprocess.run(["ls"])\n# TimeoutLint: NOQA\n',
}

REPORTED = {
    "other code": 'subprocess.run(["ls"])  # noqa: TL999\n',
    "other codes": 'subprocess.run(["ls"])  # noqa: TL305, TL1\n',
    "longer code than the finding's": 'subprocess.run(["ls"])  # noqa: TL3031\n',
    "noqa in a string": 'subprocess.run(["ls", "# noqa"])\n',
    "noqa in a string on the last line": 'subprocess.run(\n    ["ls"], "# noqa: TL303"\n)\n',
    "file-level noqa in a docstring": '"""\n# timeoutlint: noqa\n"""\nsubprocess.run(["ls"])\n',
    "file-level noqa in a string": 'x = "# timeoutlint: noqa: TL3"\nsubprocess.run(["ls"])\n',
    "file level, other prefix": '# timeoutlint: noqa: TL4\nsubprocess.run(["ls"])\n',
    "noqa on a middle line": 'subprocess.run(\n    ["ls"],  # noqa: TL303\n    check=True,\n)\n',
    "noqa on the line before": '# noqa: TL303\nsubprocess.run(["ls"])\n',
    "noqa on the next statement": 'subprocess.run(["ls"])\nx = 1  # noqa\n',
    "a word containing noqa": 'subprocess.run(["ls"])  # see noqa_docs\n',
}


@pytest.mark.parametrize("case", sorted(SUPPRESSED))
def test_suppressed(case: str) -> None:
    source = IMPORT + SUPPRESSED[case]
    assert lines_reported(source.replace("noqa", "nothing").replace("NOQA", "nothing")), "the case needs a finding"
    assert lines_reported(source) == []


@pytest.mark.parametrize("case", sorted(REPORTED))
def test_not_suppressed(case: str) -> None:
    assert len(lines_reported(IMPORT + REPORTED[case])) == 1


def test_noqa_suppresses_only_its_own_line() -> None:
    source = IMPORT + 'subprocess.run(["a"])  # noqa: TL303\nsubprocess.run(["b"])\nsubprocess.call("c")  # noqa\n'
    assert lines_reported(source) == [3]


def test_noqa_on_an_enclosing_block_line_does_not_reach_inside() -> None:
    source = IMPORT + 'def f():  # noqa: TL303\n    subprocess.run(["ls"])\n'
    assert lines_reported(source) == [3]
    with_block = IMPORT + 'with open("x") as f:  # noqa\n    subprocess.run(["ls"])\n'
    assert lines_reported(with_block) == [3]


def test_a_file_the_running_tokenizer_rejects_still_finds_its_comments() -> None:
    """Tokenizing fails on an unterminated triple-quoted string at the end; the fallback
    still sees the comment (the finding is on a line before it)."""
    found = find_suppressions('subprocess.run(["ls"])  # noqa: TL303\nx = """\n')
    assert found.by_line == {1: ("TL303",)}


def test_file_level_codes_are_parsed() -> None:
    found = find_suppressions("# timeoutlint: noqa: TL3, TL402\nx = 1\n")
    assert found.file_codes == ("TL3", "TL402")
    assert found.suppresses("TL303", [9]) and found.suppresses("TL402", [9])
    assert not found.suppresses("TL401", [9])


def test_noqa_through_the_cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.py").write_text(IMPORT + 'subprocess.run(["a"])  # noqa: TL303\nsubprocess.run(["b"])\n')
    (tmp_path / "b.py").write_text("# timeoutlint: noqa: TL3\n" + IMPORT + 'subprocess.run(["a"])\n')
    result = make_runner().invoke(main, ["check", "--no-cache", "--output-format", "json"])
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert [(d["path"], d["line"]) for d in data["diagnostics"]] == [("a.py", 3)]
    (tmp_path / "a.py").write_text(IMPORT + 'subprocess.run(["a"])  # noqa\n')
    assert make_runner().invoke(main, ["check", "--no-cache"]).exit_code == 0


CLOCKS = (
    "import time\n\n\ndef f(t):\n"
    "    deadline = time.time() + t{noqa}\n"
    "    while time.time() < deadline:\n"
    "        pass\n"
)


def test_a_fix_never_rewrites_code_whose_finding_noqa_silences() -> None:
    """The TL402 fix switches every clock of one deadline together; with one of them
    silenced, the other keeps its finding but loses its fix (the code stays as it is)."""
    from timeoutlint.api import fix_text

    settings = Settings(select=("TL402",))
    open_source = CLOCKS.format(noqa="")
    assert fix_text(open_source, "m.py", settings).source.count("time.monotonic()") == 2
    silenced = CLOCKS.format(noqa="  # noqa: TL402")
    result = lint_source(silenced, "m.py", settings)
    assert [(d.line, d.fix) for d in result.diagnostics] == [(6, None)]
    assert fix_text(silenced, "m.py", settings).source == silenced
    # Another rule's noqa on that line does not hold the fix back.
    other = CLOCKS.format(noqa="  # noqa: TL303")
    assert fix_text(other, "m.py", settings).source.count("time.monotonic()") == 2
