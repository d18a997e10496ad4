"""TL403 timeout-reused-across-calls: which waits spend one received timeout in sequence, and
when the fix to a ``Budget`` is made."""

from __future__ import annotations

import textwrap
from typing import List

import pytest

from timeoutlint.api import fix_text, lint_source
from timeoutlint.ftypes import Diagnostic
from timeoutlint.settings import Settings

SETTINGS = Settings(select=("TL403",), unsafe_fixes=True)
HEAD = "import queue\nimport subprocess\nimport threading\n"


def _code(text: str) -> str:
    return HEAD + textwrap.dedent(text).lstrip("\n")


def findings(source: str) -> List[Diagnostic]:
    result = lint_source(source, "example.py", SETTINGS)
    assert not result.errors, result.errors
    return [d for d in result.diagnostics if d.code == "TL403"]


def fixed(source: str) -> str:
    outcome = fix_text(source, "example.py", SETTINGS)
    assert not outcome.errors, outcome.errors
    return outcome.source


# -- does nothing ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "source",
    [
        pytest.param(
            """
            def f(cmd, t, x):
                if x:
                    subprocess.run(cmd, timeout=t)
                elif x > 1:
                    subprocess.run(cmd, timeout=t)
                else:
                    subprocess.run(cmd, timeout=t)
            """,
            id="if-elif-else",
        ),
        pytest.param(
            """
            def f(cmd, t, x):
                subprocess.run(cmd, timeout=t) if x else subprocess.run(cmd, timeout=t)
            """,
            id="conditional-expression",
        ),
        pytest.param(
            """
            def f(cmd, t, x):
                match x:
                    case 1:
                        subprocess.run(cmd, timeout=t)
                    case _:
                        subprocess.run(cmd, timeout=t)
            """,
            id="match-cases",
        ),
        pytest.param(
            """
            def f(cmd, t, x):
                if x:
                    subprocess.run(cmd, timeout=t)
                    raise SystemExit
                subprocess.run(cmd, timeout=t)
            """,
            id="raise-ends-the-branch",
        ),
        pytest.param(
            """
            def f(cmds, t):
                for cmd in cmds:
                    if cmd:
                        subprocess.run(cmd, timeout=t)
                        break
            """,
            id="loop-left-after-the-call",
        ),
        pytest.param(
            """
            def f(cmds, t):
                for cmd in cmds:
                    subprocess.run(cmd, timeout=t)
                    t = t / 2
            """,
            id="reassigned-in-the-loop",
        ),
        pytest.param(
            """
            import time
            def f(cmds, t):
                deadline = time.monotonic() + t
                for cmd in cmds:
                    if time.monotonic() > deadline:
                        break
                    subprocess.run(cmd, timeout=t)
            """,
            id="loop-checks-a-deadline",
        ),
        pytest.param(
            """
            def f(q: queue.Queue, t):
                while not q.empty():
                    q.get(timeout=t)
            """,
            id="while-loop",
        ),
        pytest.param(
            """
            def f(cmd, t):
                try:
                    subprocess.run(cmd, timeout=t)
                except subprocess.TimeoutExpired:
                    subprocess.run(cmd + ["--resume"], timeout=t)
            """,
            id="retry-in-handler",
        ),
        pytest.param(
            """
            def f(qs: "list[queue.Queue]", t):
                return [q.get(timeout=t) for t in qs]
            """,
            id="comprehension-rebinds-the-name",
        ),
        pytest.param(
            """
            def f(cmd, t):
                global T
                subprocess.run(cmd, timeout=T)
                subprocess.run(cmd, timeout=T)
            """,
            id="a-global",
        ),
        pytest.param(
            """
            class Pool:
                def stop(self, timeout):
                    for w in self.workers:
                        w.join(timeout)
            """,
            id="unknown-receiver",
        ),
        pytest.param(
            """
            def f(t):
                return lambda cmd: (subprocess.run(cmd, timeout=t), subprocess.run(cmd, timeout=t))
            """,
            id="lambda",
        ),
    ],
)
def test_does_nothing(source: str) -> None:
    assert findings(_code(source)) == []


