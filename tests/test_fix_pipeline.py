"""The fix pipeline (SPEC §7): imports a fix needs are added once, reusing an existing
binding, after the docstring / ``from __future__`` / the leading imports; fixes that
overlap are applied over several iterations; the loop is bounded.

The rules here are made up for the test and registered in a throwaway copy of the
registry; their fixes are built the way real rules build them (``PendingFix`` with node
replacements and ``ImportNeed`` from ``FileContext.reference``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import libcst as cst
import pytest

from cli_support import make_runner
import timeoutlint.rule as rule_module
from timeoutlint.api import fix_text, lint_source
from timeoutlint.cli import main
from timeoutlint.context import PendingFix
from timeoutlint.fixes import MAX_ITERATIONS, apply_fixes, fix_source
from timeoutlint.ftypes import Applicability, Diagnostic, Edit, Fix
from timeoutlint.rule import FixAvailability, Invalid, Rule
from timeoutlint.settings import Settings

DOC = """
## What it does
A rule made up by a test.

## Why is this bad?
It is not; the test needs a fix.

## Example
```python
f(1)
```

## Use instead
```python
fixed_f(1)
```

## Fix safety
Safe, for the test.
"""

SETTINGS = Settings()


def make_rule(code: str, name: str, trigger: str, visit_call: Callable[[Any, cst.Call], None]) -> type[Rule]:
    namespace = {
        "__doc__": DOC,
        "__module__": __name__,
        "code": code,
        "name": name,
        "message": f"{name} found",
        "fix_title": "Rewrite it",
        "fix_availability": FixAvailability.SOMETIMES,
        "applicability": Applicability.SAFE,
        "triggers": (trigger,),
        "VALID": ["pass\n"],
        "INVALID": [Invalid("x\n", fixed="y\n"), Invalid("z\n")],
        "visit_Call": visit_call,
    }
    return type(name.title().replace("-", ""), (Rule,), namespace)


def calls_to(callee: str, module: str, name: str) -> Callable[[Any, cst.Call], None]:
    """A visitor that flags ``callee(...)`` and fixes it to call ``module.name`` instead,
    through ``ctx.reference`` (an existing binding, or the import to add)."""

    def visit_Call(self: Any, node: cst.Call) -> None:
        if isinstance(node.func, cst.Name) and node.func.value == callee:
            fix = None
            found = self.ctx.reference(module, name)
            if found is not None:
                expression, need = found
                fix = PendingFix("Call the helper", Applicability.SAFE, [(node.func, expression)], [need] if need else [])
            self.report(node, fix=fix)

    return visit_Call


def wrap_call(self: Any, node: cst.Call) -> None:
    """``wrap_me(x)`` -> ``g(x, extra=1)``: the replacement spans the whole call, so the
    fixes of nested calls overlap."""
    if isinstance(node.func, cst.Name) and node.func.value == "wrap_me":
        extra = cst.Arg(
            cst.Integer("1"),
            keyword=cst.Name("extra"),
            equal=cst.AssignEqual(cst.SimpleWhitespace(""), cst.SimpleWhitespace("")),
        )
        args = [*node.args[:-1], node.args[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)] if node.args else []
        self.report(node, fix=PendingFix("Wrap", Applicability.SAFE, [(node, node.with_changes(func=cst.Name("g"), args=[*args, extra]))]))


def bump_call(self: Any, node: cst.Call) -> None:
    """``bump(n)`` -> ``bump(n + 1)``: a fix that never converges."""
    if isinstance(node.func, cst.Name) and node.func.value == "bump" and isinstance(node.args[0].value, cst.Integer):
        value = node.args[0].value
        self.report(node, fix=PendingFix("Bump", Applicability.SAFE, [(value, cst.Integer(str(int(value.value) + 1)))]))


@pytest.fixture
def rules(monkeypatch: pytest.MonkeyPatch) -> dict[str, type[Rule]]:
    rule_module.all_rules()  # the real rules register in the real registry, not in the copy
    monkeypatch.setattr(rule_module, "_REGISTRY", dict(rule_module._REGISTRY))
    return {
        "helper": make_rule("TL991", "test-helper-call", "f(", calls_to("f", "helpers", "fixed_f")),
        "other": make_rule("TL992", "test-other-helper-call", "h(", calls_to("h", "others", "fixed_h")),
        "wrap": make_rule("TL993", "test-wrap", "wrap_me", wrap_call),
        "bump": make_rule("TL994", "test-bump", "bump", bump_call),
    }


def fixed(source: str, *rule_classes: type[Rule]) -> str:
    outcome = fix_text(source, "mod.py", SETTINGS, rules=list(rule_classes))
    assert outcome.errors == []
    return outcome.source


# -- imports ----------------------------------------------------------------------------------


def test_two_fixes_needing_the_same_import_add_it_once(rules: dict) -> None:
    outcome = fix_text("f(1)\nf(2)\n\n\ndef g():\n    return f(3)\n", "mod.py", SETTINGS, rules=[rules["helper"]])
    assert outcome.source == "from helpers import fixed_f\n\nfixed_f(1)\nfixed_f(2)\n\n\ndef g():\n    return fixed_f(3)\n"
    assert outcome.applied == {"TL991": 3}
    assert outcome.result.diagnostics == []


def test_the_two_fixes_carry_the_same_import_edit(rules: dict) -> None:
    result = lint_source("f(1)\nf(2)\n", "mod.py", SETTINGS, rules=[rules["helper"]])
    first, second = (d.fix for d in result.diagnostics)
    assert first is not None and second is not None
    import_edit = Edit(1, 1, 1, 1, "from helpers import fixed_f\n\n")  # a blank line before the code
    assert import_edit in first.edits and import_edit in second.edits


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("import helpers as h\nf(1)\n", "import helpers as h\nh.fixed_f(1)\n"),
        ("import helpers\nf(1)\n", "import helpers\nhelpers.fixed_f(1)\n"),
        ("from helpers import fixed_f as ff\nf(1)\n", "from helpers import fixed_f as ff\nff(1)\n"),
        ("from helpers import fixed_f\nf(1)\n", "from helpers import fixed_f\nfixed_f(1)\n"),
        (
            "def g():\n    import helpers as local\n    f(1)\n",
            "def g():\n    import helpers as local\n    local.fixed_f(1)\n",
        ),
    ],
    ids=["import-as", "import", "from-import-as", "from-import", "local-binding"],
)
def test_an_existing_binding_is_reused(rules: dict, source: str, expected: str) -> None:
    assert fixed(source, rules["helper"]) == expected


def test_a_binding_out_of_scope_is_not_reused(rules: dict) -> None:
    source = "def g():\n    import helpers as local\n\n\nf(1)\n"
    assert fixed(source, rules["helper"]) == "from helpers import fixed_f\n\n\ndef g():\n    import helpers as local\n\n\nfixed_f(1)\n"


def test_a_name_in_use_is_not_shadowed_by_the_import(rules: dict) -> None:
    assert fixed("fixed_f = 1\nf(1)\n", rules["helper"]) == "import helpers\n\nfixed_f = 1\nhelpers.fixed_f(1)\n"
    # both names taken: no fix at all rather than a clash
    result = lint_source("fixed_f = helpers = 1\nf(1)\n", "mod.py", SETTINGS, rules=[rules["helper"]])
    (diagnostic,) = result.diagnostics
    assert diagnostic.fix is None


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("f(1)\n", "from helpers import fixed_f\n\nfixed_f(1)\n"),
        ('"""Docstring."""\nf(1)\n', '"""Docstring."""\nfrom helpers import fixed_f\n\nfixed_f(1)\n'),
        (
            '"""Docstring."""\nfrom __future__ import annotations\n\nf(1)\n',
            '"""Docstring."""\nfrom __future__ import annotations\n\nfrom helpers import fixed_f\n\nfixed_f(1)\n',
        ),
        (
            "from __future__ import annotations\nimport os\nimport sys\n\nx = os.sep\nf(1)\n",
            "from __future__ import annotations\nimport os\nimport sys\n\nfrom helpers import fixed_f\n\nx = os.sep\nfixed_f(1)\n",
        ),
        (
            "#!/usr/bin/env python\n# A header comment.\n\nimport os\nf(1)\n",
            "#!/usr/bin/env python\n# A header comment.\n\nimport os\n\nfrom helpers import fixed_f\nfixed_f(1)\n",
        ),
        (
            "from x import (\n    a,\n    b,\n)\nf(1)\n",
            "from helpers import fixed_f\nfrom x import (\n    a,\n    b,\n)\nfixed_f(1)\n",
        ),
        ("import os; import sys\nf(1)\n", "import os; import sys\n\nfrom helpers import fixed_f\nfixed_f(1)\n"),
        ("import os\r\n\r\nf(1)\r\n", "import os\r\n\r\nfrom helpers import fixed_f\r\n\r\nfixed_f(1)\r\n"),
        ("import os\nf(1)", "import os\n\nfrom helpers import fixed_f\nfixed_f(1)"),
    ],
    ids=[
        "no-imports",
        "after-docstring",
        "after-future",
        "a-new-section-after-the-stdlib",
        "after-header-comments",
        "before-a-later-third-party-import",
        "after-one-line-imports",
        "crlf",
        "no-final-newline",
    ],
)
def test_where_the_import_goes(rules: dict, source: str, expected: str) -> None:
    assert fixed(source, rules["helper"]) == expected


def test_the_import_does_not_go_into_a_later_import_block(rules: dict) -> None:
    source = "import os\n\nx = 1\n\nimport sys\nf(1)\n"
    assert fixed(source, rules["helper"]) == "import os\n\nfrom helpers import fixed_f\n\nx = 1\n\nimport sys\nfixed_f(1)\n"


def test_two_different_imports_at_the_same_place(rules: dict) -> None:
    """Both fixes insert at the same point: the order would be unclear, so the second
    waits for the next iteration, where the first import already exists."""
    outcome = fix_text("f(1)\nh(2)\nf(3)\n", "mod.py", SETTINGS, rules=[rules["helper"], rules["other"]])
    assert outcome.source == "from helpers import fixed_f\nfrom others import fixed_h\n\nfixed_f(1)\nfixed_h(2)\nfixed_f(3)\n"
    assert outcome.applied == {"TL991": 2, "TL992": 1}
    assert outcome.source.count("import") == 2


# -- iterations --------------------------------------------------------------------------------


def counting(rule: type[Rule]) -> tuple[Callable[[str], Any], list[str]]:
    texts: list[str] = []

    def lint(text: str) -> Any:
        texts.append(text)
        return lint_source(text, "mod.py", SETTINGS, rules=[rule])

    return lint, texts


def test_overlapping_fixes_are_applied_over_several_iterations(rules: dict) -> None:
    lint, texts = counting(rules["wrap"])
    outcome = fix_source("x = wrap_me(wrap_me(wrap_me(1)))  # kept\n", "mod.py", SETTINGS, lint)
    assert outcome.source == "x = g(g(g(1, extra=1), extra=1), extra=1)  # kept\n"
    assert outcome.applied == {"TL993": 3}
    assert outcome.result.diagnostics == []
    assert texts == [
        "x = wrap_me(wrap_me(wrap_me(1)))  # kept\n",
        "x = g(wrap_me(wrap_me(1)), extra=1)  # kept\n",  # the outer fix first, the inner ones wait
        "x = g(g(wrap_me(1), extra=1), extra=1)  # kept\n",
        "x = g(g(g(1, extra=1), extra=1), extra=1)  # kept\n",
    ]


def test_independent_fixes_are_applied_in_one_iteration(rules: dict) -> None:
    lint, texts = counting(rules["wrap"])
    outcome = fix_source("wrap_me(1)\nwrap_me(2)\nwrap_me(3)\n", "mod.py", SETTINGS, lint)
    assert outcome.source == "g(1, extra=1)\ng(2, extra=1)\ng(3, extra=1)\n"
    assert len(texts) == 2  # the first lint, and the check that nothing is left


def test_the_loop_is_bounded(rules: dict) -> None:
    lint, texts = counting(rules["bump"])
    outcome = fix_source("bump(0)\n", "mod.py", SETTINGS, lint)
    assert outcome.source == f"bump({MAX_ITERATIONS})\n"
    assert outcome.applied == {"TL994": MAX_ITERATIONS}
    assert len(texts) == MAX_ITERATIONS + 1
    assert [d.code for d in outcome.result.diagnostics] == ["TL994"]  # still there: reported


def test_the_bounded_loop_through_the_cli(rules: dict, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "mod.py").write_text("bump(0)\n", encoding="utf-8")
    result = make_runner().invoke(main, ["check", "--no-cache", "--select", "TL994", "--fix"])
    assert result.exit_code == 1
    assert (tmp_path / "mod.py").read_text(encoding="utf-8") == f"bump({MAX_ITERATIONS})\n"
    assert "mod.py:1:1: TL994 [*] test-bump found" in result.stdout


def test_fix_and_import_through_the_cli(rules: dict, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "mod.py"
    path.write_text('"""Module."""\nimport os\n\nf(os.sep)\nf(2)\n', encoding="utf-8")
    diff = make_runner().invoke(main, ["check", "--no-cache", "--select", "TL991", "--diff"])
    assert diff.exit_code == 1
    assert diff.stdout.count("+from helpers import fixed_f") == 1
    result = make_runner().invoke(main, ["check", "--no-cache", "--select", "TL991", "--fix"])
    assert result.exit_code == 0
    assert path.read_text(encoding="utf-8") == '"""Module."""\nimport os\n\nfrom helpers import fixed_f\n\nfixed_f(os.sep)\nfixed_f(2)\n'


# -- apply_fixes itself ------------------------------------------------------------------------


def diagnostic(line: int, column: int, *edits: Edit) -> Diagnostic:
    return Diagnostic(
        "TL991", "test", "m", "mod.py", line, column, line, column + 1, fix=Fix(Applicability.SAFE, "t", tuple(edits))
    )


def test_apply_fixes_skips_overlaps_and_dedupes_identical_edits() -> None:
    source = "import x\naaa bbb ccc\n"
    head = Edit(1, 1, 1, 1, "# head\n")  # the same import-like insertion in two fixes
    first = diagnostic(2, 1, Edit(2, 1, 2, 4, "AAA"), head)
    overlapping = diagnostic(2, 3, Edit(2, 3, 2, 6, "XXX"))
    third = diagnostic(2, 9, Edit(2, 9, 2, 12, "CCC"), head)
    text, applied = apply_fixes(source, [third, overlapping, first])
    assert text == "# head\nimport x\nAAA bbb CCC\n"
    assert applied == [first, third]


def test_an_insertion_touching_a_replacement_waits() -> None:
    replace = diagnostic(1, 1, Edit(1, 1, 1, 4, "AAA"))
    insert_at_end = diagnostic(1, 4, Edit(1, 4, 1, 4, "!"))
    text, applied = apply_fixes("aaa\n", [replace, insert_at_end])
    assert (text, applied) == ("AAA\n", [replace])
