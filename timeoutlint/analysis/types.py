"""The types of expressions: known now, or known once more of the project is read.

A type is a string. A *concrete* type is the qualified name of a class
(``subprocess.Popen``, ``pkg.tasks.SlotActivationTask``). A *deferred* type says how to find
the type once the rest of the file, or the facts of other modules, are known:

- ``call:Q`` — what calling ``Q`` returns (a class: an instance of it; a function: what
  it returns);
- ``meth:T|m`` — what calling method ``m`` on a ``T`` returns;
- ``attr:T|a`` — attribute ``a`` of a ``T``;
- ``obj:Q`` — the module-level object ``Q`` (``pkg.pools.POOL``).

A collection is ``seq:E``: a list, set, tuple or iterator whose elements are all of type
``E`` (concrete or deferred); ``seq:?`` is an empty one whose elements are not known yet.
Iterating it or indexing it gives an ``E``.

``T`` may itself be deferred (``meth:attr:pkg.Task|slot|receive``): the last ``|`` splits.

:func:`resolve` rewrites a type as far as a :class:`TypeSource` knows: to a concrete type,
to a (smaller) deferred type when the answer lies outside what the source covers, or to
None when it is known that nothing can be said (ambiguous, reassigned, ``Any``, a stdlib
object the tables do not describe). Unknown stays unknown.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, Iterable, List, Mapping, Optional, Protocol, Tuple

from timeoutlint.analysis.known import CONSTRUCTORS, METHOD_RETURNS, is_library_name

PREFIXES = ("call:", "meth:", "attr:", "obj:")
# Deeper chains than this are not followed (and a cycle ends here).
MAX_DEPTH = 16
_MAX_LENGTH = 600


SEQUENCE = "seq:"
EMPTY = SEQUENCE + "?"


def is_deferred(type_: Optional[str]) -> bool:
    """Is ``type_`` itself deferred (a collection of deferred elements is not)?"""
    return type_ is not None and type_.startswith(PREFIXES)


def is_pending(type_: Optional[str]) -> bool:
    """Does resolving ``type_`` need more: is it, or are its elements, deferred?"""
    while type_ is not None and type_.startswith(SEQUENCE):
        type_ = type_[len(SEQUENCE) :]
    return is_deferred(type_)


def sequence_of(element: Optional[str]) -> Optional[str]:
    return None if element is None else SEQUENCE + element


def element_type(type_: Optional[str]) -> Optional[str]:
    """The elements' type of a collection type (None: not a collection, or not known)."""
    if type_ is None or not type_.startswith(SEQUENCE) or type_ == EMPTY:
        return None
    return type_[len(SEQUENCE) :]


def merge_elements(found: Iterable[Optional[str]]) -> Optional[str]:
    """The collection type that every one of ``found`` (collection types, or element
    types added one by one) agrees on; ``seq:?`` when none says more; None on any doubt."""
    elements = set()
    for type_ in found:
        if type_ is None:
            return None
        elements.add(type_)
    elements.discard("?")
    if len(elements) > 1:
        return None
    return SEQUENCE + (elements.pop() if elements else "?")


def call_result(callee: str) -> str:
    return f"call:{callee}"


def method_result(receiver: str, method: str) -> str:
    return f"meth:{receiver}|{method}"


def attribute(receiver: str, name: str) -> str:
    return f"attr:{receiver}|{name}"


def module_object(qualname: str) -> str:
    return f"obj:{qualname}"


def split(type_: str) -> Tuple[str, str, str]:
    """``(kind, inner, name)``: ``meth:T|m`` -> ("meth", "T", "m"); ``call:Q`` -> ("call", "Q", "")."""
    kind, _, rest = type_.partition(":")
    if kind in ("meth", "attr"):
        inner, _, name = rest.rpartition("|")
        return kind, inner, name
    return kind, rest, ""


