"""The project-wide call graph that TL101 follows, built from per-file facts alone.

Each linted file contributes plain JSON facts (see ``rules/nested_executor.py``): its module
name, its functions with the calls they make as *references* (qualified names such as
``pkg.task.Task.run``), its classes with their bases and attribute types, and its module-level
imports. This module joins them and answers "which functions can a reference reach?":

- a function's qualified name is itself;
- a class is its constructor: ``__init__`` (and a dataclass' ``__post_init__``), inherited
  ones included;
- ``Class.method`` is looked up along the class' bases (a depth-first MRO approximation);
- ``super:Class.method`` is looked up in the bases of ``Class`` only;
- ``self:Class.method`` (a call on ``self``) is that method, or an override of it in any
  subclass of ``Class`` among the modules read: ``self`` may be an instance of one;
- ``meth:<type>|method`` calls ``method`` on a value whose type (``analysis.types``) the
  project's type facts resolve to a class: ``task.slot.receive()`` on a parameter annotated
  with a dataclass of another module, ``flow._get_executor().submit``, an attribute declared
  in a base class in another module;
- a name re-exported by a module (``from .slot import Slot`` in ``pkg/__init__.py``, imported
  as ``pkg.Slot``) is followed through that module's imports.

Nothing here reads files or runs code. A module name defined by two files is ambiguous and
left out: no guess is better than a wrong chain.

Facts may be partial: only the files that can submit work are analysed up front, and a
``Project`` built with ``available`` records in ``missing`` the modules a lookup needed but
did not have, so that the caller can add their facts and build it again.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional, Sequence, Set, Tuple

from timeoutlint.analysis import types as T
from timeoutlint.analysis.known import EXECUTOR_TYPES, FUTURE

MAX_ALIAS_HOPS = 8


@dataclass(frozen=True)
class Function:
    qualname: str
    path: str
    module: str
    calls: Tuple[str, ...]

    @property
    def display(self) -> str:
        """The name without its module (``Task.run``, ``outer.<locals>.inner``)."""
        prefix = self.module + "."
        return self.qualname[len(prefix) :] if self.qualname.startswith(prefix) else self.qualname


@dataclass(frozen=True)
class Class:
    qualname: str
    bases: Tuple[str, ...]
    pools: frozenset
    maybe_pools: Mapping[str, str]  # attribute -> a deferred type that may be an executor


class Project:
    """The functions, classes and imports of every module whose facts were given."""

    def __init__(
        self,
        facts_by_path: Mapping[str, Optional[Mapping[str, Any]]],
        available: Optional[Callable[[str], bool]] = None,
    ) -> None:
        self._available = available
        self.missing: Set[str] = set()  # modules whose facts a lookup needed (see ``available``)
        owners: Dict[str, List[str]] = {}
        for path, facts in facts_by_path.items():
            if facts and facts.get("module"):
                owners.setdefault(facts["module"], []).append(path)
        self.ambiguous: Set[str] = {module for module, paths in owners.items() if len(paths) > 1}
        self.modules: Dict[str, str] = {}  # module -> path
        self.imports: Dict[str, Mapping[str, str]] = {}
        self.functions: Dict[str, Function] = {}
        self.classes: Dict[str, Class] = {}
        type_facts: Dict[str, Mapping[str, Any]] = {}
        for path in sorted(facts_by_path):
            facts = facts_by_path[path]
            if not facts or not facts.get("module") or facts["module"] in self.ambiguous:
                continue
            module = facts["module"]
            self.modules[module] = path
            self.imports[module] = facts.get("imports", {})
            type_facts[module] = facts.get("types", {})
            for qualname, info in facts.get("functions", {}).items():
                self.functions[qualname] = Function(qualname, path, module, tuple(info.get("calls", ())))
            for qualname, info in facts.get("classes", {}).items():
                self.classes[qualname] = Class(
                    qualname,
                    tuple(info.get("bases", ())),
                    frozenset(info.get("pools", ())),
                    dict(info.get("maybe_pools", {})),
                )
        self._resolved: Dict[str, Tuple[str, ...]] = {}
        self._subclasses: Optional[Dict[str, List[str]]] = None
        self.types = T.ProjectTypes(type_facts, canonical=self.canonical, want=self._want)

    # -- names ------------------------------------------------------------------------

    def _expand(self, name: str) -> Optional[str]:
        """``name`` with one re-export replaced by what the module imported (or None)."""
        parts = name.split(".")
        for cut in range(len(parts) - 1, 0, -1):
            module = ".".join(parts[:cut])
            if module in self.modules:
                target = self.imports[module].get(parts[cut])
                if target is None or target == name:
                    return None
                return ".".join([target] + parts[cut + 1 :])
        return None

    def _want(self, name: str) -> None:
        """Note the modules that may define ``name`` but whose facts are not here."""
        if self._available is None:
            return
        parts = name.split(".")
        for cut in range(1, len(parts)):
            module = ".".join(parts[:cut])
            if module not in self.modules and module not in self.ambiguous and self._available(module):
                self.missing.add(module)

    def canonical(self, name: str) -> str:
        """Follow re-exports until ``name`` is defined (or nothing more is known)."""
        for _ in range(MAX_ALIAS_HOPS):
            if name in self.functions or name in self.classes or self._is_object(name):
                return name
            self._want(name)
            expanded = self._expand(name)
            if expanded is None:
                return name
            name = expanded
        return name

    def _is_object(self, name: str) -> bool:
        """A module-level object, or a function or class the type facts know."""
        types = self.types
        return name in types.objects or name in types.functions or name in types.classes

    def type_of(self, type_: Optional[str]) -> Optional[str]:
        """A (possibly deferred) type resolved through every module's facts; None: unknown."""
        return self.types.resolve(type_)

    def class_named(self, name: str) -> Optional[Class]:
        return self.classes.get(self.canonical(name))

    def mro(self, name: str) -> List[Class]:
        """The class and its known bases, depth first, each once."""
        found: List[Class] = []
        seen: Set[str] = set()
        pending = [name]
        while pending:
            cls = self.class_named(pending.pop(0))
            if cls is None or cls.qualname in seen:
                continue
            seen.add(cls.qualname)
            found.append(cls)
            pending[0:0] = list(cls.bases)
        return found

    def subclasses(self, name: str) -> List[str]:
        """Every class of the project that derives from ``name``, nearest first."""
        if self._subclasses is None:
            self._subclasses = {}
            for cls in self.classes.values():
                for base in cls.bases:
                    self._subclasses.setdefault(self.canonical(base), []).append(cls.qualname)
        found: List[str] = []
        pending = list(self._subclasses.get(self.canonical(name), ()))
        while pending and len(found) < 256:
            sub = pending.pop(0)
            if sub not in found:
                found.append(sub)
                pending.extend(self._subclasses.get(sub, ()))
        return found

    def method(self, class_name: str, method: str, skip_first: bool = False) -> Optional[str]:
        classes = self.mro(class_name)
        for cls in classes[1:] if skip_first else classes:
            qualname = f"{cls.qualname}.{method}"
            if qualname in self.functions:
                return qualname
        return None

    # -- references -------------------------------------------------------------------

    def resolve(self, ref: str) -> Tuple[str, ...]:
        """The project functions a call reference can run (empty when unknown or external)."""
        cached = self._resolved.get(ref)
        if cached is None:
            cached = self._resolved[ref] = tuple(dict.fromkeys(self._resolve(ref)))
        return cached

    def _resolve(self, ref: str) -> Iterable[str]:
        if ref.startswith("super:"):
            owner, _, method = ref[len("super:") :].rpartition(".")
            found = self.method(owner, method, skip_first=True)
            return [found] if found else []
        if ref.startswith("self:"):
            owner, _, method = ref[len("self:") :].rpartition(".")
            found = [self.method(owner, method)]
            found.extend(f"{sub}.{method}" for sub in self.subclasses(owner) if f"{sub}.{method}" in self.functions)
            return [name for name in found if name]
        if ref.startswith("meth:"):
            _, receiver, method = T.split(ref)
            receiver_type = self.type_of(receiver)
            return self._resolve(f"{receiver_type}.{method}") if receiver_type else []
        name = self.canonical(ref)
        if name in self.functions:
            return [name]
        if name in self.classes:
            constructors = (self.method(name, "__init__"), self.method(name, "__post_init__"))
            return [found for found in constructors if found]
        owner, _, method = name.rpartition(".")
        if owner and self.class_named(owner) is not None:
            found = self.method(owner, method)
            return [found] if found else []
        return []

    def callees(self, qualname: str) -> List[str]:
        function = self.functions.get(qualname)
        if function is None:
            return []
        found: List[str] = []
        for ref in function.calls:
            found.extend(self.resolve(ref))
        return list(dict.fromkeys(found))

    def canonical_pool(self, pool: Optional[str]) -> Optional[str]:
        """``attr:Sub.pool`` names the pool of the base class that declares it. ``attr?:``
        marks an attribute the file could not tell is a pool: None unless a base says so.
        ``exec?:<type>`` and ``future?:<type>`` are pools known only by a type the project
        resolves: no identity, except a module-level object (``obj:pkg.POOL``)."""
        if pool is None:
            return None
        if pool.startswith(("exec?:", "future?:")):
            kind, _, type_ = pool.partition(":")
            if type_.startswith("obj:") and kind == "exec?":
                return self.canonical(type_[len("obj:") :])
            return None
        if not pool.startswith(("attr:", "attr?:")):
            return pool
        kind, _, rest = pool.partition(":")
        owner, _, attr = rest.rpartition(".")
        for cls in self.mro(owner):
            if attr in cls.pools or self.type_of(cls.maybe_pools.get(attr)) in EXECUTOR_TYPES:
                return f"attr:{cls.qualname}.{attr}"
        return pool if kind == "attr" else None

    def confirmed(self, pool: Optional[str]) -> bool:
        """False for an ``attr?:`` attribute no class of the project makes a pool, and for
        an ``exec?:``/``future?:`` type that does not resolve to an executor / a future."""
        if pool is None:
            return True
        if pool.startswith("exec?:"):
            return self.type_of(pool[len("exec?:") :]) in EXECUTOR_TYPES
        if pool.startswith("future?:"):
            return self.type_of(pool[len("future?:") :]) == FUTURE
        return not pool.startswith("attr?:") or self.canonical_pool(pool) is not None

    # -- reachability -----------------------------------------------------------------

    def chains(self, starts: Sequence[str], max_depth: int, stop: Optional[Set[str]] = None) -> Dict[str, List[str]]:
        """Every function reachable from ``starts`` within ``max_depth`` calls, with the
        shortest call chain to it (breadth first, so cycles end; ``stop`` functions are
        reached but not followed)."""
        parents: Dict[str, Optional[str]] = {}
        depth: Dict[str, int] = {}
        queue: deque = deque()
        for start in starts:
            if start in self.functions and start not in parents:
                parents[start] = None
                depth[start] = 0
                queue.append(start)
        while queue:
            current = queue.popleft()
            if depth[current] >= max_depth or (stop and current in stop):
                continue
            for callee in self.callees(current):
                if callee not in parents:
                    parents[callee] = current
                    depth[callee] = depth[current] + 1
                    queue.append(callee)
        chains: Dict[str, List[str]] = {}
        for function in parents:
            chain = [function]
            while parents[chain[-1]] is not None:
                chain.append(parents[chain[-1]])  # type: ignore[arg-type]
            chains[function] = chain[::-1]
        return chains
