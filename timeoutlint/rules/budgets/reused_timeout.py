"""TL403: one timeout value spent whole on several blocking calls of one function."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Dict, Iterator, List, Optional, Sequence, Tuple

import libcst as cst

from timeoutlint.analysis import paths
from timeoutlint.analysis.bindings import assigned_names
from timeoutlint.analysis.definitions import all_params
from timeoutlint.analysis.waits import USER_RULES, WAIT_CALLS, WAIT_MODULES, Wait, does_not_block, find_wait, timeout_argument, user_modules, user_triggers
from timeoutlint.context import PendingFix, PendingReport
from timeoutlint.ftypes import Applicability
from timeoutlint.rule import FixAvailability, Invalid, Rule, Valid

# Table entries whose timeout is not time spent by this call: a setting kept for later
# operations (a socket, a client object, a connection made lazily), a configuration object,
# or a deadline rather than a duration.
_NOT_SPENT = frozenset(
    {
        "socket.setdefaulttimeout()",
        "socket.settimeout()",
        "httpx.Timeout()",
        "aiohttp.ClientTimeout()",
        "httpx.Client()",
        "httpx.AsyncClient()",
        "asyncio.timeout_at()",
        "http.client.HTTPConnection()",
        "http.client.HTTPSConnection()",
        "ftplib.FTP()",
        "ftplib.FTP_TLS()",
        "smtplib.SMTP()",
        "smtplib.SMTP_SSL()",
        "imaplib.IMAP4()",
        "imaplib.IMAP4_SSL()",
        "poplib.POP3()",
        "poplib.POP3_SSL()",
        "telnetlib.Telnet()",
    }
)
# Whose timeout may be a ``(connect, read)`` tuple or an ``httpx.Timeout``: ``Budget()``
# takes seconds only, so the fix needs to know the value is a number.
_STRUCTURED_TIMEOUTS = ("requests.", "Session.", "httpx.", "Client.", "AsyncClient.")
# Readings of a clock or a budget: a loop that consults one is bounded by a deadline, and
# the timeout of each of its waits is one polling step.
_CLOCK_WORDS = ("monotonic(", "time.time(", "perf_counter(", "time()", "deadline", ".remaining", ".expired", "Budget(")
# Names of a step, not a budget: each wait is meant to take that long (``poll_interval``).
_STEP_WORDS = re.compile(r"(poll|interval|period|delay|sleep|tick|heartbeat|backoff|idle|keepalive|step)", re.IGNORECASE)
# Iterables without an end: the loop is a service loop, like ``while True``.
_ENDLESS = ("count(", "cycle(", "repeat(", "iter(")
_NUMERIC_ANNOTATIONS = frozenset({"float", "int", "Optional[float]", "Optional[int]", "float | None", "int | None", "None | float"})
_BUDGET_NAMES = ("budget", "timeout_budget", "call_budget")


@dataclass
class _Site:
    """A blocking call passing a name as its timeout."""

    call: cst.Call
    arg: cst.Arg
    name: str
    wait: Wait
    order: int = -1
    path: paths.Path = ()


@dataclass
class _Assignment:
    order: int
    path: paths.Path
    node: cst.CSTNode
    value: Optional[cst.CSTNode]


@dataclass
class _Function:
    """What the walk of one function found."""

    sites: List[_Site] = field(default_factory=list)
    assignments: Dict[str, List[_Assignment]] = field(default_factory=dict)
    non_local: set = field(default_factory=set)
    names: set = field(default_factory=set)


class TimeoutReusedAcrossCalls(Rule):
    """
    ## What it does
    Checks for a function that receives a timeout — a parameter, or a local computed from
    one — and passes it unchanged to two or more blocking calls that run one after the
    other, or to a blocking call inside a `for` loop or a comprehension. Each call may wait
    the whole timeout, so the function can take N × `timeout`, while its caller believes it
    takes at most `timeout`.

    Blocking calls are the APIs the TL3xx rules know, found through import resolution and
    type inference: `subprocess.run()` and friends, `Popen.wait()`/`communicate()`,
    `Future.result()`, `concurrent.futures.wait()`, `Thread.join()`, `Event.wait()`,
    `Queue.get()`/`put()`, `Lock.acquire()`, `requests` (functions and `Session`
    methods), `httpx`, `urllib.request.urlopen()`, `socket.create_connection()`,
    `asyncio.wait_for()`/`wait()`/`timeout()`, and the `blocking-calls` configured for
    TL301-TL304. An unknown `.get(timeout=t)` is never counted.

    Out of scope, because it is very likely meant:

    - a literal or a constant (`requests.get(u, timeout=10)` twice, `TIMEOUT`): a
      per-call limit, not a budget someone handed the function;
    - an attribute (`self.timeout`, `options.timeout`, `settings.TIMEOUT`): the
      per-operation setting of a client object, applied to each of its operations;
    - a value computed again before each call (`deadline - time.monotonic()`), or
      reassigned between the calls;
    - calls in exclusive branches (`if`/`else`, two `except` handlers, `match` cases),
      or separated by a `return`/`raise`;
    - a retry: the call in a `try` body and again in its handler, or a call in a loop that
      is left (`return`/`break`) once the call succeeds — the timeout is per attempt;
    - a wait in a `while` or `async for` loop, in a `for` loop over an endless iterator
      (`itertools.count()`, `iter(f, sentinel)`), or in a `for` loop that reads a clock or
      a deadline: a polling or idle timeout for each step, not one step of a sequence;
    - a value named as a step (`poll_interval`, `tick`, `delay`, `heartbeat`, `idle_timeout`,
      `backoff`): each wait is meant to take that long;
    - timeouts that are settings kept for later operations (`sock.settimeout(t)`,
      `httpx.Client(timeout=t)`, `ftplib.FTP(host, timeout=t)`), and deadlines
      (`asyncio.timeout_at(when)`);
    - one call that applies its timeout to several phases (`requests` uses it for the
      connect and for each read): that is the library's definition of its timeout.

    ## Why is this bad?
    A timeout a function receives is a promise to its caller: "I return within this
    long". Spending it whole on each step breaks the promise: with two calls the caller
    waits up to twice as long, in a loop over N items N times as long — a health check, a
    request handler or a shutdown sequence overruns the deadline it was given, and the
    code above it, which sized its own timeouts on that promise, times out first or hangs.

    ## Example
    ```python
    import subprocess

    def deploy(host, timeout):
        subprocess.run(["scp", "app.tar", f"{host}:"], timeout=timeout, check=True)
        subprocess.run(["ssh", host, "restart"], timeout=timeout, check=True)
    ```

    ## Use instead
    ```python
    import subprocess
    from timeoutlint.runtime import Budget

    def deploy(host, timeout):
        budget = Budget(timeout)
        subprocess.run(["scp", "app.tar", f"{host}:"], timeout=budget.remaining, check=True)
        subprocess.run(["ssh", host, "restart"], timeout=budget.remaining, check=True)
    ```

    ## Fix safety
    The fix creates `budget = Budget(timeout)` just before the first call's statement (in
    the same block, keeping its comments; the name is one the function does not use) and
    passes `budget.remaining` to every call instead. It is unsafe: the later calls now get
    only what is left and may time out where they did not, and it imports `Budget` from
    `budget-import`. `Budget(None)` is unlimited and its `remaining` is `None`, so a
    `None` timeout keeps its meaning.

    The fix is offered only when the calls are straight-line statements of one block. Not
    in a loop (the budget would have to start before the loop, and each iteration's share
    is the author's choice), not in different branches, and not when the timeout may not be
    a number of seconds: a `requests`/`httpx` timeout can be a `(connect, read)` tuple or
    an `httpx.Timeout`, so there the parameter must be annotated `float`/`int`; a
    parameter whose default is a sentinel object gets no fix either.

    ## Options
    - `budget-import` (top-level setting): the module the fix imports `Budget` from.

    ## References
    - [subprocess.run](https://docs.python.org/3/library/subprocess.html#subprocess.run)
    - [threading.Thread.join](https://docs.python.org/3/library/threading.html#threading.Thread.join)
    - [Requests: Timeouts](https://requests.readthedocs.io/en/latest/user/advanced/#timeouts)
    """

    code = "TL403"
    name = "timeout-reused-across-calls"
    message = "`{name}` is passed unchanged to {what}: {total}; share one `Budget({name})`"
    fix_title = "Spend one `Budget` across the calls"
    fix_availability = FixAvailability.SOMETIMES
    applicability = Applicability.UNSAFE
    triggers = WAIT_CALLS

    VALID = [
        Valid(
            "import subprocess\n\ndef build(timeout):\n    subprocess.run(['make'], timeout=timeout)\n",
            why="a single call",
        ),
        Valid(
            "import requests\n\ndef sync(a, b):\n    requests.get(a, timeout=10)\n    requests.get(b, timeout=10)\n",
            why="a literal per-call limit",
        ),
        Valid(
            "import subprocess\n\nclass Runner:\n    def deploy(self):\n"
            "        subprocess.run(['a'], timeout=self.timeout)\n        subprocess.run(['b'], timeout=self.timeout)\n",
            why="a per-operation setting of the object",
        ),
        Valid(
            "import subprocess\nfrom timeoutlint.runtime import Budget\n\ndef deploy(timeout):\n"
            "    budget = Budget(timeout)\n    subprocess.run(['a'], timeout=budget.remaining)\n"
            "    subprocess.run(['b'], timeout=budget.remaining)\n",
            why="already a Budget",
        ),
        Valid(
            "import subprocess\nimport time\n\ndef deploy(timeout):\n    deadline = time.monotonic() + timeout\n"
            "    subprocess.run(['a'], timeout=deadline - time.monotonic())\n"
            "    subprocess.run(['b'], timeout=deadline - time.monotonic())\n",
            why="the time left, computed before each call",
        ),
        Valid(
            "import subprocess\n\ndef deploy(connect_timeout, run_timeout):\n"
            "    subprocess.run(['a'], timeout=connect_timeout)\n    subprocess.run(['b'], timeout=run_timeout)\n",
            why="a timeout per call",
        ),
        Valid(
            "import threading\nimport time\n\ndef wait_all(done: threading.Event, timeout):\n"
            "    deadline = time.monotonic() + timeout\n    while time.monotonic() < deadline:\n"
            "        if done.wait(timeout=deadline - time.monotonic()):\n            return True\n    return False\n",
            why="a polling loop re-reading the time left",
        ),
        Valid(
            "import subprocess\n\ndef run(cmd, timeout, quick):\n    if quick:\n"
            "        subprocess.run(cmd, timeout=timeout)\n    else:\n        subprocess.run(cmd + ['--all'], timeout=timeout)\n",
            why="exclusive branches",
        ),
        Valid(
            "import requests\n\ndef fetch(url, mirror, timeout):\n    try:\n        return requests.get(url, timeout=timeout)\n"
            "    except requests.ConnectionError:\n        return requests.get(mirror, timeout=timeout)\n",
            why="a retry: the handler runs only when the first call failed",
        ),
        Valid(
            "import requests\n\ndef fetch(url, timeout, attempts=3):\n    for _ in range(attempts):\n        try:\n"
            "            return requests.get(url, timeout=timeout)\n        except requests.ConnectionError:\n            pass\n",
            why="a retry loop, left when the call succeeds",
        ),
        Valid(
            "import queue\n\ndef consume(q: queue.Queue, poll):\n    while True:\n        item = q.get(timeout=poll)\n",
            why="a poll in a while loop",
        ),
        Valid(
            "import socket\n\ndef connect(addr, timeout):\n    sock = socket.create_connection(addr, timeout)\n"
            "    sock.settimeout(timeout)\n    return sock\n",
            why="settimeout keeps a setting for later operations",
        ),
    ]
    INVALID = [
        Invalid(
            "import subprocess\n\ndef deploy(host, timeout):\n    subprocess.run(['scp', host], timeout=timeout, check=True)\n"
            "    subprocess.run(['ssh', host, 'restart'], timeout=timeout, check=True)\n",
            fixed=("import subprocess\n"
                "\n"
                "from timeoutlint.runtime import Budget\n"
                "\n"
                "def deploy(host, timeout):\n"
                "    budget = Budget(timeout)\n"
                "    subprocess.run(['scp', host], timeout=budget.remaining, check=True)\n"
                "    subprocess.run(['ssh', host, 'restart'], timeout=budget.remaining, check=True)\n"),
        ),
        Invalid(
            "import threading\n\ndef stop_all(threads: list[threading.Thread], timeout=None):\n    for t in threads:\n"
            "        t.join(timeout)\n",
            why="a call in a loop: no fix",
        ),
        Invalid(
            "from concurrent.futures import ThreadPoolExecutor\nimport asyncio\n\nasync def both(a, b, timeout: float):\n"
            "    await asyncio.wait_for(a, timeout)\n    # and then\n    await asyncio.wait_for(b, timeout)\n",
            fixed=("from concurrent.futures import ThreadPoolExecutor\n"
                "import asyncio\n"
                "\n"
                "from timeoutlint.runtime import Budget\n"
                "\n"
                "async def both(a, b, timeout: float):\n"
                "    budget = Budget(timeout)\n"
                "    await asyncio.wait_for(a, budget.remaining)\n"
                "    # and then\n"
                "    await asyncio.wait_for(b, budget.remaining)\n"),
            settings={"budget-import": "timeoutlint.runtime"},
        ),
        Invalid(
            "import requests\n\ndef sync(a, b, timeout):\n    requests.get(a, timeout=timeout)\n    requests.get(b, timeout=timeout)\n",
            why="the timeout may be a (connect, read) tuple: no fix",
        ),
    ]

    requires = WAIT_MODULES  # (what ``find_wait`` can know)

    @classmethod
    def triggers_for(cls, settings: Any) -> tuple[str, ...]:
        return cls.triggers + user_triggers(settings, USER_RULES)

    @classmethod
    def requires_for(cls, settings: Any) -> tuple[str, ...]:
        return cls.requires + user_modules(settings, USER_RULES)

    def __init__(self, ctx: Any) -> None:
        super().__init__(ctx)
        self._sites: Dict[cst.FunctionDef, List[_Site]] = {}

    def visit_Call(self, node: cst.Call) -> None:
        wait = find_wait(self.ctx, node)
        if wait is None or wait.label in _NOT_SPENT or does_not_block(wait, node):
            return
        arg = timeout_argument(wait, node)
        if arg is None or not isinstance(arg.value, cst.Name) or arg.value.value in ("None", "True", "False"):
            return
        function = self._function()
        if function is not None:
            self._sites.setdefault(function, []).append(_Site(node, arg, arg.value.value, wait))

    def _function(self) -> Optional[cst.FunctionDef]:
        """The function whose own code holds the call being visited."""
        for node in reversed(self.ctx.stack[:-1]):
            if isinstance(node, cst.FunctionDef):
                return node
            if isinstance(node, (cst.Lambda, cst.ClassDef)):
                return None
        return None

    def leave_FunctionDef(self, node: cst.FunctionDef) -> None:
        sites = self._sites.pop(node, None)
        if not sites:
            return
        facts = _read(node, sites)
        scope = self.ctx.resolver.function_scope()
        self_name = scope.self_name if scope is not None and scope.node is node else None
        params = {param.name.value: param for param in all_params(node.params) if param.name.value != self_name}
        by_name: Dict[str, List[_Site]] = {}
        for site in sorted(facts.sites, key=lambda s: s.order):
            by_name.setdefault(site.name, []).append(site)
        for name, named in by_name.items():
            if name in facts.non_local or _STEP_WORDS.search(name) or not self._received(name, params, facts):
                continue
            for segment in _segments(named, facts.assignments.get(name, [])):
                self._check(node, name, segment, params, facts)

    def _received(self, name: str, params: Dict[str, cst.Param], facts: _Function) -> bool:
        """Is ``name`` a parameter, or a local computed from one?"""
        if name in params:
            return True
        return any(
            assignment.value is not None and _mentions(assignment.value, params)
            for assignment in facts.assignments.get(name, [])
        )

    def _check(self, function: cst.FunctionDef, name: str, segment: List[_Site], params: Dict[str, cst.Param], facts: _Function) -> None:
        assignments = facts.assignments.get(name, [])
        repeated = [site for site in segment if self._repeated(site, assignments)]
        involved: Dict[int, _Site] = {}
        for index, later in enumerate(segment):
            for earlier in segment[:index]:
                if paths.may_follow(earlier.path, later.path):
                    involved.setdefault(id(earlier), earlier)
                    involved.setdefault(id(later), later)
        if not repeated and not involved:
            return
        if repeated:
            anchor = repeated[0]
            what = f"{anchor.wait.label} in a loop"
            total = f"every round can wait the whole `{name}`"
        else:
            calls = sorted(involved.values(), key=lambda site: site.order)
            anchor = calls[1]
            labels = ", ".join(dict.fromkeys(site.wait.label for site in calls))
            what = f"{len(calls)} blocking calls in sequence ({labels})"
            total = f"together they can wait {len(calls)} × `{name}`"
        message = self.message.format(name=name, what=what, total=total)
        fix = None if repeated else self._fix(function, name, segment, params, facts)
        statement = next((step[0] for step in reversed(anchor.path) if isinstance(step[0], cst.SimpleStatementLine)), anchor.call)
        self.ctx.reports.append(PendingReport(self, anchor.arg, statement, message, fix, []))

    def _repeated(self, site: _Site, assignments: List[_Assignment]) -> bool:
        """Does a ``for`` loop or comprehension run the call again with the same value?"""
        depth = paths.repeating_loop(site.path)
        if depth is None:
            return False
        loop = site.path[depth][0]
        if any(any(step[0] is loop for step in assignment.path) for assignment in assignments):
            return False  # the name is assigned in the loop: each round has its own value
        text = self.ctx.module.code_for_node(loop)
        if isinstance(loop, cst.For) and any(word in self.ctx.module.code_for_node(loop.iter) for word in _ENDLESS):
            return False  # ``for _ in itertools.count()``: a service loop
        if any(word in text for word in _CLOCK_WORDS):
            return False  # a loop bounded by a deadline polls
        if isinstance(loop, cst.For) and paths.leaves_after(site.path, depth):
            return False  # a retry: the loop ends once the call succeeds
        return True

    # -- the fix --------------------------------------------------------------------------

    def _fix(self, function: cst.FunctionDef, name: str, segment: List[_Site], params: Dict[str, cst.Param], facts: _Function) -> Optional[PendingFix]:
        if any(_in_loop(site.path) for site in segment):
            return None
        if not self._numeric(name, segment, params, facts):
            return None
        for index, later in enumerate(segment):
            if any(not paths.may_follow(earlier.path, later.path) for earlier in segment[:index]):
                return None
        depth = _common_block(segment)
        if depth is None or any(paths.branches_within(site.path, depth) for site in segment):
            return None
        block = segment[0].path[depth][0]
        if not isinstance(block, cst.IndentedBlock):
            return None
        budget = next((candidate for candidate in _BUDGET_NAMES if self._free(candidate, function)), None)
        reference = self.ctx.reference(self.ctx.settings.budget_import, "Budget")
        if budget is None or reference is None:
            return None
        expression, need = reference
        first = segment[0].path[depth][2]
        assert first is not None
        remaining = cst.Attribute(cst.Name(budget), cst.Name("remaining"))
        body = list(block.body)
        rewrite = _Replace({id(site.arg.value) for site in segment}, remaining)
        for index in {site.path[depth][2] for site in segment}:
            assert index is not None
            body[index] = body[index].visit(rewrite)  # type: ignore[assignment]
        anchor = body[first]
        lines = list(getattr(anchor, "leading_lines", ()))
        blank = 0
        while blank < len(lines) and lines[blank].comment is None:
            blank += 1
        created = cst.SimpleStatementLine(
            body=[cst.Assign(targets=[cst.AssignTarget(cst.Name(budget))], value=cst.Call(expression, [cst.Arg(cst.Name(name))]))],
            leading_lines=lines[:blank],
        )
        body[first] = anchor.with_changes(leading_lines=lines[blank:])
        body.insert(first, created)
        return PendingFix(
            title=self.fix_title or "",
            applicability=Applicability.UNSAFE,
            replacements=[(block, block.with_changes(body=body))],
            imports=[need] if need is not None else [],
        )

    def _numeric(self, name: str, segment: List[_Site], params: Dict[str, cst.Param], facts: _Function) -> bool:
        """Is the value known to be seconds (or None), as ``Budget()`` needs?"""
        structured = any(site.wait.label.startswith(_STRUCTURED_TIMEOUTS) for site in segment)
        param = params.get(name)
        if param is not None:
            if param.star:
                return False
            if param.default is not None and not _is_number_or_none(param.default):
                return False
            annotation = param.annotation
            if annotation is not None:
                text = " ".join(self.ctx.module.code_for_node(annotation.annotation).split())
                return text in _NUMERIC_ANNOTATIONS
            if structured:
                return False
        assignments = facts.assignments.get(name, [])
        if structured and param is None:
            return False
        return all(assignment.value is not None and _arithmetic(assignment.value) for assignment in assignments)

    def _free(self, candidate: str, function: cst.FunctionDef) -> bool:
        """Not a word of the function's code (nested functions included: a new local
        would shadow a global they read)."""
        return re.search(rf"\b{candidate}\b", self.ctx.module.code_for_node(function)) is None


class _Replace(cst.CSTTransformer):
    """Replace the nodes of the given identities, all in one pass."""

    def __init__(self, targets: set, replacement: cst.BaseExpression) -> None:
        super().__init__()
        self.targets = targets
        self.replacement = replacement

    def on_leave(self, original_node: cst.CSTNode, updated_node: cst.CSTNode) -> Any:
        return self.replacement if id(original_node) in self.targets else updated_node


# -- reading a function ---------------------------------------------------------------------


def _read(function: cst.FunctionDef, sites: List[_Site]) -> _Function:
    """The sites' places and order, and every assignment of a name, in ``function``."""
    facts = _Function()
    by_call = {id(site.call): site for site in sites}
    counter = [0]

    def visit(node: cst.CSTNode, path: paths.Path) -> None:
        counter[0] += 1
        order = counter[0]
        if isinstance(node, cst.Name):
            facts.names.add(node.value)
            return
        if isinstance(node, cst.Call):
            site = by_call.get(id(node))
            if site is not None and site.call is node:
                site.order, site.path = order, path
            return
        for name, value in _bound(node, path):
            facts.assignments.setdefault(name, []).append(_Assignment(order, path, node, value))
        if isinstance(node, (cst.Global, cst.Nonlocal)):
            facts.non_local.update(item.name.value for item in node.names)

    paths.walk(function, visit)
    facts.sites = [site for site in sites if site.path]
    return facts


def _bound(node: cst.CSTNode, path: paths.Path) -> Iterator[Tuple[str, Optional[cst.CSTNode]]]:
    """The names ``node`` binds, with the value bound when it is an expression."""
    if not path:
        return
    if isinstance(node, cst.Assign):
        for target in node.targets:
            simple = isinstance(target.target, cst.Name)
            for name in assigned_names(target.target):
                yield name, node.value if simple else None
    elif isinstance(node, cst.AnnAssign) and node.value is not None:
        for name in assigned_names(node.target):
            yield name, node.value
    elif isinstance(node, cst.AugAssign):
        for name in assigned_names(node.target):
            yield name, node
    elif isinstance(node, cst.NamedExpr):
        for name in assigned_names(node.target):
            yield name, node.value
    elif isinstance(node, (cst.For, cst.CompFor)):
        for name in assigned_names(node.target):
            yield name, None
    elif isinstance(node, cst.WithItem) and node.asname is not None:
        for name in assigned_names(node.asname.name):
            yield name, None
    elif isinstance(node, cst.ExceptHandler) and node.name is not None:
        yield from ((name, None) for name in assigned_names(node.name.name))
    elif isinstance(node, (cst.FunctionDef, cst.ClassDef)):
        yield node.name.value, None
    elif isinstance(node, cst.Del):
        yield from ((name, None) for name in assigned_names(node.target))


def _segments(sites: List[_Site], assignments: List[_Assignment]) -> Iterator[List[_Site]]:
    """The sites in runs with no assignment of the name between two of them."""
    segment: List[_Site] = []
    for site in sites:
        if segment and any(_between(segment[-1], assignment, site) for assignment in assignments):
            yield segment
            segment = []
        segment.append(site)
    if segment:
        yield segment


def _inside(site: _Site, node: cst.CSTNode) -> bool:
    return any(step[0] is node for step in site.path)


def _between(earlier: _Site, assignment: _Assignment, later: _Site) -> bool:
    """Does ``assignment`` run after ``earlier`` and before ``later``? (A call in the value
    of an assignment runs before it.)"""
    after_earlier = assignment.order > earlier.order or _inside(earlier, assignment.node)
    before_later = assignment.order < later.order and not _inside(later, assignment.node)
    return after_earlier and before_later


def _mentions(value: cst.CSTNode, params: Dict[str, cst.Param]) -> bool:
    """Does the expression read one of the parameters (not as an attribute name)?"""
    found = [False]

    def visit(node: cst.CSTNode, path: paths.Path) -> None:
        if isinstance(node, cst.Name) and node.value in params:
            if not (path and isinstance(path[-1][0], cst.Attribute) and path[-1][1] == "attr"):
                found[0] = True

    paths.walk(value, visit)
    return found[0]


def _is_number_or_none(node: cst.BaseExpression) -> bool:
    if isinstance(node, (cst.Integer, cst.Float)):
        return True
    if isinstance(node, cst.Name):
        return node.value == "None"
    if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Minus):
        return _is_number_or_none(node.expression)
    return False


def _arithmetic(node: cst.CSTNode) -> bool:
    """Arithmetic on names and numbers (``timeout or 30``, ``max(timeout, 1)``): a number."""
    if isinstance(node, (cst.Integer, cst.Float, cst.Name)):
        return True
    if isinstance(node, cst.AugAssign):
        return _arithmetic(node.value)
    if isinstance(node, cst.BinaryOperation):
        return _arithmetic(node.left) and _arithmetic(node.right)
    if isinstance(node, cst.BooleanOperation):
        return _arithmetic(node.left) and _arithmetic(node.right)
    if isinstance(node, cst.UnaryOperation):
        return _arithmetic(node.expression)
    if isinstance(node, cst.Call) and isinstance(node.func, cst.Name) and node.func.value in ("min", "max", "float", "int"):
        return all(_arithmetic(arg.value) for arg in node.args)
    return False


def _in_loop(path: paths.Path) -> bool:
    return any(
        (isinstance(node, (cst.For, cst.While)) and field in ("body", "test")) or isinstance(node, paths.COMPREHENSIONS)
        for node, field, _ in path
    )


def _common_block(segment: Sequence[_Site]) -> Optional[int]:
    """The depth of the innermost statement block holding every site."""
    first = segment[0].path
    shared = len(first)
    for site in segment[1:]:
        count = 0
        for step_a, step_b in zip(first, site.path):
            if step_a[0] is not step_b[0]:
                break
            count += 1
        shared = min(shared, count)
    for depth in range(min(shared, len(first)) - 1, -1, -1):
        node, field, index = first[depth]
        if isinstance(node, cst.IndentedBlock) and field == "body" and index is not None:
            return depth
    return None
