"""libcst sees only the statements the rules can match (``selection.py``): what is kept,
and that findings, positions and fix edits come out exactly as from the whole file."""

from __future__ import annotations

import ast
import dataclasses
import textwrap
from pathlib import Path
from typing import Any, Callable, List

import pytest

import timeoutlint.api as api
from timeoutlint.api import lint_source
from timeoutlint.engine import any_trigger, enabled_rules
from timeoutlint.selection import LineMap, select, units_of
from timeoutlint.settings import Settings
from timeoutlint.sourcefile import LineIndex

REPO = Path(__file__).resolve().parent.parent


def _selection(source: str, settings: Settings = Settings()) -> Any:
    source = textwrap.dedent(source)
    rules = enabled_rules(settings)
    return select(source, ast.parse(source), any_trigger(rules, settings), LineIndex(source).starts)


def _kept(source: str) -> List[str]:
    """The names of the top-level defs and classes libcst sees."""
    found = _selection(source)
    tree = ast.parse(found.text if found is not None else textwrap.dedent(source))
    return [s.name for s in tree.body if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))]


HEAD = "import subprocess\n\n\ndef first():\n    return 1\n\n\n"


def test_a_function_without_a_trigger_is_left_out() -> None:
    assert _kept(HEAD + "def plain():\n    return 2\n\n\ndef runs():\n    subprocess.run(['ls'])\n") == ["first", "runs"]


def test_the_head_of_the_file_and_module_level_code_are_kept() -> None:
    # ``first`` is the first statement after the imports: where fixes put imports.
    found = _selection(HEAD + "X = 1\n\n\ndef plain():\n    return 2\n\n\nif X:\n    Y = 2\n\n\ndef runs():\n    subprocess.run(['ls'])\n")
    assert "X = 1" in found.text and "if X:" in found.text and "def first" in found.text
    assert "def plain" not in found.text


def test_a_name_carries_a_match_into_another_statement() -> None:
    source = HEAD + (
        "from subprocess import run as launch\n\n\n"
        "def helper():\n    return subprocess.Popen(['ls'])\n\n\n"
        "def uses_alias():\n    launch(['ls'])\n\n\n"
        "def uses_helper():\n    helper().wait()\n\n\n"
        "def unrelated():\n    return 3\n"
    )
    assert _kept(source) == ["first", "helper", "uses_alias", "uses_helper"]


def test_a_class_a_kept_statement_names_is_kept_for_inference() -> None:
    source = HEAD + (
        "import queue\n\n\n"
        "class Base:\n    def __init__(self):\n        self.q = queue.Queue()\n\n\n"
        "class Worker(Base):\n    def run(self):\n        return self.q.get()\n\n\n"
        "class Other:\n    pass\n"
    )
    assert _kept(source) == ["first", "Base", "Worker"]


def test_decorators_comments_and_shared_lines_stay_with_their_statement() -> None:
    source = (
        "import subprocess\nx = 1; y = 2\n\ndef first():\n    return 1\n"
        "\n# about plain\n@decorate\ndef plain():\n    return 2\n"
        "\n# about runs\n@decorate\ndef runs():\n    subprocess.run(['ls'])\n# the end\n"
    )
    units = units_of(ast.parse(source), len(LineIndex(source).starts))
    assert [(u.first, u.last) for u in units] == [(1, 1), (2, 2), (3, 5), (6, 10), (11, 15)]
    found = _selection(source)
    assert found.text == (
        "import subprocess\nx = 1; y = 2\n\ndef first():\n    return 1\n"
        "\n# about runs\n@decorate\ndef runs():\n    subprocess.run(['ls'])\n# the end\n"
    )
    assert [found.line_map.line(n) for n in (5, 6, 9, 11)] == [5, 11, 14, 16]
    assert found.skipped == [("plain", "def")]


def test_the_line_map_places_selected_lines_in_the_file() -> None:
    line_map = LineMap([(1, 1), (4, 10), (6, 30)])
    assert [line_map.line(n) for n in (1, 3, 4, 5, 6, 9)] == [1, 3, 10, 11, 30, 33]


def test_a_file_matching_nothing_is_still_checked_for_its_syntax() -> None:
    result = lint_source("def f(:\n    pass\n", "bad.py")
    assert [(e.line, e.column) for e in result.errors] == [(1, 7)]
    assert "SyntaxError" in result.errors[0].message


def test_a_syntax_error_in_a_skipped_part_is_reported_where_it_is() -> None:
    source = HEAD + "def plain():\n    return 2\n\n\ndef broken(:\n    subprocess.run(['ls'])\n"
    result = lint_source(source, "bad.py")
    assert [e.line for e in result.errors] == [source.splitlines().index("def broken(:") + 1]


# -- the same findings, positions and fixes as from the whole file --------------------------


def _whole(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(api, "select", lambda *args: None)


def _samples() -> List[Path]:
    fixtures = sorted((REPO / "fixtures").glob("*.py"))
    own = sorted((REPO / "timeoutlint").rglob("*.py"))
    return fixtures + own + [REPO / "examples" / name for name in ("deploy.py", "slot.py") if (REPO / "examples" / name).exists()]


@pytest.mark.parametrize("settings", [{}, {"default-timeout": 30}, {"default-timeout": 30, "target-version": "py311"}])
def test_selection_gives_what_the_whole_file_gives(
    settings: dict, make_settings: Callable[..., Settings], monkeypatch: pytest.MonkeyPatch
) -> None:
    resolved = make_settings(settings)
    selected_somewhere = 0
    for path in _samples():
        source = path.read_text(encoding="utf-8")
        rules = enabled_rules(resolved)
        found = select(source, ast.parse(source), any_trigger(rules, resolved), LineIndex(source).starts)
        if found is not None and found.kept_lines < found.total_lines:
            selected_somewhere += 1
        partial = lint_source(source, str(path), resolved)
        with monkeypatch.context() as patch:
            _whole(patch)
            whole = lint_source(source, str(path), resolved)
        assert [dataclasses.asdict(d) for d in partial.diagnostics] == [dataclasses.asdict(d) for d in whole.diagnostics], path
        assert partial.errors == whole.errors, path
    assert selected_somewhere >= 10  # the comparison is about something
