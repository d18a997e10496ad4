"""docs/runtime.md stays true: its examples compile, the runnable ones run, the API is covered."""

from __future__ import annotations

import re
from pathlib import Path
from typing import List, Tuple

import pytest

import timeoutlint.runtime

DOC = Path(__file__).resolve().parents[2] / "docs" / "runtime.md"
BLOCK = re.compile(r"(?P<marker><!-- test: run -->\n)?```python\n(?P<code>.*?)```", re.S)


def code_blocks() -> List[Tuple[int, bool, str]]:
    text = DOC.read_text(encoding="utf-8")
    return [
        (text.count("\n", 0, match.start("code")) + 1, bool(match["marker"]), match["code"])
        for match in BLOCK.finditer(text)
    ]


def test_doc_has_examples() -> None:
    blocks = code_blocks()
    assert len(blocks) >= 10
    assert sum(runnable for _, runnable, _ in blocks) >= 5


@pytest.mark.parametrize(
    ("line", "runnable", "code"),
    [pytest.param(*block, id=f"line-{block[0]}") for block in code_blocks()],
)
def test_doc_example(line: int, runnable: bool, code: str) -> None:
    compiled = compile(code, f"{DOC.name}:{line}", "exec")
    if runnable:
        exec(compiled, {"__name__": "docs_example"})


@pytest.mark.parametrize("name", timeoutlint.runtime.__all__)
def test_doc_covers_every_public_name(name: str) -> None:
    assert f"`{name}" in DOC.read_text(encoding="utf-8")
