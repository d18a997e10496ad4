"""TL401: remaining time kept by hand, phase after phase, instead of in one Budget."""

from __future__ import annotations

from typing import Any, Dict, List, Optional

import libcst as cst

from timeoutlint.context import PendingReport
from timeoutlint.ftypes import Applicability
from timeoutlint.rule import FixAvailability, Invalid, Rule, Valid, Word
from timeoutlint.rules.budgets._bookkeeping import Bookkeeping
from timeoutlint.rules.budgets._clockflow import NESTED_SCOPES, ClockFlow
from timeoutlint.rules.budgets._phase_rewrite import FIX_TITLE, build_fix

CLOCKS = frozenset({"time.time", "time.monotonic", "time.perf_counter"})

_SPEC_INPUT = """\
import time

def convert_and_build(timeout):
    remaining = timeout
    start = time.time()
    convert(timeout=remaining)
    remaining -= time.time() - start
    if remaining <= 0:
        raise TimeoutError("Timeout exceeded after convert phase!")
    start = time.time()
    build(timeout=remaining)
    remaining -= time.time() - start
    if remaining <= 0:
        raise TimeoutError("Timeout exceeded after build phase!")
"""
_SPEC_OUTPUT = """\
from timeoutlint.runtime import Budget

def convert_and_build(timeout):
    budget = Budget(timeout)
    with budget.phase("convert", message="Timeout exceeded after convert phase!"):
        convert(timeout=budget.remaining)
    with budget.phase("build", message="Timeout exceeded after build phase!"):
        build(timeout=budget.remaining)
"""


