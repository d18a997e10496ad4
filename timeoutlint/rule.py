"""The rule base class: one place per rule holds everything about it.

A rule subclasses :class:`Rule` and declares, as class attributes, its code, name,
message, fix title/availability/applicability, the substrings a file must contain for the
rule to possibly match (``triggers``), its documentation (the class docstring, in Ruff's
sections) and VALID/INVALID examples. ``__init_subclass__`` checks all of that when the
class is defined, and registers it: rules are found by importing ``timeoutlint.rules``.

Rules visit libcst nodes through ``visit_<Node>`` / ``leave_<Node>`` methods; the engine
runs every enabled rule in one shared pass (see ``engine.py``) and hands each rule the
shared :class:`~timeoutlint.context.FileContext` as ``self.ctx``.
"""

from __future__ import annotations

import enum
import functools
import inspect
import re
import textwrap
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Iterable, Optional

import libcst as cst

from timeoutlint.ftypes import Applicability

if TYPE_CHECKING:
    from timeoutlint.context import FileContext, PendingFix

DOCS_BASE_URL = "https://github.com/timeoutlint/timeoutlint/blob/main/docs/rules/"

REQUIRED_SECTIONS = ("What it does", "Why is this bad?", "Example", "Use instead", "Fix safety")
OPTIONAL_SECTIONS = ("Options", "References")
_CODE_RE = re.compile(r"^TL[1-9]\d\d$")
_NAME_RE = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
_SECTION_RE = re.compile(r"^## (.+?)\s*$", re.MULTILINE)


class FixAvailability(str, enum.Enum):
    NONE = "none"
    SOMETIMES = "sometimes"
    ALWAYS = "always"


@dataclass(frozen=True)
class Valid:
    """Code the rule must not flag (a "does nothing" case)."""

    code: str
    settings: dict[str, Any] = field(default_factory=dict)
    why: str = ""


@dataclass(frozen=True)
class Invalid:
    """Code the rule must flag; ``fixed`` is the expected result of ``--fix --unsafe-fixes``
    (None: the finding has no fix). ``expected`` is how many findings (default 1)."""

    code: str
    fixed: Optional[str] = None
    settings: dict[str, Any] = field(default_factory=dict)
    expected: int = 1
    why: str = ""


def _as_example(value: Any, kind: type) -> Any:
    return kind(value) if isinstance(value, str) else value


_REGISTRY: dict[str, type[Rule]] = {}


class RuleDefinitionError(TypeError):
    pass


