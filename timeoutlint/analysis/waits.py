"""The blocking APIs: which calls wait, where their timeout goes, and what each one reads as
"forever". One table, so that the TL3xx rules (and the async rules asking "does this call
block?") agree.

The meaning of a value differs from API to API (measured on CPython 3.9-3.13, and checked
by ``tests/analysis/test_wait_semantics.py`` with real threads):

=================================  ========  ========  ==========  =====  ===============
API                                None      -1        negative    0      inf
=================================  ========  ========  ==========  =====  ===============
``Lock``/``RLock.acquire``         TypeError forever   ValueError  poll   OverflowError
``Semaphore.acquire``              forever   poll      poll        poll   OverflowError
``Thread.join``, ``Event.wait``,   forever   poll      poll        poll   OverflowError
``Condition.wait``
``queue.Queue.get``/``put``        forever   ValueError ValueError poll   OverflowError
``Future.result``, ``wait``        forever   poll      poll        poll   OverflowError
``Barrier.wait``                   the barrier's own timeout (forever without one)
``socket.settimeout``              forever   ValueError ValueError non-blocking OverflowError
``subprocess``, ``asyncio``        forever   poll      poll        poll   forever
=================================  ========  ========  ==========  =====  ===============
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Iterable, Optional

import libcst as cst

from timeoutlint.analysis.bindings import is_none
from timeoutlint.analysis.callargs import argument, has_star_args, has_star_kwargs
from timeoutlint.analysis.definitions import FileTypes
from timeoutlint.analysis.types import mro
from timeoutlint.rule import Attr, Word

# The kinds of literal timeout values the table speaks of.
NONE = "None"
MINUS_ONE = "-1"
NEGATIVE = "negative"
ZERO = "0"
INF = "inf"

_NONE_ONLY = frozenset({NONE})
_NONE_INF = frozenset({NONE, INF})

# The rules the table feeds.
FUTURES = "TL301"
THREADS = "TL302"
SUBPROCESSES = "TL303"
NETWORK = "TL304"
USER_RULES = (FUTURES, THREADS, SUBPROCESSES, NETWORK)  # the rules taking ``blocking-calls``
ASYNC = "async"  # asyncio waits: their omission is TL201/TL202's, an explicit forever TL305's


@dataclass(frozen=True)
class Wait:
    """One blocking API."""

    rule: str
    label: str
    timeout: str = "timeout"
    position: Optional[int] = None
    # What the API reads as "wait forever" when passed explicitly.
    forever: frozenset[str] = _NONE_ONLY
    # A parameter that, passed ``False``, makes the call not wait at all (``block=False``).
    block: Optional[tuple[str, Optional[int]]] = None
    # Is omitting the timeout a wait without end? (httpx has a 5 s default; asyncio's
    # omissions belong to the async rules.)
    omission: bool = True
    # The call returns a status when the timeout expires (``Thread.join``, ``Event.wait``):
    # inserting a timeout would turn a hang into silently carrying on, so no fix is offered.
    status: bool = False
    # The call connects only when this argument is given (``smtplib.SMTP()`` does not).
    needs: Optional[tuple[str, int]] = None
    # The omitted timeout is ``socket.getdefaulttimeout()``: a file that sets one is bounded.
    global_default: bool = False
    # What to write instead of an explicit forever (TL305's message).
    advice: str = "pass a finite number of seconds"
    # Other parameters the API also reads as forever when ``None`` (``httpx.Timeout(read=None)``).
    phases: tuple[str, ...] = ()
    # Parameters whose finite value bounds the call even when the timeout is forever
    # (``aiohttp.ClientTimeout(total=None, sock_read=30)`` bounds every read).
    bounded_by: tuple[str, ...] = ()
    # Does the call block the calling thread (TL203's question)? Not a configuration object
    # (``httpx.Timeout``), a client constructor, or a method of an async client.
    blocks: bool = True

    def with_label(self, label: str) -> "Wait":
        return Wait(**{**self.__dict__, "label": label})


def _w(rule: str, label: str, *args: Any, **kwargs: Any) -> Wait:
    return Wait(rule, label, *args, **kwargs)


_FUTURE_ADVICE = "pass a finite number of seconds and handle `TimeoutError`"
_THREAD_ADVICE = "pass a finite number of seconds and check the result"
_QUEUE_ADVICE = "pass a finite number of seconds and handle `queue.Empty`/`queue.Full`"
_LOCK_ADVICE = "pass a finite `timeout` and check the result (`-1` means forever here)"
_REQUESTS_ADVICE = "pass `timeout=(connect, read)` in seconds"
_SOCKET_ADVICE = "pass a finite number of seconds"
_ASYNC_ADVICE = "pass a finite number of seconds, or drop the wrapper if nothing should time out"

# Functions, by qualified name.
FUNCTIONS: dict[str, Wait] = {
    # futures
    "concurrent.futures.wait": _w(FUTURES, "concurrent.futures.wait()", position=1, advice=_FUTURE_ADVICE),
    "concurrent.futures.as_completed": _w(FUTURES, "concurrent.futures.as_completed()", position=1, advice=_FUTURE_ADVICE),
    # subprocesses
    **{
        f"subprocess.{name}": _w(SUBPROCESSES, f"subprocess.{name}()", forever=_NONE_INF, advice="pass a finite number of seconds")
        for name in ("run", "call", "check_call", "check_output")
    },
    # network
    **{
        f"requests.{name}": _w(NETWORK, f"requests.{name}()", advice=_REQUESTS_ADVICE)
        for name in ("get", "post", "put", "patch", "delete", "head", "options", "request")
    },
    "urllib.request.urlopen": _w(NETWORK, "urllib.request.urlopen()", position=2, global_default=True),
    "socket.create_connection": _w(NETWORK, "socket.create_connection()", position=1, global_default=True),
    "http.client.HTTPConnection": _w(NETWORK, "http.client.HTTPConnection()", position=2, global_default=True),
    # ``key_file``/``cert_file`` came before ``timeout`` until 3.12: any third positional counts.
    "http.client.HTTPSConnection": _w(NETWORK, "http.client.HTTPSConnection()", position=2, global_default=True),
    "ftplib.FTP": _w(NETWORK, "ftplib.FTP()", position=4, needs=("host", 0), global_default=True),
    "ftplib.FTP_TLS": _w(NETWORK, "ftplib.FTP_TLS()", position=4, needs=("host", 0), global_default=True),
    "smtplib.SMTP": _w(NETWORK, "smtplib.SMTP()", position=3, needs=("host", 0), global_default=True),
    "smtplib.SMTP_SSL": _w(NETWORK, "smtplib.SMTP_SSL()", position=3, needs=("host", 0), global_default=True),
    "imaplib.IMAP4": _w(NETWORK, "imaplib.IMAP4()", position=2, global_default=True),
    "imaplib.IMAP4_SSL": _w(NETWORK, "imaplib.IMAP4_SSL()", position=2, global_default=True),
    "poplib.POP3": _w(NETWORK, "poplib.POP3()", position=2, global_default=True),
    "poplib.POP3_SSL": _w(NETWORK, "poplib.POP3_SSL()", position=2, global_default=True),
    "telnetlib.Telnet": _w(NETWORK, "telnetlib.Telnet()", position=2, needs=("host", 0), global_default=True),
    "socket.setdefaulttimeout": _w(NETWORK, "socket.setdefaulttimeout()", position=0, omission=False, advice=_SOCKET_ADVICE, blocks=False),
    # httpx: a 5 s default, so only an explicit forever is reported
    **{
        f"httpx.{name}": _w(
            NETWORK, f"httpx.{name}()", omission=False, blocks=name not in ("Client", "AsyncClient"),
            advice="keep httpx's default or pass `httpx.Timeout(...)` with finite values",
        )
        for name in ("get", "post", "put", "patch", "delete", "head", "options", "request", "stream", "Client", "AsyncClient")
    },
    "httpx.Timeout": _w(
        NETWORK, "httpx.Timeout()", position=0, omission=False, phases=("connect", "read", "write", "pool"),
        advice="give every phase a finite number of seconds", blocks=False,
    ),
    "aiohttp.ClientTimeout": _w(
        NETWORK, "aiohttp.ClientTimeout()", timeout="total", position=0, omission=False,
        bounded_by=("sock_read",), advice="give `total` (or `sock_read`) a finite number of seconds", blocks=False,
    ),
    # asyncio
    "asyncio.wait_for": _w(ASYNC, "asyncio.wait_for()", position=1, forever=_NONE_INF, omission=False, advice=_ASYNC_ADVICE),
    "asyncio.timeout": _w(ASYNC, "asyncio.timeout()", timeout="delay", position=0, forever=_NONE_INF, omission=False, advice=_ASYNC_ADVICE),
    "asyncio.timeout_at": _w(ASYNC, "asyncio.timeout_at()", timeout="when", position=0, forever=_NONE_INF, omission=False, advice=_ASYNC_ADVICE),
    "asyncio.wait": _w(ASYNC, "asyncio.wait()", position=1, forever=_NONE_INF, omission=False, advice=_ASYNC_ADVICE),
    "asyncio.as_completed": _w(ASYNC, "asyncio.as_completed()", position=1, forever=_NONE_INF, omission=False, advice=_ASYNC_ADVICE),
    "async_timeout.timeout": _w(ASYNC, "async_timeout.timeout()", position=0, forever=_NONE_INF, omission=False, advice=_ASYNC_ADVICE),
}

_LOCK = dict(timeout="timeout", position=1, forever=frozenset({MINUS_ONE}), block=("blocking", 0), status=True, advice=_LOCK_ADVICE)
_SEMAPHORE = dict(timeout="timeout", position=1, block=("blocking", 0), status=True, advice=_THREAD_ADVICE)
_GET = dict(position=1, block=("block", 0), advice=_QUEUE_ADVICE)
_PUT = dict(position=2, block=("block", 1), advice=_QUEUE_ADVICE)
_SESSION_METHODS = ("get", "post", "put", "patch", "delete", "head", "options", "request", "send")

# Methods, by (receiver type, method).
METHODS: dict[tuple[str, str], Wait] = {
    # futures
    ("concurrent.futures.Future", "result"): _w(FUTURES, "Future.result()", position=0, advice=_FUTURE_ADVICE),
    ("concurrent.futures.Future", "exception"): _w(FUTURES, "Future.exception()", position=0, advice=_FUTURE_ADVICE),
    ("multiprocessing.pool.AsyncResult", "get"): _w(FUTURES, "AsyncResult.get()", position=0, advice=_FUTURE_ADVICE),
    ("multiprocessing.pool.AsyncResult", "wait"): _w(FUTURES, "AsyncResult.wait()", position=0, status=True, advice=_THREAD_ADVICE),
    # threads and processes
    ("threading.Thread", "join"): _w(THREADS, "Thread.join()", position=0, status=True, advice=_THREAD_ADVICE),
    ("multiprocessing.Process", "join"): _w(THREADS, "Process.join()", position=0, status=True, advice=_THREAD_ADVICE),
    ("threading.Event", "wait"): _w(THREADS, "Event.wait()", position=0, status=True, advice=_THREAD_ADVICE),
    ("threading.Condition", "wait"): _w(THREADS, "Condition.wait()", position=0, status=True, advice=_THREAD_ADVICE),
    ("threading.Condition", "wait_for"): _w(THREADS, "Condition.wait_for()", position=1, status=True, advice=_THREAD_ADVICE),
    ("threading.Barrier", "wait"): _w(THREADS, "Barrier.wait()", position=0, advice="pass a finite number of seconds (or give the Barrier a timeout)"),
    ("threading.Lock", "acquire"): _w(THREADS, "Lock.acquire()", **_LOCK),
    ("threading.RLock", "acquire"): _w(THREADS, "RLock.acquire()", **_LOCK),
    ("threading.Semaphore", "acquire"): _w(THREADS, "Semaphore.acquire()", **_SEMAPHORE),
    ("threading.Condition", "acquire"): _w(THREADS, "Condition.acquire()", **_LOCK),
    ("queue.Queue", "get"): _w(THREADS, "Queue.get()", **_GET),
    ("queue.Queue[bounded]", "get"): _w(THREADS, "Queue.get()", **_GET),
    ("queue.Queue[bounded]", "put"): _w(THREADS, "Queue.put()", **_PUT),
    ("queue.SimpleQueue", "get"): _w(THREADS, "SimpleQueue.get()", **_GET),
    ("multiprocessing.Queue", "get"): _w(THREADS, "multiprocessing.Queue.get()", **_GET),
    ("multiprocessing.Queue[bounded]", "get"): _w(THREADS, "multiprocessing.Queue.get()", **_GET),
    ("multiprocessing.Queue[bounded]", "put"): _w(THREADS, "multiprocessing.Queue.put()", **_PUT),
    # subprocesses
    ("subprocess.Popen", "wait"): _w(SUBPROCESSES, "Popen.wait()", position=0, forever=_NONE_INF),
    ("subprocess.Popen", "communicate"): _w(SUBPROCESSES, "Popen.communicate()", position=1, forever=_NONE_INF),
    # network
    **{
        ("requests.Session", name): _w(NETWORK, f"Session.{name}()", position=8 if name == "request" else None, advice=_REQUESTS_ADVICE)
        for name in _SESSION_METHODS
    },
    ("urllib.request.OpenerDirector", "open"): _w(NETWORK, "OpenerDirector.open()", position=2, global_default=True),
    ("socket.socket", "settimeout"): _w(NETWORK, "socket.settimeout()", position=0, omission=False, advice=_SOCKET_ADVICE, blocks=False),
    **{
        (client, name): _w(
            NETWORK, f"{client.split('.')[-1]}.{name}()", omission=False, blocks=client == "httpx.Client",
            advice="keep the client's timeout or pass `httpx.Timeout(...)` with finite values",
        )
        for client in ("httpx.Client", "httpx.AsyncClient")
        for name in ("get", "post", "put", "patch", "delete", "head", "options", "request", "stream", "send")
    },
}

_METHOD_NAMES: frozenset[str] = frozenset(method for _, method in METHODS)

# Types whose blocking methods the table knows, for "is this any blocking call?" questions.
WAIT_TYPES: frozenset[str] = frozenset(type_ for type_, _ in METHODS)


def literal_kind(node: cst.BaseExpression, qualified_name: Any = None) -> Optional[str]:
    """The kind of a literal timeout value: None, -1, another negative number, 0 or
    infinity (``float("inf")``, ``math.inf``); ``None`` when it is anything else."""
    if is_none(node):
        return NONE
    number = _number(node)
    if number is not None:
        if number == -1:
            return MINUS_ONE
        if number < 0:
            return NEGATIVE if math.isfinite(number) else None
        if number == 0:
            return ZERO
        return INF if math.isinf(number) else None
    if qualified_name is not None:
        if isinstance(node, (cst.Attribute, cst.Name)) and qualified_name(node) in ("math.inf", "numpy.inf"):
            return INF
        if (
            isinstance(node, cst.Call)
            and qualified_name(node.func) == "builtins.float"
            and len(node.args) == 1
            and isinstance(node.args[0].value, cst.SimpleString)
            and node.args[0].value.evaluated_value.strip().lower().lstrip("+") in ("inf", "infinity")
        ):
            return INF
    return None


def _number(node: cst.BaseExpression) -> Optional[float]:
    if isinstance(node, (cst.Integer, cst.Float)):
        return float(node.evaluated_value)
    if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Minus):
        inner = _number(node.expression)
        return -inner if inner is not None else None
    return None


def is_false(node: cst.BaseExpression) -> bool:
    return (isinstance(node, cst.Name) and node.value == "False") or (isinstance(node, cst.Integer) and node.value == "0")


def does_not_block(wait: Wait, call: cst.Call) -> bool:
    """``q.get(block=False)``, ``lock.acquire(False)``: the call returns at once."""
    if wait.block is None:
        return False
    name, position = wait.block
    arg = argument(call, name, position)
    return arg is not None and is_false(arg.value)


def timeout_argument(wait: Wait, call: cst.Call) -> Optional[cst.Arg]:
    return argument(call, wait.timeout, wait.position)


def may_carry_timeout(wait: Wait, call: cst.Call) -> bool:
    """Does the call pass the timeout, or might it (``*args`` / ``**kwargs``)?"""
    if timeout_argument(wait, call) is not None or has_star_kwargs(call):
        return True
    return wait.position is not None and has_star_args(call)


def connects(wait: Wait, call: cst.Call) -> bool:
    """``smtplib.SMTP()`` with no host creates an unconnected client (``connect()`` later)."""
    if wait.needs is None:
        return True
    name, position = wait.needs
    return argument(call, name, position) is not None or has_star_args(call) or has_star_kwargs(call)


@dataclass(frozen=True)
class UserWait:
    """A blocking callable the user named in ``[tool.timeoutlint.rules.TL30x]``."""

    name: str
    timeout: str = "timeout"
    position: Optional[int] = None


BLOCKING_CALLS_OPTION = "blocking-calls"
_USER_KEYS = {"name": str, "timeout": str, "position": int}


def critical_section(ctx: Any, call: cst.Call) -> bool:
    """``lock.acquire()`` with ``lock.release()`` in the same function (what ``with lock:``
    writes), or in ``__enter__`` with the release in the same class's ``__exit__``: it
    waits only for another thread's critical section to end, not for another thread to act."""
    receiver = call.func.value if isinstance(call.func, cst.Attribute) else None
    if receiver is None:
        return False
    code = ctx.module.code_for_node
    function = ctx.current_function()
    text = f"{code(receiver)}.release("
    if text in code(function or ctx.module):
        return True
    if function is None or function.name.value not in ("__enter__", "__aenter__"):
        return False
    owner = next((n for n in reversed(ctx.stack) if isinstance(n, cst.ClassDef)), None)
    return owner is not None and any(
        isinstance(statement, cst.FunctionDef) and statement.name.value in ("__exit__", "__aexit__") and text in code(statement)
        for statement in owner.body.body
    )


