"""Shared knowledge about the APIs the rules reason about: qualified names, constructors and
what they return, methods that return known types. One module so that rules agree.

Qualified names are the canonical import paths (``subprocess.run``); aliases such as
``asyncio.tasks.gather`` are normalised through :data:`ALIASES`.
"""

from __future__ import annotations

import sys

import libcst as cst

# Canonical spelling of names that are importable from more than one module.
ALIASES: dict[str, str] = {
    "asyncio.tasks.gather": "asyncio.gather",
    "asyncio.tasks.wait": "asyncio.wait",
    "asyncio.tasks.wait_for": "asyncio.wait_for",
    "asyncio.tasks.as_completed": "asyncio.as_completed",
    "asyncio.timeouts.timeout": "asyncio.timeout",
    "asyncio.timeouts.timeout_at": "asyncio.timeout_at",
    "concurrent.futures.thread.ThreadPoolExecutor": "concurrent.futures.ThreadPoolExecutor",
    "concurrent.futures.process.ProcessPoolExecutor": "concurrent.futures.ProcessPoolExecutor",
    "concurrent.futures._base.Future": "concurrent.futures.Future",
    "concurrent.futures._base.wait": "concurrent.futures.wait",
    "concurrent.futures._base.as_completed": "concurrent.futures.as_completed",
    "concurrent.futures._base.DoneAndNotDoneFutures": "concurrent.futures.DoneAndNotDoneFutures",
    "concurrent.futures._base.TimeoutError": "concurrent.futures.TimeoutError",
    "asyncio.exceptions.TimeoutError": "asyncio.TimeoutError",
    "asyncio.events.AbstractEventLoop": "asyncio.AbstractEventLoop",
    "asyncio.base_events.BaseEventLoop": "asyncio.BaseEventLoop",
    "asyncio.events.get_running_loop": "asyncio.get_running_loop",
    "asyncio.events.get_event_loop": "asyncio.get_event_loop",
    "asyncio.events.new_event_loop": "asyncio.new_event_loop",
    "asyncio.threads.to_thread": "asyncio.to_thread",
    "asyncio.tasks.run_coroutine_threadsafe": "asyncio.run_coroutine_threadsafe",
    "asyncio.tasks.create_task": "asyncio.create_task",
    "asyncio.tasks.ensure_future": "asyncio.ensure_future",
    "concurrent.futures._base.Executor": "concurrent.futures.Executor",
    "requests.api.get": "requests.get",
    "requests.api.post": "requests.post",
    "requests.api.put": "requests.put",
    "requests.api.patch": "requests.patch",
    "requests.api.delete": "requests.delete",
    "requests.api.head": "requests.head",
    "requests.api.options": "requests.options",
    "requests.api.request": "requests.request",
    "requests.sessions.Session": "requests.Session",
    "requests.sessions.session": "requests.session",
    "aiohttp.client.ClientSession": "aiohttp.ClientSession",
    "multiprocessing.queues.Queue": "multiprocessing.Queue",
    "multiprocessing.queues.JoinableQueue": "multiprocessing.JoinableQueue",
    "multiprocessing.context.Process": "multiprocessing.Process",
    "multiprocessing.process.BaseProcess": "multiprocessing.Process",
}

# Calls that construct (or return) an object of a known type: qualified name -> type.
CONSTRUCTORS: dict[str, str] = {
    "subprocess.Popen": "subprocess.Popen",
    "concurrent.futures.ThreadPoolExecutor": "concurrent.futures.ThreadPoolExecutor",
    "concurrent.futures.ProcessPoolExecutor": "concurrent.futures.ProcessPoolExecutor",
    "concurrent.futures.Future": "concurrent.futures.Future",
    "threading.Thread": "threading.Thread",
    "threading.Timer": "threading.Thread",
    "threading.Event": "threading.Event",
    "threading.Condition": "threading.Condition",
    "threading.Barrier": "threading.Barrier",
    "threading.Lock": "threading.Lock",
    "threading.RLock": "threading.RLock",
    "threading.Semaphore": "threading.Semaphore",
    "threading.BoundedSemaphore": "threading.Semaphore",
    "queue.Queue": "queue.Queue",
    "queue.LifoQueue": "queue.Queue",
    "queue.PriorityQueue": "queue.Queue",
    "queue.SimpleQueue": "queue.SimpleQueue",
    "multiprocessing.Process": "multiprocessing.Process",
    "multiprocessing.Queue": "multiprocessing.Queue",
    "multiprocessing.JoinableQueue": "multiprocessing.Queue",
    "multiprocessing.Pool": "multiprocessing.pool.Pool",
    "multiprocessing.pool.Pool": "multiprocessing.pool.Pool",
    "multiprocessing.pool.ThreadPool": "multiprocessing.pool.Pool",
    "requests.Session": "requests.Session",
    "requests.session": "requests.Session",
    "urllib.request.build_opener": "urllib.request.OpenerDirector",
    "urllib.request.OpenerDirector": "urllib.request.OpenerDirector",
    "httpx.Client": "httpx.Client",
    "httpx.AsyncClient": "httpx.AsyncClient",
    "aiohttp.ClientSession": "aiohttp.ClientSession",
    "socket.socket": "socket.socket",
    "socket.create_connection": "socket.socket",
    "asyncio.run_coroutine_threadsafe": "concurrent.futures.Future",
    "asyncio.create_task": "asyncio.Task",
    "asyncio.ensure_future": "asyncio.Future",
    "contextvars.copy_context": "contextvars.Context",
    "contextvars.ContextVar": "contextvars.ContextVar",
    "asyncio.get_running_loop": "asyncio.AbstractEventLoop",
    "asyncio.get_event_loop": "asyncio.AbstractEventLoop",
    "asyncio.new_event_loop": "asyncio.AbstractEventLoop",
    "concurrent.futures.wait": "concurrent.futures.DoneAndNotDoneFutures",
}



