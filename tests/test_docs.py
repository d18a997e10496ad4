"""The rule docs under docs/rules/ are generated (``python -m timeoutlint.docs``) and must
match what the rule classes say now: a stale page fails here."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import click
import pytest

from timeoutlint import docs
from timeoutlint.rule import DOCS_BASE_URL, Rule, all_rules

REPO_ROOT = Path(__file__).resolve().parent.parent
DOCS_DIR = REPO_ROOT / "docs" / "rules"
RULES = all_rules()
PAGES = docs.expected_pages(RULES)
REGENERATE = "stale: regenerate with `python -m timeoutlint.docs`"


def test_generator_writes_into_the_repository() -> None:
    assert docs.DEFAULT_DIR == DOCS_DIR


@pytest.mark.parametrize("name", sorted(PAGES))
def test_checked_in_page_is_current(name: str) -> None:
    path = DOCS_DIR / name
    assert path.exists(), f"docs/rules/{name} is missing; generate it with `python -m timeoutlint.docs`"
    assert path.read_text(encoding="utf-8") == PAGES[name], f"docs/rules/{name} is {REGENERATE}"


def test_no_pages_of_unknown_codes() -> None:
    generated = {path.name for path in DOCS_DIR.glob("*.md") if docs.PAGE_RE.match(path.name)}
    assert generated <= set(PAGES), f"pages of rules that no longer exist: {sorted(generated - set(PAGES))}"


def test_check_mode_passes_on_the_repository() -> None:
    assert docs.check_docs(DOCS_DIR) == []


@pytest.mark.parametrize("rule", RULES, ids=[rule.code for rule in RULES])
def test_rule_url_points_at_its_page(rule: type[Rule]) -> None:
    assert rule.url() == DOCS_BASE_URL + docs.page_name(rule)
    assert (DOCS_DIR / docs.page_name(rule)).exists()
    assert rule.url().endswith(f"docs/rules/{rule.code}-{rule.name}.md")


@pytest.mark.parametrize("rule", RULES, ids=[rule.code for rule in RULES])
def test_page_holds_the_rule_documentation(rule: type[Rule]) -> None:
    page = PAGES[docs.page_name(rule)]
    for title, text in rule.sections.items():
        assert f"## {title}\n\n{text}\n" in page
    assert f"# {rule.name} ({rule.code})" in page
    assert f"fixtures/{rule.code}.py" in page
    assert f"fixtures/{rule.code}.fixed.py" in page if docs.is_fixable(rule) else f"{rule.code}.fixed.py" not in page
    assert f"[{rule.code}]({docs.page_name(rule)})" in PAGES[docs.INDEX]


def test_write_then_check_round_trip(tmp_path: Path) -> None:
    target = tmp_path / "rules"
    assert docs.check_docs(target) == [f"missing: {name}" for name in sorted(PAGES)]
    assert len(docs.write_docs(target)) == len(PAGES)
    assert docs.check_docs(target) == []
    assert docs.write_docs(target) == []  # writing again changes nothing


def test_stale_and_left_over_pages_are_found_and_fixed(tmp_path: Path) -> None:
    docs.write_docs(tmp_path)
    some_page = docs.page_name(RULES[0])
    (tmp_path / some_page).write_text("# hand-edited\n", encoding="utf-8")
    (tmp_path / "TL999-retired-rule.md").write_text("# gone\n", encoding="utf-8")
    (tmp_path / "README.md").write_text("not generated\n", encoding="utf-8")
    assert docs.check_docs(tmp_path) == [f"stale: {some_page}", "left over (no such rule): TL999-retired-rule.md"]
    changes = docs.write_docs(tmp_path)
    assert changes == [f"updated: {some_page}", "removed: TL999-retired-rule.md"]
    assert docs.check_docs(tmp_path) == []
    assert (tmp_path / "README.md").exists()  # not a generated page: left alone


def test_command_line(tmp_path: Path) -> None:
    def run(*args: str) -> "subprocess.CompletedProcess[str]":
        command = [sys.executable, "-m", "timeoutlint.docs", "--output-dir", str(tmp_path), *args]
        return subprocess.run(command, capture_output=True, text=True, timeout=120)

    checked = run("--check")
    assert checked.returncode == 1
    assert "index.md: missing" in checked.stderr
    assert run().returncode == 0
    assert run("--check").returncode == 0
    (tmp_path / docs.INDEX).write_text("stale\n", encoding="utf-8")
    checked = run("--check")
    assert checked.returncode == 1 and "index.md: stale" in checked.stderr


def _long_options(command: "click.Command") -> list[str]:
    return sorted(
        name for param in command.params for name in param.opts if name.startswith("--")  # not --no-fix etc.
    )


@pytest.mark.parametrize("name", ["check", "rule", "clean"])
def test_every_option_is_in_the_usage_docs(name: str) -> None:
    """docs/index.md documents every option of the command line (a new one must be added)."""
    from timeoutlint.cli import main

    text = (REPO_ROOT / "docs" / "index.md").read_text(encoding="utf-8")
    command = main.commands[name]  # type: ignore[attr-defined]
    missing = [option for option in _long_options(command) if not re.search(rf"(?<![\w-]){option}(?![\w-])", text)]
    assert not missing, f"docs/index.md does not mention {missing}"