def check_blocking_calls(value: Any) -> Optional[str]:
    """The problem with a ``blocking-calls`` option value, or None when it is well formed."""
    example = '[{name = "mypkg.client.fetch", timeout = "timeout", position = 1}]'
    if not isinstance(value, list):
        return f"expected a list of tables, e.g. blocking-calls = {example}"
    for index, entry in enumerate(value):
        where = f"entry {index + 1}"
        if not isinstance(entry, dict):
            return f"{where}: expected a table, e.g. {example}"
        for key, item in entry.items():
            if key not in _USER_KEYS:
                close = [k for k in _USER_KEYS if k[:2] == key[:2]]
                hint = f"did you mean {close[0]!r}?" if close else f"expected {', '.join(_USER_KEYS)}"
                return f"{where}: unknown key {key!r}; {hint}"
            kind = _USER_KEYS[key]
            if isinstance(item, bool) or not isinstance(item, kind):
                return f"{where}: {key} must be a {'string' if kind is str else 'whole number'}, got {item!r}"
        name = entry.get("name")
        if name is None:
            return f"{where}: 'name' (the qualified name of the callable) is required, e.g. {example}"
        parts = name.split(".")
        if len(parts) < 2 or not all(part.isidentifier() for part in parts):
            return f"{where}: name {name!r} is not a qualified name such as 'mypkg.client.fetch'"
        if not str(entry.get("timeout", "timeout")).isidentifier():
            return f"{where}: timeout {entry['timeout']!r} is not a parameter name"
        if entry.get("position", 0) < 0:
            return f"{where}: position must be 0 or more, got {entry['position']}"
    return None


