"""TL304: network calls with no timeout."""

from __future__ import annotations

from typing import Optional

import libcst as cst

from timeoutlint.analysis.waits import NONE, Wait, literal_kind, overrides_any
from timeoutlint.ftypes import Applicability
from timeoutlint.rule import FixAvailability, Invalid, Valid, Word
from timeoutlint.rules.waits._omitted import OmittedTimeout

_DEFAULT = {"default-timeout": 30}
_SESSION = "requests.Session"
_SENDS = ("request", "send")
_PLAIN_ADAPTERS = frozenset({"requests.adapters.HTTPAdapter", "requests.HTTPAdapter"})


class NetworkCallWithoutTimeout(OmittedTimeout):
    """
    ## What it does
    Checks for network calls whose timeout is omitted: `requests.get()` and the other
    `requests` helpers (`requests.request`, `requests.api.*`), the methods of a
    `requests.Session` however the session was obtained (`requests.Session()`,
    `requests.session()`, `with requests.Session() as s`, `self.session` set in
    `__init__`, a function returning one), `urllib.request.urlopen()` and
    `OpenerDirector.open()` (from `build_opener()`), `socket.create_connection()`,
    `http.client.HTTPConnection`/`HTTPSConnection`, and the `ftplib`, `smtplib`,
    `imaplib`, `poplib` and `telnetlib` clients.

    ## Why is this bad?
    `requests` has no default timeout, and the standard library's default is
    `socket.getdefaulttimeout()`, which is `None` (block forever) unless the program sets
    one. A server that accepts the connection and then sends nothing (an overloaded
    backend, a half-open TCP connection behind a NAT) keeps the call waiting forever: the
    worker, the cron job or the request handler never returns.

    ## Example
    ```python
    import requests

    def fetch_status(url):
        return requests.get(url).status_code
    ```

    ## Use instead
    ```python
    import requests

    def fetch_status(url):
        return requests.get(url, timeout=(3.05, 30)).status_code
    ```

    ## Fix safety
    The fix inserts `timeout=<default-timeout>` and is offered only when `default-timeout`
    is set (a fix never invents a value). It is unsafe: a slow response that used to
    succeed now raises a timeout error.

    Not reported:
    - `httpx` calls and clients: httpx times out after 5 seconds by default (an explicit
      `timeout=None` is TL305's), and `aiohttp`, whose sessions default to 5 minutes.
    - A session of a class of your own that overrides `request()` or `send()` (`class
      APISession(requests.Session)`), and the sessions of a file that mounts an adapter
      of its own (`s.mount("https://", TimeoutAdapter(...))`) or replaces a session's
      `request`/`send`: the common way to give every request a default timeout is an
      adapter whose `send()` sets one, and which session reaches which call is more than
      a file shows. A plain `HTTPAdapter`
      (for retries) sets no timeout and exempts nothing.
    - The standard library clients in a file that calls `socket.setdefaulttimeout(...)`
      with a value other than `None`: their omitted timeout is that default.
    - `smtplib.SMTP()`, `ftplib.FTP()` and `telnetlib.Telnet()` without a host: they do
      not connect until `connect()` is called.
    - A call with `**kwargs`, which may carry a timeout, and a call in the branch taken
      when the function's own timeout parameter says forever (`if timeout is None:`).
    - A call under an outer bound: inside `with eventlet.Timeout(...)` or
      `with gevent.Timeout(...)` (a green timeout interrupts the wait), in a test marked
      `@pytest.mark.timeout(...)`, or anywhere in the test code of a project whose pytest
      configuration sets pytest-timeout's `timeout` (the plugin ends every test that
      hangs). TL301-TL303 leave these alone too.

    Compared with Ruff's S113 and Bandit's B113, which flag only literal `requests.*`
    calls, see [TL304 compared](../tl304-compared.md).

    ## Options
    - `default-timeout` (top-level setting): the number of seconds the fix inserts.
    - `blocking-calls` (in `[tool.timeoutlint.rules.TL304]`): more callables that wait, as
      `[{name = "mypkg.api.Client.call", timeout = "timeout", position = 2}]` (`name` is a
      qualified function name or `module.Class.method`; `position` is optional).

    ## References
    - [requests: Timeouts](https://requests.readthedocs.io/en/latest/user/advanced/#timeouts)
    - [urllib.request.urlopen](https://docs.python.org/3/library/urllib.request.html#urllib.request.urlopen)
    - [socket.getdefaulttimeout](https://docs.python.org/3/library/socket.html#socket.getdefaulttimeout)
    """

    code = "TL304"
    name = "network-call-without-timeout"
    message = "{callee} has no timeout: a server that stops responding blocks this call forever"
    fix_title = "Pass `timeout=<default-timeout>`"
    fix_availability = FixAvailability.SOMETIMES
    applicability = Applicability.UNSAFE
    triggers = tuple(
        Word(name)
        for name in ("requests", "urllib", "urlopen", "socket", "http", "httpx", "aiohttp", "ftplib", "smtplib", "imaplib", "poplib", "telnetlib")
    )

    VALID = [
        Valid("import requests\nrequests.get('https://x', timeout=5)\n", why="timeout given"),
        Valid("import requests\nrequests.get('https://x', **kw)\n", why="**kwargs may carry one"),
        Valid("import httpx\nhttpx.get('https://x')\n", why="httpx has a 5 s default"),
        Valid(
            "import eventlet, requests\ndef f(u):\n    with eventlet.Timeout(5, False):\n        return requests.get(u)\n",
            why="a green timeout bounds it",
        ),
        Valid(
            "import pytest, requests\n@pytest.mark.timeout(60)\ndef test_get():\n    requests.get('http://localhost:8000')\n",
            why="pytest-timeout ends the test",
        ),
        Valid("import requests\ns = requests.Session()\ns.mount('https://', TimeoutAdapter(5))\ns.get('https://x')\n", why="an adapter of your own may set a default timeout"),
        Valid(
            "import requests\nclass Api(requests.Session):\n    def request(self, method, url, **kw):\n"
            "        kw.setdefault('timeout', 10)\n        return super().request(method, url, **kw)\n"
            "Api().get('https://x')\n",
            why="a session class whose request() may set a default timeout",
        ),
        Valid("import socket, urllib.request\nsocket.setdefaulttimeout(10)\nurllib.request.urlopen('https://x')\n", why="a global default timeout"),
        Valid("import smtplib\nclient = smtplib.SMTP()\n", why="does not connect yet"),
        Valid("from urllib.request import urlopen\nurlopen('https://x', None, 10)\n", why="positional timeout"),
        Valid("import os\ndef f(d, k, parts):\n    return d.get(k), os.environ.get(k), ','.join(parts)\n", why="not network calls"),
        Valid("from mylib import requests\nrequests.get('https://x')\n", why="not the requests library"),
        Valid("def f(session):\n    session.get('https://x')\n", why="session is not known to be a requests.Session"),
    ]
    INVALID = [
        Invalid(
            "import requests\nclass Api(requests.Session):\n    def __init__(self, token):\n        super().__init__()\n"
            "        self.headers['Authorization'] = token\nApi('t').get('https://x')\n",
            why="a subclass that overrides neither request() nor send() is a plain Session",
        ),
        Invalid(
            "import requests\nrequests.get('https://x')\n",
            fixed="import requests\nrequests.get('https://x', timeout=30)\n",
            settings=_DEFAULT,
        ),
        Invalid("import requests\nrequests.request('POST', 'https://x', json={})\n", why="no default-timeout: no fix"),
        Invalid(
            "from requests import api\napi.post(\n    'https://x',\n    data=b'',  # body\n)\n",
            fixed="from requests import api\napi.post(\n    'https://x',\n    data=b'',  # body\n    timeout=30,\n)\n",
            settings=_DEFAULT,
        ),
        Invalid(
            "import requests\nwith requests.Session() as s:\n    s.get('https://x')\n",
            fixed="import requests\nwith requests.Session() as s:\n    s.get('https://x', timeout=30)\n",
            settings=_DEFAULT,
        ),
        Invalid(
            "import requests\n\nclass Client:\n    def __init__(self):\n        self.session = requests.session()\n\n"
            "    def ping(self):\n        return self.session.head('https://x')\n",
            why="a session attribute set in __init__",
        ),
        Invalid(
            "import requests\nfrom requests.adapters import HTTPAdapter\ndef make():\n    s = requests.Session()\n"
            "    s.mount('https://', HTTPAdapter(max_retries=3))\n    return s\ndef f():\n    make().get('https://x')\n",
            why="a plain HTTPAdapter sets no timeout; a getter returning a session",
        ),
        Invalid(
            "import urllib.request\nurllib.request.urlopen('https://x')\n",
            fixed="import urllib.request\nurllib.request.urlopen('https://x', timeout=30)\n",
            settings=_DEFAULT,
        ),
        Invalid("import urllib.request\nopener = urllib.request.build_opener()\nopener.open('https://x')\n"),
        Invalid("import socket\nsock = socket.create_connection(('h', 80))\n"),
        Invalid("import http.client\nconn = http.client.HTTPSConnection('example.com')\n"),
        Invalid("import smtplib\nwith smtplib.SMTP('mail.example.com') as smtp:\n    pass\n"),
        Invalid("import ftplib\nftp = ftplib.FTP('ftp.example.com', 'anonymous')\n"),
        Invalid("import imaplib, poplib\nimaplib.IMAP4_SSL('imap.example.com')\npoplib.POP3('pop.example.com')\n", expected=2),
    ]

    def __init__(self, ctx: object) -> None:
        super().__init__(ctx)  # type: ignore[arg-type]
        self._global_default: Optional[bool] = None
        self._customised: Optional[bool] = None

    def exempt(self, call: cst.Call, wait: Wait) -> bool:
        if wait.global_default and self._sets_global_default():
            return True
        if not wait.label.startswith("Session."):
            return False
        if isinstance(call.func, cst.Attribute):
            receiver = self.ctx.type_of(call.func.value)
            if receiver != _SESSION and receiver is not None and overrides_any(self.ctx.resolver, receiver, _SENDS):
                return True  # a subclass whose request()/send() may well set a default timeout
        return self._customised_sessions()

    def _sets_global_default(self) -> bool:
        """Does the file call ``socket.setdefaulttimeout(<not None>)``?"""
        if self._global_default is None:
            self._global_default = False
            if "setdefaulttimeout" in self.ctx.source:
                for call in _calls(self.ctx.whole_module(), "setdefaulttimeout"):
                    if call.args and literal_kind(call.args[0].value) != NONE:
                        self._global_default = True
        return self._global_default

    def _customised_sessions(self) -> bool:
        """Does this file mount an adapter of its own on a session, or replace a session's
        ``request``/``send``? Such an adapter usually sets a default timeout in ``send()``,
        and which sessions reach which code is beyond a file's view: none is reported."""
        if self._customised is None:
            self._customised = False
            if "mount" in self.ctx.source:
                for call in _calls(self.ctx.whole_module(), "mount"):
                    adapter = call.args[1].value if len(call.args) >= 2 else None
                    if isinstance(call.func, cst.Attribute) and not self._plain_adapter(adapter):
                        self._customised = True
            if _assigned_attributes(self.ctx.whole_module(), ("request", "send")):
                self._customised = True
        return self._customised

    def _plain_adapter(self, adapter: Optional[cst.BaseExpression]) -> bool:
        """``HTTPAdapter(...)`` of requests itself: retries, pool sizes, no timeout."""
        if isinstance(adapter, cst.Call):
            return self.ctx.qualified_name(adapter.func) in _PLAIN_ADAPTERS
        return False


def _calls(module: cst.Module, method: str) -> list[cst.Call]:
    """Every call of ``<something>.<method>(...)`` or ``<method>(...)`` in the module."""
    found: list[cst.Call] = []

    class _Finder(cst.CSTVisitor):
        def visit_Call(self, node: cst.Call) -> None:
            func = node.func
            name = func.attr.value if isinstance(func, cst.Attribute) else getattr(func, "value", None)
            if name == method:
                found.append(node)

    module.visit(_Finder())
    return found


def _assigned_attributes(module: cst.Module, names: tuple[str, ...]) -> list[cst.Attribute]:
    """Targets ``x.<name> = ...`` for the given attribute names."""
    found: list[cst.Attribute] = []

    class _Finder(cst.CSTVisitor):
        def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
            target = node.target
            if isinstance(target, cst.Attribute) and target.attr.value in names:
                found.append(target)

    module.visit(_Finder())
    return found
