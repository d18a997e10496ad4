"""Fuzzing: programs generated from Python's grammar (hypothesmith) and mutated real files
(the fixtures and examples, cut and shuffled) never crash the linter, never give an
internal error, and their fixes never break code that compiled or change on a second run.

The number of programs per test is TIMEOUTLINT_FUZZ_EXAMPLES (default 300, what CI runs).
The programs are the same on every run (a failure in CI is one anybody can reproduce);
TIMEOUTLINT_FUZZ_RANDOM=1 draws new ones. The longer run:
``TIMEOUTLINT_FUZZ_RANDOM=1 TIMEOUTLINT_FUZZ_EXAMPLES=20000 python -m pytest tests/test_fuzz.py``."""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from typing import List

import hypothesmith
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from timeoutlint.api import fix_text, lint_source
from timeoutlint.settings import Settings

EXAMPLES = int(os.environ.get("TIMEOUTLINT_FUZZ_EXAMPLES", "300"))
REPO = Path(__file__).resolve().parent.parent
SEEDS = sorted(p for folder in ("fixtures", "examples") for p in (REPO / folder).rglob("*.py") if ".fixed." not in p.name)
SETTINGS = Settings(unsafe_fixes=True, default_timeout=30.0)
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    derandomize=os.environ.get("TIMEOUTLINT_FUZZ_RANDOM") != "1",
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
)


def _compiles(source: str) -> bool:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile(source, "<fuzz>", "exec", dont_inherit=True)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


def _round_trip(source: str) -> None:
    result = lint_source(source, "fuzzed.py", SETTINGS)
    internal = [e.message for e in result.errors if e.message.startswith("internal error")]
    assert not internal, (internal, source)
    if not _compiles(source):
        return
    outcome = fix_text(source, "fuzzed.py", SETTINGS, first=result)
    assert not [e.message for e in outcome.errors if e.message.startswith("internal error")], source
    assert _compiles(outcome.source), (source, outcome.source)
    if outcome.source != source:
        assert fix_text(outcome.source, "fuzzed.py", SETTINGS).source == outcome.source, source


@FUZZ
@given(hypothesmith.from_grammar())
def test_programs_from_the_grammar(source: str) -> None:
    _round_trip(source)


@FUZZ
@given(hypothesmith.from_node())
def test_programs_from_libcst_nodes(source: str) -> None:
    _round_trip(source)


def _mutate(lines: List[str], kind: int, first: int, second: int, token: str) -> List[str]:
    if not lines:
        return lines
    first, second = first % len(lines), second % len(lines)
    if kind == 0:  # a line goes
        return lines[:first] + lines[first + 1 :]
    if kind == 1:  # a line twice
        return lines[: first + 1] + [lines[first]] + lines[first + 1 :]
    if kind == 2:  # two lines swap
        swapped = list(lines)
        swapped[first], swapped[second] = swapped[second], swapped[first]
        return swapped
    if kind == 3:  # a token lands mid-line
        line = lines[first]
        cut = second % (len(line) + 1)
        return lines[:first] + [line[:cut] + token + line[cut:]] + lines[first + 1 :]
    if kind == 4:  # a block is lost (the file cut short, or a function's middle)
        return lines[: min(first, second)] + lines[max(first, second) :]
    return [line.replace("    ", "  ", 1) for line in lines]  # a file re-indented by half


TOKENS = st.sampled_from(
    ["(", ")", ":", "await ", "async ", "timeout=None, ", "with ", "yield ", "lambda: ", "\\", '"""', "#", " if x else ", ".result()"]
)


@FUZZ
@given(
    st.sampled_from(SEEDS),
    st.lists(st.tuples(st.integers(0, 5), st.integers(0, 10**6), st.integers(0, 10**6), TOKENS), min_size=1, max_size=3),
)
def test_mutated_real_files(seed: Path, mutations: list) -> None:
    lines = seed.read_text(encoding="utf-8").splitlines(keepends=True)
    for kind, first, second, token in mutations:
        lines = _mutate(lines, kind, first, second, token)
    _round_trip("".join(lines))


def test_there_are_seeds() -> None:
    assert len(SEEDS) > 40
    assert EXAMPLES > 0