def user_triggers(settings: Any, codes: Iterable[str]) -> tuple[str, ...]:
    """The last part of every ``blocking-calls`` name of these rules (``fetch`` of
    ``mypkg.api.fetch``): a file without one cannot call them."""
    names = []
    for code in codes:
        for entry in settings.options_for(code).get(BLOCKING_CALLS_OPTION, ()):
            names.append(dict(entry)["name"].rsplit(".", 1)[-1])
    return tuple(names)


def user_waits(rule: str, frozen: Iterable[Any]) -> dict[str, Wait]:
    """The ``blocking-calls`` option as table entries, keyed by qualified name."""
    table: dict[str, Wait] = {}
    for entry in frozen:
        fields = dict(entry)
        name = fields["name"]
        table[name] = Wait(
            rule,
            f"{name}()",
            timeout=fields.get("timeout", "timeout"),
            position=fields.get("position"),
        )
    return table


# -- finding the wait a call makes ---------------------------------------------------------


def find_wait(ctx: Any, call: cst.Call) -> Optional[Wait]:
    """The table entry of the blocking API ``call`` calls, or None. ``ctx`` is the file's
    context; the answer is kept for the other rules asking about the same call."""
    memo: dict[int, tuple[cst.Call, Optional[Wait]]] = ctx.memo.setdefault("waits.find_wait", {})
    known = memo.get(id(call))
    if known is not None and known[0] is call:
        return known[1]
    found = _find(ctx, call)
    memo[id(call)] = (call, found)
    return found


