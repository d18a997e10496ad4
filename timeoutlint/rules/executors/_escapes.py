"""Which timeouts leave the functions of a file (for TL106).

A function whose own body waits with a timeout — ``fut.result(5)``, ``await
asyncio.wait_for(aw, 1)`` — and has no handler of its own that catches it raises that
timeout to its caller; so does a function that calls such a function outside a handler
that catches it. A ``try`` whose body calls such a function meets the timeout as if the
wait were written in it.

Only calls that run the function's body there and then count: a function or method of
this file (``fetch()``, ``self.fetch()``, ``helper.fetch()`` on a value of a class of this
file, also a method inherited from a base class of this file), not a generator, not a decorated function (the decorator may change what a call
does), and an ``async def`` only where the call is awaited.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, List, Optional

import libcst as cst

from timeoutlint.analysis.definitions import changes_the_call, is_generator
from timeoutlint.context import FileContext
from timeoutlint.rules.executors._handlers import ASYNCIO, FUTURES, NO, Met, handlers_met

KINDS = (FUTURES, ASYNCIO)
MAX_DEPTH = 8  # calls followed from the ``try`` body
_BOUNDARIES = (cst.FunctionDef, cst.Lambda, cst.ClassDef, cst.GeneratorExp)


@dataclass
class Site:
    """A call of a function of this file."""

    node: cst.Call
    caller: Optional[str]  # the function the call is in (None: module level, or later-run code)
    callee: str
    label: str
    met: Dict[str, List[Met]]  # kind -> the handlers a timeout raised here meets
    awaited: bool = False
    dependencies: List[object] = field(default_factory=list)

    def leaves_caller(self, kind: str) -> bool:
        return self.caller is not None and all(entry.verdict == NO for entry in self.met[kind])


class Escapes:
    def __init__(self, ctx: FileContext) -> None:
        self.ctx = ctx
        self.direct: Dict[str, Dict[str, str]] = {}  # function -> kind -> the wait raising it
        self.sites: List[Site] = []
        self._by_caller: Dict[str, List[Site]] = {}
        self._memo: Dict[str, Dict[str, str]] = {}
        self._names: Optional[set] = None  # the short names of the file's functions
        self._plain: Dict[int, bool] = {}  # definition -> neither decorated nor a generator

    # -- during the pass ----------------------------------------------------------------

    def function_here(self) -> Optional[str]:
        """The function of this file whose own body holds the node being visited."""
        stack = self.ctx.stack
        for node in reversed(stack[:-1]):
            if isinstance(node, _BOUNDARIES):
                scope = self.ctx.resolver.function_scope()
                if isinstance(node, cst.FunctionDef) and scope is not None and scope.node is node:
                    return scope.qualname if scope.qualname in self.ctx.resolver.functions else None
                return None
        return None

    def note_wait(self, kind: str, label: str, met: List[Met]) -> None:
        function = self.function_here()
        if function is not None and all(entry.verdict == NO for entry in met):
            self.direct.setdefault(function, {}).setdefault(kind, label)

    def note_call(self, call: cst.Call, label: str, version: tuple) -> None:
        callee = self._callee(call)
        if callee is None:
            return
        dependencies = list(self.ctx.resolver.dependencies)
        met = {kind: list(handlers_met(self.ctx, kind, version)) for kind in KINDS}
        awaited = isinstance(self.ctx.parent(), cst.Await)
        site = Site(call, self.function_here(), callee, label, met, awaited, dependencies)
        self.sites.append(site)
        if site.caller is not None:
            self._by_caller.setdefault(site.caller, []).append(site)

    def _callee(self, call: cst.Call) -> Optional[str]:
        """The function or method of this file ``call`` names (whether calling it runs its
        body is asked only of the few that raise a timeout: see ``runs_body``)."""
        resolver = self.ctx.resolver
        func = call.func
        if self._names is None:
            self._names = {qualname.rpartition(".")[2] for qualname in resolver.functions}
        if isinstance(func, cst.Name):
            qualname = self.ctx.qualified_name(func) if func.value in self._names else None
        elif isinstance(func, cst.Attribute) and func.attr.value in self._names:
            qualname = self.ctx.qualified_name(func)
            if qualname is None:
                qualname = resolver.method_of(self.ctx.type_of(func.value), func.attr.value)
        else:
            return None
        return qualname if qualname in resolver.functions else None

    def runs_body(self, site: Site) -> bool:
        """Does the call of ``site`` run its callee's body there and then?"""
        definition = self.ctx.resolver.functions[site.callee][0]
        key = id(definition)
        if key not in self._plain:
            decorated = any(changes_the_call(decorator, self.ctx.resolver) for decorator in definition.decorators)
            self._plain[key] = not decorated and not is_generator(definition)
        if definition.asynchronous is not None and not site.awaited:
            return False  # the coroutine is made here, run later
        return self._plain[key]

    # -- once the file is read ----------------------------------------------------------

    def raised(self, function: str, depth: int = 0) -> Dict[str, str]:
        """kind -> how the timeout leaves ``function`` (``fetch()` → `fut.result()``)."""
        if function in self._memo:
            return self._memo[function]
        self._memo[function] = {}  # a cycle adds nothing
        found = dict(self.direct.get(function, {}))
        if depth < MAX_DEPTH:
            for site in self._by_caller.get(function, ()):
                inner_found = self.raised(site.callee, depth + 1)
                if not inner_found or not self.runs_body(site):
                    continue
                for kind, inner in inner_found.items():
                    if kind not in found and site.leaves_caller(kind):
                        found[kind] = f"{site.label}` → `{inner}"
        self._memo[function] = found
        return found