def annotated_type(qualname: str) -> str:
    """The type an annotation naming ``qualname`` says a value is: a class whose
    constructor is known stands for the type it constructs (``multiprocessing.Pool`` is a
    ``multiprocessing.pool.Pool``, ``queue.LifoQueue`` a ``queue.Queue``)."""
    last = qualname.rsplit(".", 1)[-1]
    if last[:1].isupper() and qualname in CONSTRUCTORS:
        return CONSTRUCTORS[qualname]
    return qualname


# The types the rules ask about most, by their canonical names.
FUTURE = "concurrent.futures.Future"
THREAD_POOL = "concurrent.futures.ThreadPoolExecutor"
PROCESS_POOL = "concurrent.futures.ProcessPoolExecutor"
EXECUTOR_TYPES: frozenset[str] = frozenset({THREAD_POOL, PROCESS_POOL, "concurrent.futures.Executor"})
CONTEXT = "contextvars.Context"
CONTEXT_VAR = "contextvars.ContextVar"
PARTIAL = "functools.partial"

# A future known to have finished: from ``as_completed(...)`` or the done set of ``wait(...)``.
# Waiting on it returns at once, so no rule treats it as a pending ``Future``.
DONE_FUTURE = "concurrent.futures.Future[done]"

# Calls that return a collection of a known element type: qualified name -> element type.
SEQUENCE_RETURNS: dict[str, str] = {
    "concurrent.futures.as_completed": DONE_FUTURE,
}

# (type, attribute) -> the attribute's type, and the types a tuple target unpacks into.
ATTRIBUTE_TYPES: dict[tuple[str, str], str] = {
    ("concurrent.futures.DoneAndNotDoneFutures", "done"): "seq:" + DONE_FUTURE,
    ("concurrent.futures.DoneAndNotDoneFutures", "not_done"): "seq:concurrent.futures.Future",
}
UNPACKS: dict[str, tuple[str, ...]] = {
    "concurrent.futures.DoneAndNotDoneFutures": ("seq:" + DONE_FUTURE, "seq:concurrent.futures.Future"),
}

# Builtins that copy a collection (their result holds the same elements), and annotations
# of collections whose first parameter is the element type (``list[Future]``).
COPIES: frozenset[str] = frozenset({"builtins.list", "builtins.set", "builtins.tuple", "builtins.sorted", "builtins.frozenset"})
EMPTY_COLLECTIONS: frozenset[str] = frozenset({"builtins.list", "builtins.set", "collections.deque"})
SEQUENCE_ANNOTATIONS: frozenset[str] = frozenset(
    {
        "builtins.list", "builtins.set", "builtins.frozenset", "builtins.tuple", "collections.deque",
        "typing.List", "typing.Set", "typing.FrozenSet", "typing.Tuple", "typing.Sequence", "typing.Iterable",
        "typing.Iterator", "typing.Collection", "typing.MutableSequence", "typing.AbstractSet", "typing.Deque",
        "collections.abc.Sequence", "collections.abc.Iterable", "collections.abc.Iterator",
        "collections.abc.Collection", "collections.abc.MutableSequence", "collections.abc.Set",
    }
)
# Methods that add one element to a collection, and those that add every element of another.
ADDS_ONE: frozenset[str] = frozenset({"append", "add", "appendleft"})
ADDS_ALL: frozenset[str] = frozenset({"extend", "update"})