class Rule:
    code: ClassVar[str]
    name: ClassVar[str]
    message: ClassVar[str]
    fix_title: ClassVar[Optional[str]] = None
    fix_availability: ClassVar[FixAvailability] = FixAvailability.NONE
    applicability: ClassVar[Optional[Applicability]] = None
    # The rule can only match code containing one of these: a plain string anywhere, a
    # ``Word`` as a whole identifier, an ``Attr`` as an attribute (``.get``). A top-level
    # statement matching no trigger of any enabled rule is not handed to libcst (see
    # ``selection.py``); a file matching none is only checked for its syntax.
    triggers: ClassVar[tuple[str, ...]]
    # If given, the rule can only match a file containing one of these as well (anywhere):
    # the modules its calls come from, without which no name resolves to one of them.
    requires: ClassVar[tuple[str, ...]] = ()
    # The rule reads the whole of a file matching one of these (its facts follow calls
    # between any of the file's functions): such a file is handed to libcst whole.
    whole_file_triggers: ClassVar[tuple[str, ...]] = ()
    VALID: ClassVar[list[Any]]
    INVALID: ClassVar[list[Any]]
    # The options ``[tool.timeoutlint.rules.<code>]`` takes: name -> type(s), or a function
    # returning what is wrong with a value (None when it is fine).
    options: ClassVar[dict[str, Any]] = {}

    # Filled in by __init_subclass__.
    sections: ClassVar[dict[str, str]]
    visitor_methods: ClassVar[dict[str, str]]

    def __init__(self, ctx: FileContext) -> None:
        self.ctx = ctx

    @classmethod
    def triggers_for(cls, settings: Any) -> tuple[str, ...]:
        """The triggers under these settings: a rule whose options name more callables
        adds theirs."""
        return cls.triggers

    @classmethod
    def requires_for(cls, settings: Any) -> tuple[str, ...]:
        """``requires`` under these settings (the modules of the callables options name)."""
        return cls.requires

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if inspect.isabstract(cls) or cls.__dict__.get("abstract", False):
            return
        _check_definition(cls)
        cls.VALID = [_as_example(example, Valid) for example in cls.VALID]
        cls.INVALID = [_as_example(example, Invalid) for example in cls.INVALID]
        if cls.code in _REGISTRY and _REGISTRY[cls.code].__qualname__ != cls.__qualname__:
            raise RuleDefinitionError(f"{cls.code} is defined twice: {_REGISTRY[cls.code]} and {cls}")
        _REGISTRY[cls.code] = cls

    # -- reporting ---------------------------------------------------------------------

    def report(
        self,
        node: cst.CSTNode,
        message: Optional[str] = None,
        fix: Optional[PendingFix] = None,
        statement: Optional[cst.CSTNode] = None,
        scope: str = "",
    ) -> None:
        """Record a finding on ``node`` (message defaults to the rule's ``message``);
        ``scope`` names the function whose callers may bound it (see ``Diagnostic.scope``)."""
        self.ctx.report(self, node, message or self.message, fix, statement, scope)

    # -- documentation -------------------------------------------------------------------

    @classmethod
    def summary(cls) -> str:
        """The first sentence of "What it does", for listings and SARIF."""
        text = " ".join(cls.sections["What it does"].split())
        return text.split(". ")[0].rstrip(".") + "."

    @classmethod
    def url(cls) -> str:
        return rule_url(cls.code)

    @classmethod
    def metadata(cls) -> dict[str, Any]:
        return {
            "code": cls.code,
            "name": cls.name,
            "message": cls.message,
            "summary": cls.summary(),
            "fix": cls.fix_availability.value,
            "fix_title": cls.fix_title,
            "applicability": cls.applicability.value if cls.applicability else None,
            "url": cls.url(),
            "explanation": cls.documentation(),
        }

    @classmethod
    def documentation(cls) -> str:
        """The rule's docs as Markdown (the generated docs page, without front matter)."""
        fix_line = {
            FixAvailability.NONE: "This rule has no automatic fix.",
            FixAvailability.SOMETIMES: f"Fix is sometimes available ({cls.applicability.value if cls.applicability else ''}).",
            FixAvailability.ALWAYS: f"Fix is always available ({cls.applicability.value if cls.applicability else ''}).",
        }[cls.fix_availability]
        parts = [f"# {cls.name} ({cls.code})", "", fix_line, ""]
        for title in REQUIRED_SECTIONS + OPTIONAL_SECTIONS:
            if title in cls.sections:
                parts += [f"## {title}", "", cls.sections[title], ""]
        return "\n".join(parts).rstrip() + "\n"


class Word(str):
    """A trigger matching a whole identifier (``time``, not ``timeout``)."""


class Attr(str):
    """A trigger matching an attribute access (``.get``, also ``. get``), not a bare name."""


def trigger_regex(trigger: str) -> str:
    if isinstance(trigger, Attr):
        return r"\.\s*" + re.escape(trigger) + r"\b"
    if isinstance(trigger, Word):
        return r"\b" + re.escape(trigger) + r"\b"
    return re.escape(trigger)


def triggers_pattern(triggers: Iterable[str]) -> re.Pattern[str]:
    """One pattern matching any of ``triggers``."""
    key = tuple(triggers)
    kinds = tuple(type(trigger) for trigger in key)  # (``Word("time") == "time"`` as strings)
    found = _PATTERNS.get((key, kinds))
    if found is None:
        found = _PATTERNS[(key, kinds)] = _compiled(tuple(sorted({trigger_regex(t) for t in key})))
    return found


_PATTERNS: dict[tuple[tuple[str, ...], tuple[type, ...]], re.Pattern[str]] = {}


@functools.lru_cache(maxsize=256)
def _compiled(regexes: tuple[str, ...]) -> re.Pattern[str]:
    # (keyed by the regexes: ``Word("time") == "time"`` as strings)
    return re.compile("|".join(regexes))