def _find(ctx: Any, call: cst.Call) -> Optional[Wait]:
    qualname = ctx.qualified_name(call.func)
    if qualname is not None:
        wait = FUNCTIONS.get(qualname) or _user_wait(ctx, qualname)
        if wait is not None or not isinstance(call.func, cst.Attribute) or ctx.resolver.defines(qualname):
            return wait
    func = call.func
    if not isinstance(func, cst.Attribute):
        return None
    method = func.attr.value
    if method not in _METHOD_NAMES and method not in _user_method_names(ctx):
        return None  # no blocking method has this name: the receiver's type is not needed
    receiver = ctx.type_of(func.value)
    if receiver is None:
        return None
    wait = METHODS.get((receiver, method))
    if wait is not None:
        return wait
    base = inherited_from(ctx.resolver, receiver, method)
    if base is not None:
        return METHODS[(base, method)]
    return _user_wait(ctx, f"{receiver}.{method}")


def _user_method_names(ctx: Any) -> frozenset[str]:
    names: Optional[frozenset[str]] = ctx.memo.get("waits.user_methods")
    if names is None:
        names = frozenset(name.rsplit(".", 1)[-1] for name in _user_tables(ctx))
        ctx.memo["waits.user_methods"] = names
    return names


def inherited_from(resolver: Any, type_: str, method: str) -> Optional[str]:
    """For a class of this file deriving from a blocking type without overriding ``method``
    (``class Worker(threading.Thread)``), the base whose ``method`` it runs."""
    source = FileTypes(resolver)
    if not source.covers(type_):
        return None
    classes, _ = mro(type_, source)
    for info in classes:
        defined, _ = source.returns(f"{info.qualname}.{method}")
        if defined:
            return None
        for base in info.bases:
            if (base, method) in METHODS:
                return base
    return None


