"""Tests generated from every rule's own VALID/INVALID examples (as Fixit does).

Each example runs against its rule alone (``select = [code]``), with the example's
settings: a VALID example yields no finding of the rule; an INVALID one yields ``expected``
findings; its ``fixed`` text is what ``--fix --unsafe-fixes`` produces (and fixing that
again changes nothing); with ``fixed=None`` no applicable fix is offered at all.
"""

from __future__ import annotations

from typing import Any, Callable, Iterator, Union

import pytest

from timeoutlint.api import fix_text, lint_source
from timeoutlint.fixes import is_applicable
from timeoutlint.ftypes import FileResult
from timeoutlint.rule import REQUIRED_SECTIONS, Invalid, Rule, Valid, all_rules
from timeoutlint.settings import Settings

RULES = all_rules()
PATH = "example.py"


def _examples() -> Iterator[Any]:
    for rule in RULES:
        for index, example in enumerate(rule.VALID, start=1):
            yield pytest.param(rule, example, id=f"{rule.code}-valid-{index}")
        for index, example in enumerate(rule.INVALID, start=1):
            yield pytest.param(rule, example, id=f"{rule.code}-invalid-{index}")


def _settings(make_settings: Callable[..., Settings], rule: type[Rule], example: Union[Valid, Invalid]) -> Settings:
    table = {"select": [rule.code], **example.settings}
    return make_settings(table, unsafe_fixes=True)


def _describe(result: FileResult) -> str:
    lines = [f"  {d.line}:{d.column} {d.code} {d.message} (fix: {d.fix and d.fix.applicability.value})" for d in result.diagnostics]
    lines += [f"  error: {e.describe()}" for e in result.errors]
    return "\n".join(lines) or "  (nothing)"


def _findings(result: FileResult, code: str) -> list[Any]:
    return [d for d in result.diagnostics if d.code == code]


@pytest.mark.parametrize(("rule", "example"), list(_examples()))
def test_example(rule: type[Rule], example: Union[Valid, Invalid], make_settings: Callable[..., Settings]) -> None:
    settings = _settings(make_settings, rule, example)
    why = f" ({example.why})" if example.why else ""
    result = lint_source(example.code, PATH, settings)
    assert not result.errors, f"the example does not lint cleanly{why}:\n{_describe(result)}\n---\n{example.code}"

    if isinstance(example, Valid):
        assert not _findings(result, rule.code), f"{rule.code} flags a VALID example{why}:\n{_describe(result)}\n---\n{example.code}"
        return

    found = _findings(result, rule.code)
    assert len(found) == example.expected, (
        f"{rule.code}: expected {example.expected} finding(s), got {len(found)}{why}:\n{_describe(result)}\n---\n{example.code}"
    )
    outcome = fix_text(example.code, PATH, settings)
    assert not outcome.errors, f"fixing failed{why}: {[e.describe() for e in outcome.errors]}"

    if example.fixed is None:
        offered = [d for d in found if is_applicable(d, settings)]
        assert not offered, f"{rule.code}: the example has fixed=None, yet a fix is offered{why}:\n{_describe(result)}"
        assert outcome.source == example.code, f"{rule.code}: fixing changed an example that has fixed=None{why}"
        return

    assert outcome.source == example.fixed, f"{rule.code}: unexpected fix result{why}"
    left = lint_source(outcome.source, PATH, settings)
    assert not left.errors, f"the fixed text does not lint cleanly:\n{_describe(left)}"
    still_fixable = [d for d in left.diagnostics if is_applicable(d, settings)]
    assert not still_fixable, f"{rule.code}: applicable fixes left after fixing:\n{_describe(left)}"
    again = fix_text(outcome.source, PATH, settings)
    assert again.source == outcome.source, f"{rule.code}: fixing the fixed text changes it again"


@pytest.mark.parametrize("rule", RULES, ids=[rule.code for rule in RULES])
def test_rule_declaration(rule: type[Rule]) -> None:
    assert rule.message.strip(), f"{rule.code} has an empty message"
    for title in REQUIRED_SECTIONS:
        assert rule.sections.get(title, "").strip(), f"{rule.code} lacks the '## {title}' docs section"
        assert f"## {title}" in rule.documentation()
    assert rule.summary().strip(" .")
    assert rule.metadata()["code"] == rule.code
    assert rule.VALID and rule.INVALID
    assert all(isinstance(example, Valid) for example in rule.VALID)
    assert all(isinstance(example, Invalid) for example in rule.INVALID)


def test_example_ids_are_unique() -> None:
    ids = [param.id for param in _examples()]
    assert len(ids) == len(set(ids))
