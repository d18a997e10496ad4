"""A fix's new import goes where an import sorter puts it (issue: fix hygiene): the fixed
file passes Ruff's I001 whenever the original did, and an existing ``from m import ...``
is reused. Ruff itself (a test dependency) judges."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import timeoutlint.rule as rule_module
from test_fix_pipeline import SETTINGS, calls_to, make_rule
from timeoutlint.api import fix_text
from timeoutlint.import_placement import STDLIB, THIRD_PARTY, section_of
from timeoutlint.rule import Rule

RUFF = Path(sys.executable).with_name("ruff")


def sorted_by_ruff(source: str, tmp_path: Path, package: str = "") -> bool:
    folder = tmp_path / "src" / package if package else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "mod.py"
    path.write_text(source, encoding="utf-8")
    extra = ["--config", f"lint.isort.known-first-party=['{package}']"] if package else []
    result = subprocess.run(
        [str(RUFF), "check", "--isolated", "--select", "I001", "--quiet", *extra, str(path)],
        cwd=tmp_path,  # not the repository: its own package would count as first party
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode in (0, 1), result.stderr
    return result.returncode == 0


@pytest.fixture
def helper(monkeypatch: pytest.MonkeyPatch) -> type[Rule]:
    rule_module.all_rules()
    monkeypatch.setattr(rule_module, "_REGISTRY", dict(rule_module._REGISTRY))
    return make_rule("TL991", "test-helper-call", "f(", calls_to("f", "timeoutlint.runtime", "Budget"))


CASES = [
    pytest.param(
        "import os\n\nos.sep\nf(1)\n",
        "import os\n\nfrom timeoutlint.runtime import Budget\n\nos.sep\nBudget(1)\n",
        id="a-new-section-after-the-stdlib",
    ),
    pytest.param(
        "import os\n\nimport requests\n\nf(os, requests)\n",
        "import os\n\nimport requests\nfrom timeoutlint.runtime import Budget\n\nBudget(os, requests)\n",
        id="from-after-plain-imports-of-its-section",
    ),
    pytest.param(
        "import os\n\nfrom attrs import define\nfrom zope import component\n\nf(os, define, component)\n",
        "import os\n\nfrom attrs import define\nfrom timeoutlint.runtime import Budget\nfrom zope import component\n\n"
        "Budget(os, define, component)\n",
        id="alphabetical-within-the-section",
    ),
    pytest.param(
        "import os\n\nfrom . import sibling\n\nf(os, sibling)\n",
        "import os\n\nfrom timeoutlint.runtime import Budget\n\nfrom . import sibling\n\nBudget(os, sibling)\n",
        id="a-new-section-before-the-local-one",
    ),
    pytest.param(
        '"""Doc."""\n\nfrom __future__ import annotations\n\nimport time\n\n\ndef g():\n    return f(time)\n',
        '"""Doc."""\n\nfrom __future__ import annotations\n\nimport time\n\nfrom timeoutlint.runtime import Budget\n\n\n'
        "def g():\n    return Budget(time)\n",
        id="after-future-and-stdlib",
    ),
    pytest.param(
        "from timeoutlint.runtime import run_with_timeout\n\nf(run_with_timeout)\n",
        "from timeoutlint.runtime import Budget, run_with_timeout\n\nBudget(run_with_timeout)\n",
        id="joins-an-existing-from-import",
    ),
    pytest.param(
        "from timeoutlint.runtime import (\n    SharedExecutor,\n    run_with_timeout,\n)\n\nf(SharedExecutor, run_with_timeout)\n",
        "from timeoutlint.runtime import (\n    Budget,\n    SharedExecutor,\n    run_with_timeout,\n)\n\n"
        "Budget(SharedExecutor, run_with_timeout)\n",
        id="joins-a-parenthesized-from-import",
    ),
    pytest.param(
        "from timeoutlint.runtime import (\n    run_with_timeout,\n)\n\nf(run_with_timeout)\n",
        "from timeoutlint.runtime import (\n    Budget,\n    run_with_timeout,\n)\n\nBudget(run_with_timeout)\n",
        id="joins-a-one-name-parenthesized-import",
    ),
    pytest.param(
        "from timeoutlint.runtime import DEFAULT\n\nf(DEFAULT)\n",
        "from timeoutlint.runtime import DEFAULT, Budget\n\nBudget(DEFAULT)\n",
        id="joins-after-a-constant",
    ),
    pytest.param(
        "from timeoutlint.runtime import (\n    DEFAULT,\n)\n\nf(DEFAULT)\n",
        "from timeoutlint.runtime import (\n    DEFAULT,\n    Budget,\n)\n\nBudget(DEFAULT)\n",
        id="joins-at-the-end-of-a-parenthesized-import",
    ),
    pytest.param("f(1)\n", "from timeoutlint.runtime import Budget\n\nBudget(1)\n", id="the-first-import"),
    pytest.param(
        "def g():\n    return f(1)\n",
        "from timeoutlint.runtime import Budget\n\n\ndef g():\n    return Budget(1)\n",
        id="the-first-import-before-a-def",
    ),
]


@pytest.mark.parametrize("source, expected", CASES)
def test_the_import_goes_where_a_sorter_puts_it(helper: type[Rule], tmp_path: Path, source: str, expected: str) -> None:
    assert sorted_by_ruff(source, tmp_path), "the original must be sorted for the test to mean anything"
    outcome = fix_text(source, "mod.py", SETTINGS, rules=[helper])
    assert outcome.errors == []
    assert outcome.source == expected
    assert sorted_by_ruff(outcome.source, tmp_path)


def test_a_first_party_import_goes_in_the_projects_own_section(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    rule_module.all_rules()
    monkeypatch.setattr(rule_module, "_REGISTRY", dict(rule_module._REGISTRY))
    rule = make_rule("TL991", "test-helper-call", "f(", calls_to("f", "mypkg.timeouts", "Budget"))
    source = "import os\n\nimport requests\n\nfrom mypkg import models\n\nf(os, requests, models)\n"
    assert sorted_by_ruff(source, tmp_path, "mypkg")
    outcome = fix_text(source, "mypkg/mod.py", SETTINGS, rules=[rule], module_name="mypkg.mod")
    assert outcome.source == (
        "import os\n\nimport requests\n\nfrom mypkg import models\nfrom mypkg.timeouts import Budget\n\nBudget(os, requests, models)\n"
    )
    assert sorted_by_ruff(outcome.source, tmp_path, "mypkg")


def test_sections() -> None:
    assert section_of("concurrent.futures", None) == STDLIB
    assert section_of("timeoutlint.runtime", None) == THIRD_PARTY
    assert section_of("asyncio", "asyncio_helpers") == STDLIB