@dataclass
class ClassInfo:
    qualname: str
    bases: Tuple[str, ...] = ()
    attrs: Mapping[str, str] = field(default_factory=dict)  # attribute -> type (maybe deferred)


class TypeSource(Protocol):
    """What resolution asks; a file's resolver and the project's facts both answer."""

    def covers(self, qualname: str) -> bool:
        """Could ``qualname`` be defined in what this source knows? (No: keep it deferred.)"""

    def canonical(self, qualname: str) -> str:
        """``qualname`` with re-exports followed."""

    def class_info(self, qualname: str) -> Optional[ClassInfo]: ...

    def returns(self, qualname: str) -> Tuple[bool, Optional[str]]:
        """``(defined, type)`` for a function or method: is it defined here, and what it returns."""

    def object_type(self, qualname: str) -> Optional[str]: ...


def resolve(type_: Optional[str], source: TypeSource, depth: int = 0) -> Optional[str]:
    """``type_`` rewritten as far as ``source`` knows (see the module docs)."""
    if type_ is None or depth > MAX_DEPTH or len(type_) > _MAX_LENGTH:
        return None
    if type_.startswith(SEQUENCE):
        if type_ == EMPTY:
            return type_
        return sequence_of(resolve(type_[len(SEQUENCE) :], source, depth + 1))
    if not is_deferred(type_):
        return source.canonical(type_) if source.covers(type_) else type_
    kind, inner, name = split(type_)
    if kind == "call":
        return _resolve_call(inner, source, depth)
    if kind == "obj":
        qualname = source.canonical(inner)
        if not source.covers(qualname):
            return module_object(qualname)
        object_type = source.object_type(qualname)
        if object_type is None:
            return _through_object(qualname, "", source, depth)
        return resolve(object_type, source, depth + 1)
    receiver = resolve(inner, source, depth + 1)
    if receiver is None:
        return None
    if is_deferred(receiver):
        return method_result(receiver, name) if kind == "meth" else attribute(receiver, name)
    if kind == "meth":
        return _resolve_method(receiver, name, source, depth)
    return _resolve_attribute(receiver, name, source, depth)


def _resolve_call(callee: str, source: TypeSource, depth: int) -> Optional[str]:
    if callee in CONSTRUCTORS:
        return CONSTRUCTORS[callee]
    qualname = source.canonical(callee)
    if qualname in CONSTRUCTORS:
        return CONSTRUCTORS[qualname]
    if not source.covers(qualname):
        return None if is_library_name(qualname) else call_result(qualname)
    if source.class_info(qualname) is not None:
        return qualname
    defined, returned = source.returns(qualname)
    if defined:
        return resolve(returned, source, depth + 1)
    return _through_object(qualname, "call", source, depth)


def _through_object(qualname: str, kind: str, source: TypeSource, depth: int) -> Optional[str]:
    """``pkg.pools.SLOT.slot.start`` named through a module-level object: the attribute
    chain (and, for a ``call``, the method called) on that object's type."""
    parts = qualname.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        owner = ".".join(parts[:cut])
        if source.object_type(owner) is None:
            continue
        type_ = module_object(owner)
        rest = parts[cut:]
        last = rest.pop() if kind == "call" else None
        for name in rest:
            type_ = attribute(type_, name)
        if last is not None:
            type_ = method_result(type_, last)
        return resolve(type_, source, depth + 1)
    return None


def mro(qualname: str, source: TypeSource) -> Tuple[List[ClassInfo], bool]:
    """The class and its bases, depth first, each once; and whether every base was known
    (False when a base lies outside the source, or is not a class it knows)."""
    found: List[ClassInfo] = []
    seen = set()
    complete = True
    pending = [qualname]
    while pending and len(found) < 64:
        name = source.canonical(pending.pop(0))
        if name in seen:
            continue
        seen.add(name)
        info = source.class_info(name) if source.covers(name) else None
        if info is None:
            complete = False
            continue
        found.append(info)
        pending[0:0] = list(info.bases)
    return found, complete