# -- reports --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "line"),
    [
        pytest.param(
            """
            def f(cmd, t, x):
                if x:
                    subprocess.run(cmd, timeout=t)
                subprocess.run(cmd, timeout=t)
            """,
            7,
            id="branch-then-common",
        ),
        pytest.param(
            """
            def f(cmd, t):
                try:
                    subprocess.run(cmd, timeout=t)
                finally:
                    subprocess.run(cmd, timeout=t)
            """,
            8,
            id="try-finally",
        ),
        pytest.param(
            """
            def f(cmd, t):
                try:
                    subprocess.run(cmd, timeout=t)
                except OSError:
                    pass
                else:
                    subprocess.run(cmd, timeout=t)
            """,
            10,
            id="try-else",
        ),
        pytest.param(
            """
            def f(cmds, t):
                for cmd in cmds:
                    try:
                        subprocess.run(cmd, timeout=t)
                    except OSError:
                        continue
            """,
            7,
            id="for-loop-going-on-after-success",
        ),
        pytest.param(
            """
            def f(threads: "list[threading.Thread]", timeout=None):
                timeout = timeout if timeout is not None else 5
                [t.join(timeout) for t in threads]
            """,
            6,
            id="local-computed-from-the-parameter",
        ),
    ],
)
def test_reports(source: str, line: int) -> None:
    found = findings(_code(source))
    assert [d.line for d in found] == [line]


# -- fixes ----------------------------------------------------------------------------------


def test_fix_keeps_comments_and_picks_a_free_name() -> None:
    source = _code(
        """
        def f(cmd, t, budget):

            # run twice
            subprocess.run(cmd, timeout=t)  # first
            subprocess.run(cmd, timeout=t)
            return budget
        """
    )
    expected = _code(
        """
        def f(cmd, t, budget):

            timeout_budget = Budget(t)
            # run twice
            subprocess.run(cmd, timeout=timeout_budget.remaining)  # first
            subprocess.run(cmd, timeout=timeout_budget.remaining)
            return budget
        """
    ).replace("import threading\n", "import threading\n\nfrom timeoutlint.runtime import Budget\n")
    result = fixed(source)
    assert result == expected
    assert all(d.fix is None for d in findings(result))
    assert fixed(result) == result


def test_fix_replaces_every_call_of_one_statement() -> None:
    source = _code(
        """
        def f(cmd, t: float):
            a, b = subprocess.run(cmd, timeout=t), subprocess.run(cmd, timeout=t)
        """
    )
    assert "a, b = subprocess.run(cmd, timeout=budget.remaining), subprocess.run(cmd, timeout=budget.remaining)" in fixed(source)


@pytest.mark.parametrize(
    "source",
    [
        pytest.param(
            """
            def f(cmd, t, lock):
                subprocess.run(cmd, timeout=t)
                with lock:
                    subprocess.run(cmd, timeout=t)
            """,
            id="another-block",
        ),
        pytest.param(
            """
            def f(cmd, t=object()):
                subprocess.run(cmd, timeout=t)
                subprocess.run(cmd, timeout=t)
            """,
            id="a-sentinel-default",
        ),
        pytest.param(
            """
            def f(cmd, **options):
                t = options["timeout"]
                subprocess.run(cmd, timeout=t)
                subprocess.run(cmd, timeout=t)
            """,
            id="value-of-unknown-kind",
        ),
        pytest.param(
            """
            def f(cmd, t): subprocess.run(cmd, timeout=t); subprocess.run(cmd, timeout=t)
            """,
            id="one-line-body",
        ),
        pytest.param(
            """
            def f(cmd, t, x):
                subprocess.run(cmd, timeout=t)
                x and subprocess.run(cmd, timeout=t)
            """,
            id="conditional-call",
        ),
    ],
)
def test_reported_without_fix(source: str) -> None:
    code = _code(source)
    found = findings(code)
    assert len(found) == 1
    assert found[0].fix is None
    assert fixed(code) == code
