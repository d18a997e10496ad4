"""docs/tl304-compared.md must tell the truth about timeoutlint: the real CLI, run on
docs/compare/tl304_cases.py, flags exactly the cases docs/compare/tl304_results.json (and
so the page) records, and those are the cases the file's ground truth says should be
flagged. Needs neither Ruff nor Bandit; when this fails, rerun
``python docs/compare/compare_tl304.py`` (after ``pip install -e '.[compare]'``), or fix the
rule, or the ground truth if it was wrong."""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, FrozenSet, Tuple

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
CASES_REL = "docs/compare/tl304_cases.py"
CASES = REPO_ROOT / CASES_REL
RESULTS = REPO_ROOT / "docs" / "compare" / "tl304_results.json"
PAGE = REPO_ROOT / "docs" / "tl304-compared.md"
REGENERATE = "rerun `python docs/compare/compare_tl304.py`"

# Cases timeoutlint gets wrong on purpose, as its rule docs say: strict, so that a change of
# the rule that gets one right fails here until the page is regenerated and the entry goes.
KNOWN_MISSES: dict[int, str] = {}


def _spans() -> Dict[int, Tuple[int, int]]:
    """Case number -> (first line, last line): from its ``# case N:`` comment to the next's."""
    lines = CASES.read_text(encoding="utf-8").splitlines()
    starts = [(int(m.group(1)), n) for n, line in enumerate(lines, 1) if (m := re.match(r"# case (\d+): ", line))]
    ends = [n - 1 for _, n in starts[1:]] + [len(lines)]
    return {case: (first, last) for (case, first), last in zip(starts, ends)}


def _should_flag() -> Dict[int, bool]:
    for node in ast.parse(CASES.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "SHOULD_FLAG" for t in node.targets):
            return {case: bool(flag) for case, (flag, _) in ast.literal_eval(node.value).items()}
    raise AssertionError(f"{CASES_REL} has no SHOULD_FLAG")


SPANS = _spans()
SHOULD_FLAG = _should_flag()


@lru_cache(maxsize=None)
def flagged_by(code: str) -> FrozenSet[int]:
    """The cases the real CLI flags with ``code`` (the command compare_tl304.py runs)."""
    command = [sys.executable, "-m", "timeoutlint", "check", "--isolated", "--select", code]
    command += ["--output-format", "json", "--no-cache", CASES_REL]
    result = subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode in (0, 1), result.stderr
    report = json.loads(result.stdout)
    assert report["errors"] == []
    cases = set()
    for diagnostic in report["diagnostics"]:
        assert diagnostic["code"] == code
        owners = [case for case, (first, last) in SPANS.items() if first <= diagnostic["line"] <= last]
        assert owners, f"a finding outside every case: {diagnostic}"
        cases.add(owners[0])
    return frozenset(cases)


def recorded() -> Dict[str, Any]:
    return json.loads(RESULTS.read_text(encoding="utf-8"))


def test_cases_and_ground_truth_agree() -> None:
    assert sorted(SPANS) == list(range(1, len(SPANS) + 1)), "cases are numbered 1..N, each once"
    assert set(SHOULD_FLAG) == set(SPANS)
    assert recorded()["should_flag"] == sorted(case for case, flag in SHOULD_FLAG.items() if flag), REGENERATE


@pytest.mark.parametrize("code", ["TL304", "TL305"])
def test_recorded_results_are_what_timeoutlint_reports_now(code: str) -> None:
    assert sorted(flagged_by(code)) == recorded()["flagged"][f"timeoutlint {code}"], REGENERATE


def test_recorded_timeoutlint_column_is_both_rules() -> None:
    results = recorded()["flagged"]
    assert results["timeoutlint"] == sorted(set(results["timeoutlint TL304"]) | set(results["timeoutlint TL305"]))


def test_page_shows_the_recorded_results() -> None:
    """Each row of the page's table: the ground truth and the timeoutlint column."""
    rows = {}
    for line in PAGE.read_text(encoding="utf-8").splitlines():
        match = re.match(r"\| (\d+) \| .* \| (yes|no): .* \| ([^|]*) \| [^|]* \| [^|]* \|$", line)
        if match:
            rows[int(match.group(1))] = (match.group(2) == "yes", match.group(3).startswith("flagged"))
    assert set(rows) == set(SHOULD_FLAG), f"the page's table has other cases: {REGENERATE}"
    flagged = set(recorded()["flagged"]["timeoutlint"])
    for case, (should, shown) in rows.items():
        assert should == SHOULD_FLAG[case], f"case {case}: ground truth on the page is stale: {REGENERATE}"
        assert shown == (case in flagged), f"case {case}: timeoutlint column on the page is stale: {REGENERATE}"


@pytest.mark.parametrize(
    "case",
    [
        pytest.param(case, marks=pytest.mark.xfail(reason=KNOWN_MISSES[case], strict=True)) if case in KNOWN_MISSES else case
        for case in sorted(SHOULD_FLAG)
    ],
)
def test_timeoutlint_is_right_about_the_case(case: int) -> None:
    """Flagged (by TL304, or TL305 for an explicit forever) iff the ground truth says so."""
    flagged = case in flagged_by("TL304") | flagged_by("TL305")
    assert flagged == SHOULD_FLAG[case], f"case {case}: should flag {SHOULD_FLAG[case]}, flagged {flagged}"
