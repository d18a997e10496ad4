"""TL401 manual-budget-arithmetic: which hand-kept budgets are found, and when the Budget
rewrite is made (the pipeline fixture's twin is run for real in test_budget_rewrite_runs)."""

from __future__ import annotations

import textwrap
from typing import Any, List

import pytest

from timeoutlint.api import fix_text, lint_source
from timeoutlint.ftypes import Diagnostic
from timeoutlint.settings import Settings

SETTINGS = Settings(select=("TL401",), unsafe_fixes=True)

TWO_PHASES = """
    import time

    def run(a, b, timeout):
        remaining = timeout
        start = time.monotonic()
        a(timeout=remaining)
        remaining -= time.monotonic() - start
        if remaining <= 0:
            raise TimeoutError("a")
        start = time.monotonic()
        b(timeout=remaining)
        remaining -= time.monotonic() - start
        if remaining <= 0:
            raise TimeoutError("b")
"""


def _code(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def findings(source: str, settings: Settings = SETTINGS) -> List[Diagnostic]:
    result = lint_source(_code(source), "example.py", settings)
    assert not result.errors, result.errors
    return [d for d in result.diagnostics if d.code == "TL401"]


def fixed(source: str, settings: Settings = SETTINGS) -> str:
    outcome = fix_text(_code(source), "example.py", settings)
    assert not outcome.errors, outcome.errors
    again = fix_text(outcome.source, "example.py", settings)
    assert again.source == outcome.source, "fixing twice must equal fixing once"
    return outcome.source


def assert_no_fix(source: str) -> None:
    found = findings(source)
    assert len(found) == 1 and found[0].fix is None
    assert fixed(source) == _code(source)


def test_message_and_place() -> None:
    (finding,) = findings(TWO_PHASES)
    assert (finding.line, finding.column) == (7, 5)
    assert finding.message == "Remaining time of `remaining` is kept by hand in 2 places of `run()`: use a `Budget`"
    assert finding.fix is not None and finding.fix.applicability.value == "unsafe"


def test_safe_fixes_only_leave_it() -> None:
    settings = Settings(select=("TL401",))
    assert fix_text(_code(TWO_PHASES), "example.py", settings).source == _code(TWO_PHASES)


def test_budget_import_setting_is_used() -> None:
    result = fixed(TWO_PHASES, Settings(select=("TL401",), unsafe_fixes=True, budget_import="ops.deadlines"))
    assert "from ops.deadlines import Budget\n" in result
    assert "budget = Budget(timeout)" in result


def test_existing_import_is_reused() -> None:
    source = "from timeoutlint.runtime import Budget\n" + _code(TWO_PHASES)
    result = fixed(source)
    assert result.count("import Budget") == 1


def test_a_name_in_use_is_not_taken() -> None:
    source = _code(TWO_PHASES).replace("def run(a, b, timeout):", "def run(a, b, timeout, budget=None):")
    result = fixed(source)
    assert "timeout_budget = Budget(timeout)" in result
    assert 'with timeout_budget.phase("a", message="a"):' in result
    assert "a(timeout=timeout_budget.remaining)" in result


def test_phase_named_after_the_first_call() -> None:
    result = fixed(TWO_PHASES)
    assert 'with budget.phase("a", message="a"):' in result
    assert 'with budget.phase("b", message="b"):' in result


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(('raise TimeoutError("b")', 'raise RuntimeError("b")'), id="another-exception"),
        pytest.param(('raise TimeoutError("b")', "raise TimeoutError(f'b after {result}')"), id="message-reads-phase-result"),
        pytest.param(('raise TimeoutError("b")', "raise TimeoutError(f'{remaining} left')"), id="message-shows-remaining"),
        pytest.param(("b(timeout=remaining)", "b(timeout=min(remaining, 5))"), id="remaining-in-arithmetic"),
        pytest.param(("b(timeout=remaining)", "log(remaining)\n    b(timeout=remaining)"), id="remaining-logged"),
        pytest.param(("a(timeout=remaining)", "a(timeout=remaining, started=start)"), id="start-read"),
    ],
)
def test_no_fix_when_something_would_be_lost(change: Any) -> None:
    old, new = change
    source = _code(TWO_PHASES).replace(old, new).replace("    b(timeout=", "    result = b(timeout=", 1)
    assert_no_fix(source)


def test_spent_in_a_loop_is_a_polling_loop() -> None:
    assert findings(
        """
        import time

        def drain(q, timeout):
            remaining = timeout
            while remaining > 0:
                start = time.monotonic()
                q.get(timeout=remaining)
                remaining -= time.monotonic() - start
        """
    ) == []


def test_two_waits_each_with_its_own_deadline() -> None:
    assert findings(
        """
        import time

        def settle(a, b):
            deadline = time.monotonic() + 0.5
            while time.monotonic() < deadline:
                a()
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline:
                b()
        """
    ) == []


def test_deadline_checked_below_zero_has_no_fix() -> None:
    assert_no_fix(
        """
        import time

        def fetch(sock, timeout):
            deadline = time.monotonic() + timeout
            left = deadline - time.monotonic()
            if left < 0:
                raise TimeoutError
            sock.settimeout(left)
            sock.recv(1)
            sock.settimeout(deadline - time.monotonic())
            return sock.recv(1)
        """
    )


def test_deadline_read_by_a_nested_function_has_no_fix() -> None:
    assert_no_fix(
        """
        import time

        def fetch(q, timeout):
            deadline = time.monotonic() + timeout
            def expired():
                return time.monotonic() > deadline
            first = q.get(timeout=deadline - time.monotonic())
            return first, q.get(timeout=deadline - time.monotonic()), expired
        """
    )


def test_deadline_shape_keeps_not_expired() -> None:
    result = fixed(
        """
        import time

        def pump(step, q, timeout):
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline and step():
                pass
            return q.get(timeout=deadline - time.monotonic())
        """
    )
    assert "while not budget.expired and step():" in result
    assert "q.get(timeout=budget.remaining)" in result


def test_comments_of_removed_lines_are_kept() -> None:
    source = _code(TWO_PHASES).replace(
        "    remaining -= time.monotonic() - start\n    if remaining <= 0:\n        raise TimeoutError(\"a\")",
        "    # spend what a() took\n    remaining -= time.monotonic() - start  # seconds\n"
        "    if remaining <= 0:\n        raise TimeoutError(\"a\")",
    )
    result = fixed(source)
    assert "# spend what a() took" in result and "# seconds" in result


def test_deadline_that_may_be_none_is_an_unlimited_budget() -> None:
    result = fixed(
        """
        import time

        def finish(readers, process, timeout):
            deadline = None if timeout is None else time.monotonic() + timeout
            for reader in readers:
                reader.join(None if deadline is None else max(deadline - time.monotonic(), 0))
            process.wait(timeout=deadline - time.monotonic() if deadline is not None else None)
            return deadline is not None and time.monotonic() >= deadline
        """
    )
    assert "budget = Budget(timeout)\n" in result
    assert "reader.join(budget.remaining)" in result
    assert "process.wait(timeout=budget.remaining)" in result
    assert "return budget.deadline is not None and budget.expired" in result
    assert "deadline -" not in result