# (receiver type, method) -> the type the method returns.
METHOD_RETURNS: dict[tuple[str, str], str] = {
    ("concurrent.futures.ThreadPoolExecutor", "submit"): "concurrent.futures.Future",
    ("concurrent.futures.ProcessPoolExecutor", "submit"): "concurrent.futures.Future",
    ("concurrent.futures.Executor", "submit"): "concurrent.futures.Future",
    ("asyncio.AbstractEventLoop", "run_in_executor"): "asyncio.Future",
    ("asyncio.AbstractEventLoop", "create_task"): "asyncio.Task",
    ("multiprocessing.pool.Pool", "apply_async"): "multiprocessing.pool.AsyncResult",
    ("multiprocessing.pool.Pool", "map_async"): "multiprocessing.pool.AsyncResult",
    ("multiprocessing.pool.Pool", "starmap_async"): "multiprocessing.pool.AsyncResult",
}

# Types whose ``__enter__`` returns the object itself (``with X() as x`` binds an X).
ENTER_RETURNS_SELF: frozenset[str] = frozenset(
    {
        "subprocess.Popen",
        "concurrent.futures.ThreadPoolExecutor",
        "concurrent.futures.ProcessPoolExecutor",
        "multiprocessing.pool.Pool",
        "requests.Session",
        "socket.socket",
        "httpx.Client",
        "httpx.AsyncClient",
        "aiohttp.ClientSession",
    }
)

# Constructors whose arguments change what the object does: (qualified name) ->
# (parameter, position, variant suffix, does a literal positive number select it?).
# ``queue.Queue(10)`` is bounded (``put`` waits when full), ``Barrier(n, timeout=5)`` has
# its own default timeout (``wait()`` is bounded).
_VARIANTS: dict[str, tuple[str, int, str]] = {
    "queue.Queue": ("maxsize", 0, "[bounded]"),
    "queue.LifoQueue": ("maxsize", 0, "[bounded]"),
    "queue.PriorityQueue": ("maxsize", 0, "[bounded]"),
    "multiprocessing.Queue": ("maxsize", 0, "[bounded]"),
    "multiprocessing.JoinableQueue": ("maxsize", 0, "[bounded]"),
    "threading.Barrier": ("timeout", 2, "[timeout]"),
}


def constructed_type(qualname: str, call: "cst.Call") -> str:
    """The type ``call`` (a call of the constructor ``qualname``) creates."""
    type_ = CONSTRUCTORS[qualname]
    variant = _VARIANTS.get(qualname)
    if variant is None:
        return type_
    name, position, suffix = variant
    value = None
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == name:
            value = arg.value
    positional = [arg for arg in call.args if arg.keyword is None and not arg.star]
    if value is None and len(positional) > position:
        value = positional[position].value
    if value is None:
        return type_
    if suffix == "[bounded]":
        # Only a literal size is known to bound the queue (0 or less means unbounded).
        bounded = isinstance(value, cst.Integer) and int(value.value, 0) > 0
        return type_ + suffix if bounded else type_
    is_none = isinstance(value, cst.Name) and value.value == "None"
    return type_ if is_none else type_ + suffix

# Wrappers that keep the meaning of their first argument as a type annotation.
OPTIONAL_WRAPPERS: frozenset[str] = frozenset({"typing.Optional", "typing_extensions.Optional"})

# Known subclasses that behave like a base for our purposes.
SUBTYPES: dict[str, str] = {
    "asyncio.subprocess.Process": "asyncio.subprocess.Process",
}


# Python 3.9 has no ``sys.stdlib_module_names``: the modules our tables speak of, at least.
_STDLIB_FALLBACK = frozenset(
    "abc argparse asyncio builtins collections concurrent contextlib contextvars dataclasses datetime enum "
    "ftplib functools http imaplib io itertools json logging math multiprocessing os pathlib poplib queue "
    "re selectors signal smtplib socket ssl subprocess sys telnetlib threading time types typing "
    "typing_extensions unittest urllib uuid warnings weakref".split()
)
STDLIB_MODULES: frozenset[str] = frozenset(getattr(sys, "stdlib_module_names", ())) | _STDLIB_FALLBACK
# Third-party libraries whose types the tables describe: never a class of the project.
LIBRARIES: frozenset[str] = frozenset(
    {"requests", "httpx", "aiohttp", "urllib3", "anyio", "trio", "async_timeout", "typing_extensions"}
)


def is_library_name(qualname: str, project_top: str = "") -> bool:
    """Is ``qualname`` in the standard library, the builtins or a library the tables
    describe (so not something the project defines)? ``project_top`` is the top-level
    package of the file asking: a project may shadow a stdlib name with its own package."""
    top = qualname.split(".", 1)[0]
    if top == project_top and top != "builtins":
        return False
    return top == "builtins" or top in STDLIB_MODULES or top in LIBRARIES
