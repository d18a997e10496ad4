"""TL404's table of settings that nest: two timeouts set together, in one call or one dict
literal, where one runs inside the other (a connect timeout inside a total, celery's soft
limit inside its hard limit).

Each entry was checked against the library's source:

- ``aiohttp.ClientTimeout``: ``total`` covers the whole request; ``connect`` (taking a
  connection, from the pool or new), ``sock_connect`` (a new connection) and ``sock_read``
  (each read) start after it, and ``sock_connect`` runs inside ``connect``.
- ``urllib3.Timeout``: the connect and read timeouts used are ``min(connect, total)`` and
  ``min(read, total - time spent connecting)``.
- tornado's ``HTTPRequest`` (and ``fetch(..., **kwargs)``, which builds one): the connect
  timeout used is ``min(connect_timeout, request_timeout)``; curl's ``TIMEOUT`` includes its
  ``CONNECTTIMEOUT``.
- ``pika.ConnectionParameters``: ``stack_timeout`` bounds the whole TCP/TLS/AMQP bring-up,
  ``socket_timeout`` its TCP connect ("set stack_timeout higher than socket_timeout").
- celery: the soft time limit raises ``SoftTimeLimitExceeded`` in the task so that it can
  clean up before the hard limit kills the worker process; the same pair under its
  configuration names. A soft limit that does not come well before the hard one never
  gets its cleanup done — the one pair that needs a margin. So does the remote control's
  ``control.time_limit(task, soft=, hard=)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

import libcst as cst

_CLEANUP = "the hard limit kills the worker process before the task can handle `SoftTimeLimitExceeded`"


@dataclass(frozen=True)
class Pair:
    inner: str
    outer: str
    # Does the outer have to leave the inner's expiry time to be handled (``margin``)?
    margin: bool = False
    why: str = ""
    inner_position: Optional[int] = None
    outer_position: Optional[int] = None


@dataclass(frozen=True)
class ApiSettings:
    """Pairs of one API, matched by the qualified name of the call."""

    label: str
    pairs: tuple[Pair, ...]


@dataclass(frozen=True)
class LibrarySettings:
    """Pairs whose names belong to one library: matched in the keywords of a call (any
    call, or one of ``methods``) and the keys of a dict literal, in a file that imports the
    library (or belongs to it)."""

    library: str
    pairs: tuple[Pair, ...]
    methods: Optional[frozenset[str]] = None
    # Are dict literals checked too? (tornado's dicts are ``defaults=``, merged key by key
    # with each request's own settings: a default connect timeout equal to the default
    # request timeout still acts for a request that raises only the latter.)
    mappings: bool = True


_AIOHTTP = ApiSettings(
    "aiohttp.ClientTimeout()",
    (
        Pair("connect", "total", why="the connect timeout never fires first", inner_position=1, outer_position=0),
        Pair("sock_connect", "total", why="the socket connect timeout never fires first", inner_position=3, outer_position=0),
        Pair("sock_read", "total", why="the read timeout never fires first", inner_position=2, outer_position=0),
        Pair("sock_connect", "connect", why="the socket connect timeout never fires first", inner_position=3, outer_position=1),
    ),
)
_URLLIB3 = ApiSettings(
    "urllib3.Timeout()",
    (
        Pair("connect", "total", why="urllib3 uses `min(connect, total)`: the connect timeout never acts", inner_position=1, outer_position=0),
        Pair("read", "total", why="urllib3 uses at most what is left of `total`: the read timeout never acts", inner_position=2, outer_position=0),
    ),
)
_TORNADO_PAIR = Pair(
    "connect_timeout",
    "request_timeout",
    why="tornado connects within `min(connect_timeout, request_timeout)`: the connect timeout never acts",
)
_PIKA = ApiSettings(
    "pika.ConnectionParameters()",
    (Pair("socket_timeout", "stack_timeout", why="the whole connection bring-up times out first: the socket timeout never acts"),),
)

BY_QUALNAME: dict[str, ApiSettings] = {
    "aiohttp.ClientTimeout": _AIOHTTP,
    "aiohttp.client.ClientTimeout": _AIOHTTP,
    "urllib3.Timeout": _URLLIB3,
    "urllib3.util.Timeout": _URLLIB3,
    "urllib3.util.timeout.Timeout": _URLLIB3,
    "tornado.httpclient.HTTPRequest": ApiSettings("tornado.httpclient.HTTPRequest()", (_TORNADO_PAIR,)),
    "pika.ConnectionParameters": _PIKA,
    "pika.connection.ConnectionParameters": _PIKA,
}

BY_LIBRARY: tuple[LibrarySettings, ...] = (
    LibrarySettings(
        "celery",
        tuple(
            Pair(soft, hard, margin=True, why=_CLEANUP)
            for soft, hard in (
                ("soft_time_limit", "time_limit"),
                ("task_soft_time_limit", "task_time_limit"),
                ("CELERY_TASK_SOFT_TIME_LIMIT", "CELERY_TASK_TIME_LIMIT"),
                ("CELERYD_TASK_SOFT_TIME_LIMIT", "CELERYD_TASK_TIME_LIMIT"),
            )
        ),
    ),
    # ``app.control.time_limit(task_name, soft=60, hard=120)`` (the worker remote control)
    LibrarySettings("celery", (Pair("soft", "hard", margin=True, why=_CLEANUP),), methods=frozenset({"time_limit"}), mappings=False),
    # ``fetch(url, **kwargs)`` passes the keywords to ``HTTPRequest``.
    LibrarySettings("tornado", (_TORNADO_PAIR,), methods=frozenset({"fetch"}), mappings=False),
)

LIBRARIES: frozenset[str] = frozenset(entry.library for entry in BY_LIBRARY)
KEYS: frozenset[str] = frozenset(
    name for entry in BY_LIBRARY for pair in entry.pairs for name in (pair.inner, pair.outer)
)


def margin(inner: float) -> float:
    """The time a soft limit must leave before its hard limit: 1 s, or a tenth of the soft
    limit when that is shorter (a 0.5 s soft limit needs 0.05 s)."""
    return min(1.0, inner / 10)


def imported_libraries(ctx: Any) -> frozenset[str]:
    """The libraries of :data:`LIBRARIES` this file imports (anywhere) or belongs to."""
    known: Optional[frozenset[str]] = ctx.memo.get("tl404.libraries")
    if known is not None:
        return known
    found = {library for library in LIBRARIES if ctx.resolver.own_module.split(".")[0] == library}
    collector = _Imports()
    ctx.whole_module().visit(collector)  # (imports inside any function count)
    found.update(collector.tops & LIBRARIES)
    known = frozenset(found)
    ctx.memo["tl404.libraries"] = known
    return known


class _Imports(cst.CSTVisitor):
    def __init__(self) -> None:
        super().__init__()
        self.tops: set[str] = set()

    def visit_Import(self, node: cst.Import) -> None:
        for alias in node.names:
            self.tops.add(_top(alias.name))

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        if not node.relative and node.module is not None:
            self.tops.add(_top(node.module))


def _top(name: cst.BaseExpression) -> str:
    while isinstance(name, cst.Attribute):
        name = name.value
    return name.value if isinstance(name, cst.Name) else ""