def _resolve_method(receiver: str, method: str, source: TypeSource, depth: int) -> Optional[str]:
    if (receiver, method) in METHOD_RETURNS:
        return METHOD_RETURNS[(receiver, method)]
    if not source.covers(receiver):
        return None if is_library_name(receiver) else method_result(receiver, method)
    classes, complete = mro(receiver, source)
    if not classes:
        return None
    for info in classes:
        defined, returned = source.returns(f"{info.qualname}.{method}")
        if defined:
            return resolve(returned, source, depth + 1)
    return method_result(receiver, method) if not complete and _has_outside_base(classes, source) else None


def _resolve_attribute(receiver: str, name: str, source: TypeSource, depth: int) -> Optional[str]:
    if not source.covers(receiver):
        return None if is_library_name(receiver) else attribute(receiver, name)
    classes, complete = mro(receiver, source)
    if not classes:
        return None
    for info in classes:
        if name in info.attrs:
            return resolve(info.attrs[name], source, depth + 1)
    return attribute(receiver, name) if not complete and _has_outside_base(classes, source) else None


def _has_outside_base(classes: Iterable[ClassInfo], source: TypeSource) -> bool:
    """A base the source does not cover (another module's class) may still declare it."""
    return any(not source.covers(base) and not is_library_name(base) for info in classes for base in info.bases)


# -- the project's facts as a type source ---------------------------------------------------


class ProjectTypes:
    """Types across the project, from the ``types`` facts of each module (see
    ``scopes.Resolver.type_facts``). ``want`` is told of every module a question needed
    whose facts are not here, so that the caller can load them and ask again."""

    def __init__(
        self,
        facts_by_module: Mapping[str, Mapping[str, object]],
        canonical: Optional[object] = None,
        want: Optional[object] = None,
    ) -> None:
        self.functions: Dict[str, Optional[str]] = {}
        self.classes: Dict[str, ClassInfo] = {}
        self.objects: Dict[str, Optional[str]] = {}
        self.modules = set(facts_by_module)
        self._canonical = canonical
        self._want = want
        for facts in facts_by_module.values():
            for qualname, returned in dict(facts.get("returns", {})).items():  # type: ignore[union-attr]
                self.functions[qualname] = returned
            for qualname, info in dict(facts.get("classes", {})).items():  # type: ignore[union-attr]
                self.classes[qualname] = ClassInfo(qualname, tuple(info.get("bases", ())), dict(info.get("attrs", {})))
            for qualname, object_type in dict(facts.get("objects", {})).items():  # type: ignore[union-attr]
                self.objects[qualname] = object_type
        self._memo: Dict[str, Optional[str]] = {}

    def covers(self, qualname: str) -> bool:
        return not is_library_name(qualname)

    def canonical(self, qualname: str) -> str:
        return self._canonical(qualname) if self._canonical is not None else qualname  # type: ignore[operator]

    def _missing(self, qualname: str) -> None:
        """Not known here: its module's facts may tell (only then is it worth loading)."""
        if self._want is not None:
            self._want(qualname)  # type: ignore[operator]

    def class_info(self, qualname: str) -> Optional[ClassInfo]:
        info = self.classes.get(qualname)
        if info is None:
            self._missing(qualname)
        return info

    def returns(self, qualname: str) -> Tuple[bool, Optional[str]]:
        if qualname in self.functions:
            return True, self.functions[qualname]
        self._missing(qualname)
        return False, None

    def object_type(self, qualname: str) -> Optional[str]:
        found = self.objects.get(qualname)
        if found is None:
            self._missing(qualname)
        return found

    def resolve(self, type_: Optional[str]) -> Optional[str]:
        """A concrete type, or None: what is still deferred here is unknown."""
        if type_ is None:
            return None
        if type_ not in self._memo:
            found = resolve(type_, self)
            self._memo[type_] = None if is_pending(found) else found
        return self._memo[type_]