def words_pattern(words: Iterable[str]) -> re.Pattern[str]:
    """A pattern matching any of ``words`` as a whole identifier."""
    return _compiled((r"\b(?:" + "|".join(sorted(map(re.escape, words))) + r")\b",))


def rule_url(code: str) -> str:
    rule = _REGISTRY.get(code)
    slug = f"{code}-{rule.name}" if rule else code
    return f"{DOCS_BASE_URL}{slug}.md"


def _parse_sections(doc: str) -> dict[str, str]:
    doc = textwrap.dedent(doc).strip("\n")
    # The first line of a docstring is not indented; dedent the rest separately.
    first, _, rest = doc.partition("\n")
    doc = first + "\n" + textwrap.dedent(rest)
    matches = list(_SECTION_RE.finditer(doc))
    sections = {}
    for index, match in enumerate(matches):
        end = matches[index + 1].start() if index + 1 < len(matches) else len(doc)
        sections[match.group(1)] = doc[match.end() : end].strip("\n").rstrip()
    return sections


def _check_definition(cls: type[Rule]) -> None:
    where = f"rule class {cls.__name__}"

    def fail(problem: str) -> None:
        raise RuleDefinitionError(f"{where}: {problem}")

    for attr in ("code", "name", "message", "triggers", "VALID", "INVALID"):
        if attr not in cls.__dict__:
            fail(f"missing class attribute {attr!r}")
    if not _CODE_RE.match(cls.code):
        fail(f"code {cls.code!r} is not TL followed by three digits")
    if not _NAME_RE.match(cls.name):
        fail(f"name {cls.name!r} is not kebab-case")
    if not cls.triggers:
        fail("triggers must name at least one substring")
    sections = _parse_sections(cls.__doc__ or "")
    for title in REQUIRED_SECTIONS:
        if not sections.get(title):
            fail(f"docstring lacks a non-empty '## {title}' section")
    for title in sections:
        if title not in REQUIRED_SECTIONS + OPTIONAL_SECTIONS:
            fail(f"unknown docstring section '## {title}'")
    cls.sections = sections
    if not cls.VALID or not cls.INVALID:
        fail("needs at least one VALID and one INVALID example")
    invalid = [_as_example(example, Invalid) for example in cls.INVALID]
    has_fixed = any(example.fixed is not None for example in invalid)
    if cls.fix_availability is FixAvailability.NONE:
        if cls.fix_title or cls.applicability or has_fixed:
            fail("has no fix, so it takes no fix_title, applicability or fixed examples")
    else:
        if not cls.fix_title or cls.applicability is None:
            fail("a fixable rule needs fix_title and applicability")
        if cls.applicability is not Applicability.DISPLAY_ONLY and not has_fixed:
            fail("a fixable rule needs an INVALID example with its fixed result")
        if cls.fix_availability is FixAvailability.ALWAYS and any(e.fixed is None for e in invalid):
            fail("fix_availability ALWAYS, yet an INVALID example has no fixed result")
        if cls.fix_availability is FixAvailability.SOMETIMES and all(e.fixed is not None for e in invalid):
            if cls.applicability is not Applicability.DISPLAY_ONLY:
                fail("fix_availability SOMETIMES needs an INVALID example that is not fixed")
    methods = {}
    for attr in dir(cls):
        kind, _, node_name = attr.partition("_")
        if kind in ("visit", "leave") and node_name and node_name[0].isupper():
            if not isinstance(getattr(cst, node_name, None), type):
                fail(f"{attr}: {node_name} is not a libcst node type")
            methods[attr] = node_name
    if not methods:
        fail("defines no visit_<Node>/leave_<Node> method")
    cls.visitor_methods = methods


def all_rules() -> list[type[Rule]]:
    """Every registered rule, sorted by code (importing the rules package registers them)."""
    import timeoutlint.rules  # noqa: F401  (registers the rules)

    return [_REGISTRY[code] for code in sorted(_REGISTRY)]


def get_rule(code: str) -> Optional[type[Rule]]:
    all_rules()
    return _REGISTRY.get(code)
