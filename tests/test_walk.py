"""The shared pass walks the tree in exactly the order libcst's own ``visit`` takes."""

from __future__ import annotations

from pathlib import Path
from typing import List, Tuple

import libcst as cst
import pytest

from timeoutlint.walk import _skipped, child_fields, walk

REPO = Path(__file__).resolve().parent.parent


class _Recorder(cst.CSTVisitor):
    def __init__(self) -> None:
        super().__init__()
        self.events: List[Tuple[str, int]] = []

    def on_visit(self, node: cst.CSTNode) -> bool:
        if not _skipped(type(node)):
            self.events.append(("enter", id(node)))
        return True

    def on_leave(self, original_node: cst.CSTNode) -> None:
        if not _skipped(type(original_node)):
            self.events.append(("leave", id(original_node)))


def _walked(module: cst.Module) -> List[Tuple[str, int]]:
    events: List[Tuple[str, int]] = []
    walk(module, lambda n: events.append(("enter", id(n))), lambda n: events.append(("leave", id(n))))
    return events


SOURCES = sorted((REPO / "fixtures").glob("*.py")) + sorted((REPO / "timeoutlint").rglob("*.py"))


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(REPO)))
def test_the_walk_visits_what_libcst_visits_in_its_order(path: Path) -> None:
    module = cst.parse_module(path.read_text(encoding="utf-8"))
    recorder = _Recorder()
    module.visit(recorder)
    assert _walked(module) == recorder.events


def test_every_construct_of_the_grammar() -> None:
    source = (
        "from a import *\nimport b.c as d\n@dec(1)\nasync def f(x: int = 1, /, *a, k=2, **kw) -> None:\n"
        "    async with x as (y, z), w:\n        async for i in y:\n            await z[i:2, ...]\n"
        "    global g\n    yield from (lambda q=1: q)(*a, **kw)\n    return [i async for i in y if i] or {1: 2, **kw} or {*a}\n"
        "class C(B, metaclass=M):\n    x: int = 1\n    def m(self):\n        nonlocal_ = f'{self!r:>{10}}' 'b'\n"
        "try:\n    pass\nexcept* (E, F) as e:\n    del e\nelse:\n    raise X from Y\nfinally:\n    assert 1, 2\n"
        "match p:\n    case [1, *r] | {'k': v, **kw} if v:\n        pass\n    case C(a=1) as c:\n        pass\n"
        "while (n := 1):\n    break\nelse:\n    continue_ = 1 if 2 else 3; x += 1; print(not -x ** 2 @ y)\n"
    )
    module = cst.parse_module(source)
    recorder = _Recorder()
    module.visit(recorder)
    assert _walked(module) == recorder.events


def test_every_node_class_walked_has_its_children_named() -> None:
    table = child_fields()
    assert cst.FunctionDef in table and cst.Call in table and cst.Comma not in table
    assert [name for name, _ in table[cst.IndentedBlock]] == ["header", "body", "footer"]