def overrides_any(resolver: Any, type_: str, methods: Iterable[str]) -> bool:
    """Does a class of this file (or one of its bases in the file) define one of
    ``methods``? (``class ApiSession(requests.Session)`` overriding ``request``.)"""
    source = FileTypes(resolver)
    if not source.covers(type_):
        return False
    classes, _ = mro(type_, source)
    return any(source.returns(f"{info.qualname}.{method}")[0] for info in classes for method in methods)


def _user_wait(ctx: Any, name: str) -> Optional[Wait]:
    return _user_tables(ctx).get(name)


def _user_tables(ctx: Any) -> dict[str, Wait]:
    tables: Optional[dict[str, Wait]] = ctx.memo.get("waits.user")
    if tables is None:
        tables = {}
        for code in USER_RULES:
            tables.update(user_waits(code, ctx.settings.options_for(code).get(BLOCKING_CALLS_OPTION, ())))
        ctx.memo["waits.user"] = tables
    return tables


# The modules every blocking API of the table comes from: a file naming none of them (nor
# a module of a ``blocking-calls`` entry) cannot call one (``Rule.requires``).
WAIT_MODULES: tuple[str, ...] = tuple(
    Word(module)
    for module in sorted(
        {name.split(".")[0] for name in FUNCTIONS} | {owner.split(".")[0] for owner, _ in METHODS}
    )
)

# What a statement calling one of them names: the module (``subprocess.run``, or in the
# import that binds ``run``) or the method (``q.get``).
WAIT_CALLS: tuple[str, ...] = WAIT_MODULES + tuple(Attr(method) for method in sorted(_METHOD_NAMES))


def user_modules(settings: Any, codes: Iterable[str]) -> tuple[str, ...]:
    """The top-level modules of the ``blocking-calls`` names of these rules."""
    if settings is None:
        return ()
    names = []
    for code in codes:
        for entry in settings.options_for(code).get(BLOCKING_CALLS_OPTION, ()):
            names.append(Word(dict(entry)["name"].split(".")[0]))
    return tuple(names)
