"""Budgets (TL4xx): timeouts measured, spent and nested by hand."""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple, Union

import libcst as cst

from timeoutlint.context import ImportNeed, PendingFix, PendingReport
from timeoutlint.ftypes import Applicability
from timeoutlint.rule import FixAvailability, Invalid, Rule, Valid, Word
from timeoutlint.rules.budgets._clockflow import ClockFlow, flow_root

class WallClockTimeout(Rule):
    """
    ## What it does
    Checks for `time.time()` used to measure elapsed time or a deadline for a timeout:
    a deadline `time.time() + timeout` compared with a later `time.time()`, the time left
    `deadline - time.time()`, or an elapsed time `time.time() - start` compared with a
    limit or subtracted from a remaining budget.

    The rule reports only what it can see: the readings, their difference and the
    comparison or subtraction that turns it into a timeout, within one function through
    its local names, including what its nested functions and lambdas do with them
    (`def expired(): return time.time() > deadline` compares the enclosing deadline).
    Every shape of hand-kept budget TL401 finds is covered when it runs on the wall
    clock. Out of scope:

    - a duration that is only logged, printed, stored or returned (`print(time.time() -
      start)`): measuring how long something took is not a timeout (use
      `time.perf_counter()` for that, but this rule does not ask for it);
    - a comparison that only decides what to print: progress throttling and rate display
      (`if now - last_report > 0.5: report(done); last_report = now`). Only a comparison
      that bounds something is a timeout: a loop's condition, an `assert`, an `if` whose
      branches leave (`break`, `return`, `raise`) or stop something (`task.cancel()`,
      `proc.kill()`, `on_timeout()`), or a value used further on;
    - a reading compared with a value of unknown origin — an attribute, a parameter, a
      file's modification time (`time.time() > self.deadline`,
      `time.time() - os.path.getmtime(p) > age`): wall-clock timestamps may be exactly
      what is meant, so nothing is reported;
    - values that cross functions other than into nested ones: `self.start` set in another
      method, a module-level start time read in a function (a budget kept in an attribute
      and spent and checked in one method is in scope: `self._remaining -= time.time() -
      start; if self._remaining <= 0: ...`);
    - a reading also used as a timestamp — formatted into a string (`str(t + 2)` sent to
      a server, an f-string) or converted to a date (`datetime.fromtimestamp(deadline)`,
      `time.localtime(t)`): that value needs the wall clock, so its group is left alone;
    - `time.time_ns()`.

    ## Why is this bad?
    `time.time()` reads the wall clock, and the wall clock jumps: NTP corrects it, an
    administrator or a virtual machine resume sets it, some systems follow daylight saving
    time. A jump forwards makes a timeout fire early (or at once); a jump backwards makes
    it wait for hours longer than it should, or forever in a polling loop.
    `time.monotonic()` never goes backwards and is not affected by system clock updates:
    it is the clock for timeouts (`threading`, `queue` and `asyncio` use it themselves).


    ## Example
    ```python
    import time

    def wait_ready(probe, timeout):
        deadline = time.time() + timeout
        while not probe():
            if time.time() > deadline:
                raise TimeoutError("not ready")
            time.sleep(0.1)
    ```

    ## Use instead
    ```python
    import time

    def wait_ready(probe, timeout):
        deadline = time.monotonic() + timeout
        while not probe():
            if time.monotonic() > deadline:
                raise TimeoutError("not ready")
            time.sleep(0.1)
    ```

    ## Fix safety
    The fix replaces every `time.time()` of the timeout with `time.monotonic()` (keeping
    the module alias; `from time import time` gets `from time import monotonic`). It is
    safe: all readings that meet move to the new clock together, so differences and
    comparisons keep their meaning, only the jumps are gone. For the same reason a
    `# noqa` on one reading of a timeout does not keep that reading on the wall clock
    while the others are fixed: the fix of each finding rewrites the whole group.

    It is offered only when each reading and each deadline is used solely in differences
    and comparisons with the others (or to build a deadline). When one escapes — it is
    stored on `self` or in a container, returned, passed to a call such as
    `datetime.fromtimestamp()`, or compared with a value of unknown origin — a monotonic
    reading would be meaningless there, and the finding is reported without a fix.

    ## References
    - [time.monotonic](https://docs.python.org/3/library/time.html#time.monotonic)
    - [time.time](https://docs.python.org/3/library/time.html#time.time)
    - [PEP 418 – Add monotonic time functions](https://peps.python.org/pep-0418/)
    """

    code = "TL402"
    name = "wall-clock-timeout"
    message = "`{call}` measures a timeout: the wall clock can jump; use `{replacement}`"
    fix_title = "Use `time.monotonic()`"
    fix_availability = FixAvailability.SOMETIMES
    applicability = Applicability.SAFE
    triggers = (Word("time"),)  # ``time.time``, also imported: ``from time import time``

    VALID = [
        Valid("import time\nrecord = {'ts': time.time()}\n", why="a timestamp"),
        Valid("import time\n\ndef log_event(log):\n    log(time.time())\n", why="a timestamp"),
        Valid(
            "import time\n\ndef run(job):\n    start = time.time()\n    job()\n    print('took', time.time() - start)\n",
            why="a duration that is only printed bounds nothing",
        ),
        Valid(
            "import time\n\ndef timed(job):\n    start = time.time()\n    job()\n    return time.time() - start\n",
            why="a duration that is only returned",
        ),
        Valid(
            "import time\n\nclass Lease:\n    def expired(self):\n        return time.time() > self.deadline\n",
            why="self.deadline is set elsewhere: not known to be a wall-clock deadline",
        ),
        Valid(
            "import time\n\nclass Job:\n    def check(self, timeout):\n        if time.time() - self.start > timeout:\n"
            "            raise TimeoutError\n",
            why="self.start is set elsewhere",
        ),
        Valid(
            "import os\nimport time\n\ndef stale(path, max_age):\n    return time.time() - os.path.getmtime(path) > max_age\n",
            why="compared with a file time, a wall-clock timestamp",
        ),
        Valid(
            "import time\n\ndef old(entries, max_age):\n    cutoff = time.time() - max_age\n"
            "    return [e for e in entries if e.created < cutoff]\n",
            why="a cutoff compared with stored timestamps",
        ),
        Valid(
            "import time\n\ndef f(time):\n    start = time.time()\n    while time.time() - start < 5:\n        pass\n",
            why="time is a parameter, not the module",
        ),
        Valid(
            "from datetime import time\n\ndef f():\n    start = time()\n    while time() - start < 5:\n        pass\n",
            why="datetime.time",
        ),
        Valid(
            "import time\n\ndef f(start, timeout):\n    while time.time() - start < timeout:\n        pass\n",
            why="start is a parameter: not known to be a time.time() reading",
        ),
        Valid(
            "import time\n\ndef rate(n, job):\n    start = time.time()\n    job()\n    elapsed = time.time() - start\n"
            "    if elapsed > 0:\n        print(n / elapsed)\n",
            why="a zero check guards a division",
        ),
        Valid(
            "import time\n\ndef clock_skew(last):\n    now = time.time()\n    if now < time.time():\n        pass\n",
            why="reading against reading",
        ),
        Valid("import time\n\ndef f():\n    return time.monotonic() - time.monotonic() > 5\n", why="already monotonic"),
    ]
    INVALID = [
        Invalid(
            "import time\n\ndef wait(probe, timeout):\n    start = time.time()\n    while time.time() - start < timeout:\n"
            "        probe()\n",
            fixed="import time\n\ndef wait(probe, timeout):\n    start = time.monotonic()\n"
            "    while time.monotonic() - start < timeout:\n        probe()\n",
            expected=2,
        ),
        Invalid(
            "import time as t\n\ndef wait(probe, timeout):\n    deadline = t.time() + timeout\n"
            "    while not probe():\n        if t.time() >= deadline:\n            raise TimeoutError\n",
            fixed="import time as t\n\ndef wait(probe, timeout):\n    deadline = t.monotonic() + timeout\n"
            "    while not probe():\n        if t.monotonic() >= deadline:\n            raise TimeoutError\n",
            expected=2,
        ),
        Invalid(
            "from time import time\n\ndef left(timeout):\n    deadline = time() + timeout\n    return deadline - time()\n",
            fixed=("from time import monotonic\n"
                "\n"
                "def left(timeout):\n"
                "    deadline = monotonic() + timeout\n"
                "    return deadline - monotonic()\n"),
            expected=2,
        ),
        Invalid(
            "import time\n\ndef phases(timeout):\n    remaining = timeout\n    start = time.time()\n    convert()\n"
            "    remaining -= time.time() - start\n    if remaining <= 0:\n        raise TimeoutError\n",
            fixed="import time\n\ndef phases(timeout):\n    remaining = timeout\n    start = time.monotonic()\n    convert()\n"
            "    remaining -= time.monotonic() - start\n    if remaining <= 0:\n        raise TimeoutError\n",
            expected=2,
        ),
        Invalid(
            "import time\n\ndef wait(self, timeout):\n    self.started = start = time.time()\n"
            "    while time.time() - start < timeout:\n        pass\n",
            expected=2,
            why="the reading is stored on self: no fix",
        ),
    ]

    def __init__(self, ctx: Any) -> None:
        super().__init__(ctx)
        # the body (function, lambda, class or module) -> its time.time() calls
        self._clocks: Dict[cst.CSTNode, Dict[cst.Call, Optional[cst.CSTNode]]] = {}

    def visit_Call(self, node: cst.Call) -> None:
        if node.args or self.ctx.qualified_name(node.func) != "time.time":
            return
        stack = self.ctx.stack
        body = flow_root(stack[:-1])
        statement = next((n for n in reversed(stack) if isinstance(n, cst.SimpleStatementLine)), None)
        self._clocks.setdefault(body, {})[node] = statement

    def leave_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._finish(node)

    def leave_Lambda(self, node: cst.Lambda) -> None:
        self._finish(node)

    def leave_ClassDef(self, node: cst.ClassDef) -> None:
        self._finish(node)

    def leave_Module(self, node: cst.Module) -> None:
        self._finish(node)

    def _finish(self, body: cst.CSTNode) -> None:
        clocks = self._clocks.pop(body, None)
        if not clocks:
            return
        flow = ClockFlow(body, set(clocks), self._is_min_max)
        for calls, escapes in flow.components:
            fix = None if escapes else self._fix(calls)
            for call in calls:
                text = self.ctx.module.code_for_node(call.func)
                replacement = text[: -len("time")] + "monotonic" if isinstance(call.func, cst.Attribute) else "time.monotonic"
                message = self.message.format(call=f"{text}()", replacement=f"{replacement}()")
                # reported when the body is complete; the statement was noted on the way
                self.ctx.reports.append(PendingReport(self, call, clocks[call], message, fix, []))

    def _is_min_max(self, call: cst.Call) -> bool:
        return self.ctx.qualified_name(call.func) in ("builtins.min", "builtins.max")

    def _fix(self, calls: List[cst.Call]) -> Optional[PendingFix]:
        """One fix for the whole group: its readings must change clock together."""
        replacements: List[Tuple[cst.CSTNode, Union[cst.CSTNode, cst.RemovalSentinel]]] = []
        imports: List[ImportNeed] = []
        for call in calls:
            func = call.func
            if isinstance(func, cst.Attribute):
                replacements.append((func.attr, cst.Name("monotonic")))
                continue
            reference = self.ctx.reference("time", "monotonic")
            if reference is None:
                return None
            expression, need = reference
            replacements.append((func, expression))
            if need is not None:
                imports.append(need)
        return PendingFix(self.fix_title or "", Applicability.SAFE, replacements, imports)