class ManualBudgetArithmetic(Rule):
    """
    ## What it does
    Checks for remaining-time bookkeeping written by hand for two or more phases of one
    function: a budget spent phase by phase (`remaining -= time.time() - start`, directly
    or through `elapsed = time.time() - start`; `remaining = remaining - elapsed`), the
    time left recomputed from a deadline or a start (`remaining = deadline -
    time.monotonic()`, `timeout - (time.monotonic() - start)`, `timeout=deadline -
    time.monotonic()` passed inline), or a deadline checked again and again (`if
    time.monotonic() > deadline: raise ...`). `time.time()`, `time.monotonic()` and
    `time.perf_counter()` are the clocks; the budget may be a local, a parameter or an
    attribute (`self._remaining_timeout -= ...`).

    It reports once per budget, on its first place, when the places are in two or more
    statements of one block. It leaves alone:

    - a single phase, or a deadline computed once and passed once;
    - a polling loop that re-reads the time left on every turn
      (`while time.monotonic() < deadline: ... wait(timeout=deadline - time.monotonic())`):
      that is how a deadline is waited for;
    - separate per-phase limits (`if time.monotonic() - start > limit` with a new `start`
      each time): there is no shared budget;
    - code already using the runtime `Budget`;
    - durations that are only measured (logged, returned).

    ## Why is this bad?
    The same three lines (note the start, subtract the elapsed time, raise when nothing is
    left) are copied into every phase, and each copy is a chance to get it wrong: a phase
    that forgets to subtract, a check that uses `<` where `<=` was meant, a `start` reset
    in the wrong place, the wall clock (`time.time()`) where a monotonic one is needed, a
    `None` total that crashes the arithmetic. A `Budget` keeps the deadline in one object:
    `budget.remaining` is what each call may still spend, and `with budget.phase(name):`
    raises `BudgetExceeded` (a `TimeoutError`) naming the phase that used up the time.

    ## Example
    ```python
    import time

    def convert_and_build(timeout):
        remaining = timeout
        start = time.time()
        convert(timeout=remaining)
        remaining -= time.time() - start
        if remaining <= 0:
            raise TimeoutError("Timeout exceeded after convert phase!")
        start = time.time()
        build(timeout=remaining)
        remaining -= time.time() - start
        if remaining <= 0:
            raise TimeoutError("Timeout exceeded after build phase!")
    ```

    ## Use instead
    ```python
    from timeoutlint.runtime import Budget

    def convert_and_build(timeout):
        budget = Budget(timeout)
        with budget.phase("convert", message="Timeout exceeded after convert phase!"):
            convert(timeout=budget.remaining)
        with budget.phase("build", message="Timeout exceeded after build phase!"):
            build(timeout=budget.remaining)
    ```

    ## Fix safety
    The fix is unsafe, and offered in two shapes:

    - **Phases**: `remaining = timeout` becomes `budget = Budget(timeout)`; each phase
      (`start = clock()` … `remaining -= clock() - start` … `if remaining <= 0: raise
      TimeoutError(message)`) becomes `with budget.phase(name, message=message):` around
      the phase's statements, its statements between the start and the subtraction; the
      arguments `timeout=remaining` (and a positional timeout of `result`, `join`, `wait`,
      `get`, ...) become `budget.remaining`. The phase is named after its start variable
      (`convert_start` → `"convert"`), else the message (`"... after build phase!"` →
      `"build"`), else its first call. A total of `None` is an unlimited budget that never
      raises, as guarded code (`if remaining is not None: ...`) never did.
    - **Deadline**: `deadline = time.monotonic() + timeout` becomes `budget =
      Budget(timeout)`, `deadline - time.monotonic()` becomes `budget.remaining`, `if
      time.monotonic() > deadline: raise TimeoutError(message)` becomes
      `budget.check(message=message)` and other comparisons `budget.expired`. A deadline
      that may be `None` (`None if timeout is None else time.monotonic() + timeout`) is an
      unlimited `Budget(None)`: `None if deadline is None else max(deadline -
      time.monotonic(), 0)` becomes `budget.remaining`, `deadline is None` becomes
      `budget.deadline is None`.

    What changes: the budget runs on `time.monotonic()`, and from the moment it is created,
    so the statements between phases now count against it too (a hand-written budget only
    counted the phases). `budget.remaining` is never negative. The exception raised is
    `BudgetExceeded`, a subclass of `TimeoutError` with the original message, raised when
    the phase ends; a `return`/`break` inside a phase would now check the budget, so such
    phases are not rewritten.

    No fix is offered (the finding stays) when the rewrite could lose something: a
    bookkeeping variable (the budget, a start, an elapsed time, the deadline) is read
    anywhere else — returned, logged, shown in the message, passed to a call other than as
    a timeout, used after the phases, read by a nested function — or the budget is an
    attribute (other methods may read it), or the phases are not straight-line statements
    of one block, or a phase raises something other than `TimeoutError`.

    ## References
    - [`timeoutlint.runtime.Budget`](../runtime.md)
    - [time.monotonic](https://docs.python.org/3/library/time.html#time.monotonic)
    """

    code = "TL401"
    name = "manual-budget-arithmetic"
    message = "Remaining time of `{key}` is kept by hand in {count} places of `{function}()`: use a `Budget`"
    fix_title = FIX_TITLE
    fix_availability = FixAvailability.SOMETIMES
    applicability = Applicability.UNSAFE
    triggers = (Word("time"),)  # the clocks of ``time``, also imported

    VALID = [
        Valid(
            "import time\n\ndef one_phase(timeout):\n    remaining = timeout\n    start = time.monotonic()\n"
            "    convert(timeout=remaining)\n    remaining -= time.monotonic() - start\n    if remaining <= 0:\n"
            "        raise TimeoutError('convert')\n",
            why="a single phase",
        ),
        Valid(
            "import time\n\ndef once(q, timeout):\n    deadline = time.monotonic() + timeout\n    prepare()\n"
            "    return q.get(timeout=deadline - time.monotonic())\n",
            why="a deadline computed once and passed once",
        ),
        Valid(
            "import time\n\ndef wait_ready(ready, cond, timeout):\n    deadline = time.monotonic() + timeout\n"
            "    while time.monotonic() < deadline:\n        if ready():\n            return True\n"
            "        cond.wait(timeout=deadline - time.monotonic())\n    return False\n",
            why="a polling loop re-reads the time left on purpose",
        ),
        Valid(
            "import time\n\ndef limits(a, b):\n    start = time.monotonic()\n    a()\n"
            "    if time.monotonic() - start > 5:\n        raise TimeoutError\n    start = time.monotonic()\n    b()\n"
            "    if time.monotonic() - start > 10:\n        raise TimeoutError\n",
            why="a limit per phase: no shared budget",
        ),
        Valid(
            "from timeoutlint.runtime import Budget\n\ndef f(timeout):\n    budget = Budget(timeout)\n"
            "    with budget.phase('a'):\n        a(timeout=budget.remaining)\n    with budget.phase('b'):\n"
            "        b(timeout=budget.remaining)\n",
            why="already a Budget",
        ),
        Valid(
            "import time\n\ndef timed(a, b):\n    start = time.monotonic()\n    a()\n    print(time.monotonic() - start)\n"
            "    start = time.monotonic()\n    b()\n    print(time.monotonic() - start)\n",
            why="durations only measured",
        ),
    ]
    INVALID = [
        Invalid(_SPEC_INPUT, fixed=_SPEC_OUTPUT),
        Invalid(
            "import time\n\ndef fetch_all(sock, timeout):\n    deadline = time.monotonic() + timeout\n"
            "    sock.settimeout(deadline - time.monotonic())\n    head = sock.recv(16)\n"
            "    if time.monotonic() > deadline:\n        raise TimeoutError('header took too long')\n"
            "    sock.settimeout(deadline - time.monotonic())\n    return head + sock.recv(1024)\n",
            fixed=("from timeoutlint.runtime import Budget\n"
                "\n"
                "def fetch_all(sock, timeout):\n"
                "    budget = Budget(timeout)\n"
                "    sock.settimeout(budget.remaining)\n"
                "    head = sock.recv(16)\n"
                "    budget.check(message='header took too long')\n"
                "    sock.settimeout(budget.remaining)\n"
                "    return head + sock.recv(1024)\n"),
        ),
        Invalid(
            "import time\n\ndef run(timeout):\n    remaining = timeout\n    start = time.monotonic()\n    a(timeout=remaining)\n"
            "    remaining -= time.monotonic() - start\n    if remaining <= 0:\n        raise TimeoutError\n"
            "    start = time.monotonic()\n    b(timeout=remaining)\n    remaining -= time.monotonic() - start\n"
            "    return remaining\n",
            why="the remaining time is returned: no fix",
        ),
        Invalid(
            "import time\n\nclass Job:\n    def run(self):\n        start = time.monotonic()\n        self.a(timeout=self._left)\n"
            "        self._left -= time.monotonic() - start\n        start = time.monotonic()\n"
            "        self.b(timeout=self._left)\n        self._left -= time.monotonic() - start\n",
            why="a budget in an attribute: found, but other methods may read it, so no fix",
        ),
    ]

    def __init__(self, ctx: Any) -> None:
        super().__init__(ctx)
        # the body (function, lambda, class or module) -> its clock readings
        self._clocks: Dict[cst.CSTNode, List[cst.Call]] = {}

    def visit_Call(self, node: cst.Call) -> None:
        if node.args or self.ctx.qualified_name(node.func) not in CLOCKS:
            return
        body = next(n for n in reversed(self.ctx.stack[:-1]) if isinstance(n, (cst.Module,) + NESTED_SCOPES))
        self._clocks.setdefault(body, []).append(node)

    def leave_FunctionDef(self, node: cst.FunctionDef) -> None:
        clocks = self._clocks.pop(node, None)
        if not clocks or len(clocks) < 2:
            return
        calls = set(clocks)
        flow = ClockFlow(node, calls, self._is_min_max)
        for budget in Bookkeeping(node, flow).budgets:
            first = budget.sites[0]
            statement = self._statement(flow, first)
            message = self.message.format(key=budget.key, count=len(budget.statements), function=node.name.value)
            fix = build_fix(self.ctx, flow, budget, calls)
            self.ctx.reports.append(PendingReport(self, first, statement, message, fix, []))

    def leave_Lambda(self, node: cst.Lambda) -> None:
        self._clocks.pop(node, None)

    def leave_ClassDef(self, node: cst.ClassDef) -> None:
        self._clocks.pop(node, None)

    def leave_Module(self, node: cst.Module) -> None:
        self._clocks.clear()

    @staticmethod
    def _statement(flow: ClockFlow, node: cst.CSTNode) -> Optional[cst.CSTNode]:
        parent: Optional[cst.CSTNode] = node
        while parent is not None and not isinstance(parent, cst.SimpleStatementLine):
            parent = flow.parent.get(parent)
        return parent

    def _is_min_max(self, call: cst.Call) -> bool:
        return self.ctx.qualified_name(call.func) in ("builtins.min", "builtins.max")
