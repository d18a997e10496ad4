"""Everything that lists the rules lists the same ones (flake8-async's meta-test): the
registry, the docs pages, the fixtures and the changelog. A rule is added by writing its
class in a ``timeoutlint/rules/`` module; this test says what else it needs."""

from __future__ import annotations

import pkgutil
import re
from collections import Counter
from pathlib import Path

import pytest

import timeoutlint.rules
from timeoutlint import docs
from timeoutlint.rule import Rule, all_rules
from test_fixtures import (  # the fixture conventions live with the fixture harness
    FIXTURES,
    TWIN_SUFFIX,
    expected_findings,
    fixture_code,
    original_of,
)

REPO_ROOT = Path(__file__).resolve().parent.parent
CHANGELOG = REPO_ROOT / "CHANGELOG.md"
RULES = all_rules()
CODES = [rule.code for rule in RULES]


def _ids(rules: list[type[Rule]]) -> list[str]:
    return [rule.code for rule in rules]


def _fixture_paths() -> list[Path]:
    return sorted(FIXTURES.glob("*.py"))


# -- the registry ---------------------------------------------------------------------------


def test_rules_are_registered() -> None:
    assert RULES, "no rule is registered"


def test_codes_and_names_are_unique() -> None:
    assert [code for code, count in Counter(CODES).items() if count > 1] == []
    names = Counter(rule.name for rule in RULES)
    assert [name for name, count in names.items() if count > 1] == []


def test_every_rule_module_registers_a_rule() -> None:
    """Rules are found by a package walk: each public module of a family package under
    ``timeoutlint/rules`` is imported and defines at least one rule; every rule lives in one
    of them, and the families are packages (the catalogue reads off the tree)."""
    found = list(pkgutil.walk_packages(timeoutlint.rules.__path__, prefix=f"{timeoutlint.rules.__name__}."))
    families = {module.name for module in found if module.ispkg}
    modules = {
        module.name for module in found if not module.ispkg and not module.name.rpartition(".")[2].startswith("_")
    }
    defining = {rule.__module__ for rule in RULES}
    assert sorted(modules - defining) == [], "modules in timeoutlint/rules/ that define no rule"
    assert sorted(defining - modules) == [], "rules defined outside the public modules of timeoutlint/rules/"
    loose = [module.name for module in pkgutil.iter_modules(timeoutlint.rules.__path__) if not module.ispkg]
    assert loose == [], "rule modules outside a family package"
    assert all(rule.__module__.rpartition(".")[0] in families for rule in RULES)


def test_rule_modules_use_no_other_familys_helpers() -> None:
    """A rule imports from ``timeoutlint.analysis`` and its own family, never from the
    private helpers of another family."""
    import timeoutlint

    root = Path(timeoutlint.__file__).parent / "rules"
    offenders = []
    for path in sorted(root.rglob("*.py")):
        family = path.relative_to(root).parts[0]
        for match in re.finditer(r"timeoutlint\.rules\.(\w+)\.(_\w+)", path.read_text()):
            if match.group(1) != family:
                offenders.append(f"{path.relative_to(root)} uses {match.group(0)}")
    assert offenders == []


# -- per rule: docs page, fixtures, changelog ----------------------------------------------


@pytest.mark.parametrize("rule", RULES, ids=_ids(RULES))
def test_rule_has_a_docs_page(rule: type[Rule]) -> None:
    page = REPO_ROOT / "docs" / "rules" / docs.page_name(rule)
    assert page.exists(), f"{rule.code}: no docs page {page.name}; run `python -m timeoutlint.docs`"


@pytest.mark.parametrize("rule", RULES, ids=_ids(RULES))
def test_rule_has_a_positive_fixture(rule: type[Rule]) -> None:
    path = FIXTURES / f"{rule.code}.py"
    assert path.exists(), f"{rule.code}: no fixture fixtures/{path.name} (see fixtures/README.md)"
    codes = {code for _, code in expected_findings(path.read_text(encoding="utf-8"))}
    assert rule.code in codes, f"fixtures/{path.name} has no `# error: {rule.code}` comment"


@pytest.mark.parametrize("rule", RULES, ids=_ids(RULES))
def test_rule_has_a_negative_fixture(rule: type[Rule]) -> None:
    path = FIXTURES / f"{rule.code}_negative.py"
    assert path.exists(), f"{rule.code}: no negative fixture fixtures/{path.name} (see fixtures/README.md)"
    codes = {code for _, code in expected_findings(path.read_text(encoding="utf-8"))}
    assert rule.code not in codes, f"the negative fixture fixtures/{path.name} expects {rule.code} findings"


@pytest.mark.parametrize("rule", RULES, ids=_ids(RULES))
def test_fixed_twin_exists_iff_the_rule_fixes(rule: type[Rule]) -> None:
    twin = FIXTURES / f"{rule.code}{TWIN_SUFFIX}"
    if docs.is_fixable(rule):
        assert twin.exists(), (
            f"{rule.code} can fix code, so fixtures/{twin.name} must show it "
            "(set default-timeout in the fixture header if the fix needs it; then --update-fixtures)"
        )
    else:
        twins = sorted(path.name for path in FIXTURES.glob(f"{rule.code}*{TWIN_SUFFIX}"))
        assert twins == [], f"{rule.code} has no applicable fix, yet has fixed twins: {twins}"


@pytest.mark.parametrize("rule", RULES, ids=_ids(RULES))
def test_rule_is_in_the_changelog(rule: type[Rule]) -> None:
    assert CHANGELOG.exists(), "CHANGELOG.md is missing"
    lines = CHANGELOG.read_text(encoding="utf-8").splitlines()
    mentions = [line for line in lines if re.search(rf"\b{rule.code}\b", line)]
    assert mentions, f"CHANGELOG.md does not mention {rule.code}; add `- {rule.code} `{rule.name}`: ...` under Unreleased"


# -- the fixtures folder --------------------------------------------------------------------


@pytest.mark.parametrize("path", _fixture_paths(), ids=[path.name for path in _fixture_paths()])
def test_fixture_belongs_to_a_registered_rule(path: Path) -> None:
    code = fixture_code(path)
    assert code is not None, f"fixtures/{path.name}: names are <CODE>.py, <CODE>_<what>.py or their .fixed.py twins"
    assert code in CODES, f"fixtures/{path.name} is for {code}, which is not a registered rule"
    if path.name.endswith(TWIN_SUFFIX):
        assert original_of(path).exists(), f"fixtures/{path.name} is a twin without its fixture"
    for _, listed in expected_findings(path.read_text(encoding="utf-8")):
        assert listed in CODES, f"fixtures/{path.name} expects {listed}, which is not a registered rule"


def _is_fixture_project(path: Path) -> bool:
    """A multi-module fixture project and its fixed twin (tests/test_project_pass.py)."""
    return path.is_dir() and path.name.endswith(("_project", "_project.fixed"))


def test_fixtures_folder_holds_only_fixtures() -> None:
    others = sorted(
        path.name
        for path in FIXTURES.iterdir()
        if path.suffix != ".py" and path.name != "README.md" and not _is_fixture_project(path)
    )
    assert [name for name in others if name != "__pycache__"] == []
