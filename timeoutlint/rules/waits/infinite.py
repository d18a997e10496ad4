"""TL305: a timeout passed explicitly as a value the API reads as "wait forever"."""

from __future__ import annotations

from typing import Any, Optional

import libcst as cst

from timeoutlint.analysis.callargs import format_seconds, keyword
from timeoutlint.analysis.waits import NONE, USER_RULES, WAIT_CALLS, WAIT_MODULES, Wait, does_not_block, find_wait, literal_kind, timeout_argument, user_modules, user_triggers
from timeoutlint.context import PendingFix
from timeoutlint.ftypes import Applicability
from timeoutlint.rule import FixAvailability, Invalid, Rule, Valid

_POOL = "from concurrent.futures import ThreadPoolExecutor\nPOOL = ThreadPoolExecutor()\n"
_DEFAULT = {"default-timeout": 30}


class ExplicitInfiniteTimeout(Rule):
    """
    ## What it does
    Checks for a timeout passed explicitly, as a keyword or positionally, with a value the
    called API reads as "wait forever": `None`, `-1`, `float("inf")` or `math.inf`, each
    only where *that* API means forever by it. For example `fut.result(None)`,
    `q.get(timeout=None)`, `lock.acquire(timeout=-1)`, `subprocess.run(cmd,
    timeout=None)`, `requests.get(url, timeout=None)` or `timeout=(3.05, None)`,
    `sock.settimeout(None)`, `socket.setdefaulttimeout(None)`, `httpx.Client(timeout=None)`,
    `httpx.Timeout(None)` (or one phase, `read=None`), `aiohttp.ClientTimeout(total=None)`,
    `asyncio.wait_for(aw, None)`, `asyncio.timeout(None)`.

    ## Why is this bad?
    A timeout argument that says "forever" reads as if the wait were bounded, in review and
    in a search for `timeout=`, while it is not: the call hangs as long as the other side
    does. It is usually left over from an optional timeout that was never filled in.

    ## Example
    ```python
    import httpx

    client = httpx.Client(timeout=None)
    ```

    ## Use instead
    ```python
    import httpx

    client = httpx.Client(timeout=httpx.Timeout(10.0, connect=3.0))
    ```

    ## Fix safety
    The suggested fix replaces the value with `default-timeout` (only when it is set). It
    is display-only, never applied: what each API does when the time is up differs (it
    raises, returns `False`, or makes every later socket operation time out), and only the
    author knows which bound is right.

    What each value means is the API's own (the table is in the docs of
    `timeoutlint.analysis.waits`, checked against CPython with real threads):
    - `Lock.acquire()` and `RLock.acquire()` read `-1` as forever and reject `None`
      (`TypeError`); `Condition.acquire()` is its lock's.
    - `queue.Queue.get()`/`put()` reject negative timeouts (`ValueError`): `-1` is a bug
      there, not a forever, and is not reported.
    - `Thread.join()`, `Event.wait()`, `Semaphore.acquire()` and `Future.result()` read
      `-1` as "do not wait"; `float("inf")` raises `OverflowError`. Neither is reported.
    - `subprocess` and `asyncio` read `float("inf")` as forever too.

    Not reported:
    - A parameter that defaults to `None` (`def fetch(url, timeout=None)`): a definition,
      not a call; and a timeout passed as a variable, whose value is the caller's.
    - `block=False`/`blocking=False`: the call does not wait (`lock.acquire(False, -1)`).
    - `Barrier.wait(None)` on a `Barrier` created with a `timeout`: it uses the barrier's.
    - `aiohttp.ClientTimeout(total=None, sock_read=30)` and `httpx.Timeout(None,
      connect=..., read=..., write=..., pool=...)`: every read is bounded.
    - `asyncio.timeout(None) as cm` whose body calls `cm.reschedule(...)`: the documented
      way to set the deadline later.
    - The omitted timeout: that is TL301-TL304's.

    ## Options
    - `default-timeout` (top-level setting): the number of seconds the suggestion shows.

    ## References
    - [threading.Lock.acquire](https://docs.python.org/3/library/threading.html#threading.Lock.acquire)
    - [queue.Queue.get](https://docs.python.org/3/library/queue.html#queue.Queue.get)
    - [httpx: Timeouts](https://www.python-httpx.org/advanced/timeouts/)
    - [asyncio.timeout](https://docs.python.org/3/library/asyncio-task.html#asyncio.timeout)
    """

    code = "TL305"
    name = "explicit-infinite-timeout"
    message = "`{argument}` makes {callee} wait forever{detail}: {advice}"
    fix_title = "Replace it with `default-timeout`"
    fix_availability = FixAvailability.SOMETIMES
    applicability = Applicability.DISPLAY_ONLY
    triggers = WAIT_CALLS  # (a call of the table: the value it reads as forever is ``None``, ``-1``, ``inf``)

    VALID = [
        Valid("def fetch(url, timeout=None):\n    pass\n", why="a parameter default, not a call"),
        Valid("import queue\nq = queue.Queue()\nq.get(timeout=-1)\n", why="-1 is a ValueError for Queue.get, not forever"),
        Valid("import threading\nt = threading.Thread(target=print)\nt.join(-1)\n", why="-1 means do not wait for Thread.join"),
        Valid("import threading\nb = threading.Barrier(2, timeout=5)\nb.wait(None)\n", why="the barrier's own timeout applies"),
        Valid("import threading\nlock = threading.Lock()\nlock.acquire(False, -1)\n", why="non-blocking"),
        Valid("import threading\nlock = threading.Lock()\nlock.acquire(timeout=None)\n", why="a TypeError for Lock.acquire, not forever"),
        Valid(_POOL + "def f(t):\n    POOL.submit(print).result(timeout=t)\n", why="a variable: the caller's choice"),
        Valid(_POOL + "POOL.submit(print).result(float('inf'))\n", why="an OverflowError for Future.result, not forever"),
        Valid("import aiohttp\nt = aiohttp.ClientTimeout(total=None, sock_read=30)\n", why="every read is bounded"),
        Valid("import httpx\nt = httpx.Timeout(None, connect=3, read=10, write=10, pool=3)\n", why="every phase is bounded"),
        Valid(
            "import asyncio\nasync def f(deadline):\n    async with asyncio.timeout(None) as cm:\n"
            "        cm.reschedule(deadline)\n        await g()\n",
            why="the deadline is set later",
        ),
        Valid("def f(cache, k):\n    return cache.get(k, None)\n", why="not a wait"),
        Valid("import subprocess\nsubprocess.run(['ls'], timeout=5)\n", why="finite"),
    ]
    INVALID = [
        Invalid(_POOL + "POOL.submit(print).result(None)\n"),
        Invalid("import queue\nq = queue.Queue()\nq.get(True, None)\n", why="positional"),
        Invalid("import threading\nlock = threading.Lock()\nlock.acquire(timeout=-1)\n"),
        Invalid("import subprocess\nsubprocess.run(['ls'], timeout=float('inf'))\n", why="inf is forever for subprocess"),
        Invalid("import requests\nrequests.get('https://x', timeout=(3.05, None))\n", why="the read phase is unbounded"),
        Invalid("import socket\nsock = socket.create_connection(('h', 80), 5)\nsock.settimeout(None)\nsocket.setdefaulttimeout(None)\n", expected=2),
        Invalid("import httpx\nclient = httpx.Client(timeout=None)\n", settings=_DEFAULT, why="a suggested fix, never applied"),
        Invalid("import httpx\nt = httpx.Timeout(None, connect=5)\nu = httpx.Timeout(10.0, read=None)\n", expected=2),
        Invalid("import httpx\nt = httpx.Timeout((None, 5.0, 5.0, 5.0))\n", why="a (connect, read, write, pool) tuple"),
        Invalid("import aiohttp\nt = aiohttp.ClientTimeout(total=None)\n"),
        Invalid("import asyncio, math\nasync def f(aw):\n    await asyncio.wait_for(aw, None)\n    async with asyncio.timeout(math.inf):\n        pass\n", expected=2),
    ]

    requires = WAIT_MODULES  # (what ``find_wait`` can know)

    @classmethod
    def triggers_for(cls, settings: Any) -> tuple[str, ...]:
        return cls.triggers + user_triggers(settings, USER_RULES)

    @classmethod
    def requires_for(cls, settings: Any) -> tuple[str, ...]:
        return cls.requires + user_modules(settings, USER_RULES)

    def visit_Call(self, node: cst.Call) -> None:
        wait = find_wait(self.ctx, node)
        if wait is None or does_not_block(wait, node):
            return
        arg = timeout_argument(wait, node)
        forever = self._forever(wait, arg) if arg is not None else None
        # The phases given their own forever value (``httpx.Timeout(5, read=None)``): one
        # finding for the call names them all.
        phases = [
            (phase, given)
            for phase, given in ((phase, keyword(node, phase)) for phase in wait.phases)
            if given is not None and is_forever(self, wait, given.value)
        ]
        if forever is not None:
            unbounded = self._unbounded_phases(wait, node, arg.value)  # type: ignore[union-attr]
            if unbounded is not None and not self._bounded_elsewhere(wait, node) and not self._rescheduled(node):
                named = set(unbounded) | {phase for phase, _ in phases}
                ordered = [phase for phase in wait.phases if phase in named]
                detail = f" ({', '.join(ordered)})" if ordered else ""
                shown = self._code(arg.value)  # type: ignore[union-attr]
                argument = shown if arg.keyword is None else f"{wait.timeout}={shown}"  # type: ignore[union-attr]
                self._report(wait, argument, arg, forever, detail)  # type: ignore[arg-type]
                return
        if phases:
            argument = ", ".join(f"{phase}={self._code(given.value)}" for phase, given in phases)
            self._report(wait, argument, phases[0][1], phases[0][1].value, "")

    def _forever(self, wait: Wait, arg: cst.Arg) -> Optional[cst.BaseExpression]:
        """The node of the argument's value that means forever: the value, or an element of
        a ``(connect, read)`` tuple."""
        value = arg.value
        if is_forever(self, wait, value):
            return value
        if isinstance(value, cst.Tuple):
            for element in value.elements:
                if is_forever(self, wait, element.value):
                    return element.value
        return None

    def _unbounded_phases(self, wait: Wait, call: cst.Call, value: cst.BaseExpression) -> Optional[list[str]]:
        """For ``httpx.Timeout(None, ...)``: the phases the default leaves without a limit
        (None when each phase is given its own); an empty list for an API without phases.
        A tuple gives the phases in order (``(None, 5.0, None, None)``)."""
        if not wait.phases:
            return []
        if isinstance(value, cst.Tuple):
            return [
                phase
                for phase, element in zip(wait.phases, value.elements)
                if is_forever(self, wait, element.value)
            ]
        left = [phase for phase in wait.phases if keyword(call, phase) is None]
        return left or None

    def _bounded_elsewhere(self, wait: Wait, call: cst.Call) -> bool:
        for name in wait.bounded_by:
            given = keyword(call, name)
            if given is not None and not is_forever(self, wait, given.value) and literal_kind(given.value) != NONE:
                return True
        return False

    def _rescheduled(self, call: cst.Call) -> bool:
        """``async with asyncio.timeout(None) as cm:`` whose body calls ``cm.reschedule``."""
        stack = self.ctx.stack  # ends with the call itself
        if len(stack) < 3:
            return False
        item, with_ = stack[-2], stack[-3]
        if not (isinstance(item, cst.WithItem) and isinstance(with_, cst.With) and item.asname is not None):
            return False
        target = item.asname.name
        if not isinstance(target, cst.Name):
            return False
        return f"{target.value}.reschedule(" in self.ctx.module.code_for_node(with_.body)

    def _report(self, wait: Wait, argument: str, node: cst.CSTNode, value: cst.BaseExpression, detail: str) -> None:
        message = self.message.format(argument=argument, callee=wait.label, detail=detail, advice=wait.advice)
        self.report(node, message, self._suggestion(value))

    def _suggestion(self, value: cst.BaseExpression) -> Optional[PendingFix]:
        seconds = self.ctx.settings.default_timeout
        if seconds is None:
            return None
        return PendingFix(
            title=f"Replace it with {format_seconds(seconds)} (the configured default-timeout)",
            applicability=Applicability.DISPLAY_ONLY,
            replacements=[(value, cst.parse_expression(format_seconds(seconds)))],
        )

    def _code(self, node: cst.CSTNode) -> str:
        return self.ctx.module.code_for_node(node)


def is_forever(rule: Rule, wait: Wait, value: cst.BaseExpression) -> bool:
    return literal_kind(value, rule.ctx.qualified_name) in wait.forever
