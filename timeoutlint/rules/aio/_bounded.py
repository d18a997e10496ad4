"""What TL201 and TL202 share: a bound set by the caller, and the fix that adds one.

A coroutine function whose every call site in the project is bounded (awaited under a
timeout scope, passed to ``asyncio.wait_for``, or run as the program's entry point by
``asyncio.run(main())``) needs no bound of its own. Each file records its call sites as
facts; the project pass (``caller_bounded``) finds the functions so bounded, through any
number of callers, and the findings inside them (``Diagnostic.scope``) are dropped.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any, Callable, ClassVar, Iterable, Mapping, Optional

import libcst as cst

from timeoutlint.analysis.bounds import TIMEOUT_SCOPES_OPTION, check_timeout_scopes, is_bounded, user_scopes
from timeoutlint.analysis.callargs import format_seconds
from timeoutlint.analysis.definitions import qualname
from timeoutlint.analysis.known import is_library_name
from timeoutlint.analysis.testrunner import test_timeout
from timeoutlint.context import PendingFix
from timeoutlint.ftypes import Applicability, Diagnostic
from timeoutlint.rule import Rule
from timeoutlint.settings import Settings

# The calls that run a coroutine as the whole program (``asyncio.run(main())``).
ENTRY_RUNNERS = frozenset({"asyncio.run", "anyio.run", "trio.run"})
_RUN_UNTIL_COMPLETE = "run_until_complete"
SCOPE_OPTIONS: dict[str, Any] = {TIMEOUT_SCOPES_OPTION: check_timeout_scopes}
BOUND, FREE, ENTRY = "bound", "free", "entry"
SCOPE_RULES = ("TL201", "TL202")
# (rule code, functions) -> the facts of each file of the run that may call one of them
Mentioning = Callable[[str, "set[str]"], Mapping[str, Mapping[str, Any]]]


class CallerBound(Rule):
    """A rule whose findings a bound set by every caller makes moot."""

    abstract = True
    options: ClassVar[dict[str, Any]] = SCOPE_OPTIONS

    def __init__(self, ctx: Any) -> None:
        super().__init__(ctx)
        self._extra: Optional[frozenset[str]] = None

    # -- where are we --------------------------------------------------------------------

    def scopes(self) -> frozenset[str]:
        if self._extra is None:
            # A scope is a scope: the option of either rule serves both.
            self._extra = user_scopes(self.ctx, SCOPE_RULES)
        return self._extra

    def bounded_here(self, stack: Optional[list[cst.CSTNode]] = None) -> bool:
        return is_bounded(self.ctx, self.ctx.stack if stack is None else stack, self.scopes())

    def function_key(self) -> str:
        """The qualified name of the function being visited ("" at module level)."""
        if self.ctx.current_function() is None:
            return ""
        return qualname(self.ctx.stack, self.ctx.resolver.own_module)

    def bounded_by_callers(self) -> bool:
        """Did the project pass find every call site of this function bounded? (Known
        only in the fix stage of a run; the check stage drops such findings later.)"""
        key = self.function_key()
        return key != "" and key in self.ctx.settings.caller_bounded

    def flag(self, node: cst.CSTNode, message: str, fix: Optional[PendingFix], statement: Optional[cst.CSTNode] = None) -> None:
        if not self.bounded_by_callers() and test_timeout(self.ctx.path) is None:
            self.report(node, message, fix, statement, scope=self.function_key())

    def drains(self) -> bool:
        """A statement before this one (in its block or an enclosing one of the function)
        cancels something: the gather waits for cancelled tasks to finish."""
        stack = self.ctx.stack
        for index in range(len(stack) - 1, 0, -1):
            block, statement = stack[index - 1], stack[index]
            if isinstance(block, (cst.FunctionDef, cst.Lambda)):
                return False
            if isinstance(block, cst.IndentedBlock) and statement in block.body:
                earlier = block.body[: list(block.body).index(statement)]
                if any(".cancel(" in self.ctx.module.code_for_node(line) for line in earlier):
                    return True
        return False

    # -- the facts: call sites of the project's functions -----------------------------------

    def visit_Call(self, node: cst.Call) -> None:
        callee = self._callee(node.func)
        if callee is not None:
            self._record(callee, self._site_kind())
        runner = self.ctx.qualified_name(node.func)
        if runner in ENTRY_RUNNERS and node.args and isinstance(node.args[0].value, (cst.Name, cst.Attribute)):
            target = self._callee(node.args[0].value)  # ``anyio.run(main)``
            if target is not None:
                self._record(target, ENTRY)

    def _record(self, callee: str, kind: str) -> None:
        if self.ctx.selection is not None:
            return  # only a whole file tells all its call sites: ``caller_bounded`` reads them so
        facts = self.ctx.facts.setdefault(self.code, {"sites": []})
        facts["sites"].append([callee, self.function_key(), kind])

    def _callee(self, func: cst.BaseExpression) -> Optional[str]:
        """The project function a call calls: ``f``, ``mod.f``, ``self.m``, ``obj.m`` of a
        project class; None for anything else (a library, an unknown receiver)."""
        name: Optional[str] = None
        if isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name) and func.value.value in ("self", "cls"):
            owner = next((n for n in reversed(self.ctx.stack) if isinstance(n, cst.ClassDef)), None)
            if owner is not None:
                stack = self.ctx.stack[: self.ctx.stack.index(owner) + 1]
                name = f"{qualname(stack, self.ctx.resolver.own_module)}.{func.attr.value}"
        elif isinstance(func, cst.Attribute):
            name = self.ctx.qualified_name(func)  # ``module.f`` (``from . import module``)
            if name is None:
                receiver = self.ctx.type_of(func.value)
                if receiver is not None and "[" not in receiver and ":" not in receiver:
                    name = f"{receiver}.{func.attr.value}"
        elif isinstance(func, cst.Name):
            name = self.ctx.qualified_name(func)
        if name is None or ":" in name or is_library_name(name, self.ctx.resolver.project_top):
            return None
        return name

    def _site_kind(self) -> str:
        if self.bounded_here():
            return BOUND
        stack = self.ctx.stack
        for index in range(len(stack) - 1, 0, -1):
            parent = stack[index - 1]
            if isinstance(parent, (cst.FunctionDef, cst.Lambda)):
                break
            if isinstance(parent, cst.Call) and isinstance(stack[index], cst.Arg):
                func = parent.func
                if self.ctx.qualified_name(func) in ENTRY_RUNNERS or (
                    isinstance(func, cst.Attribute) and func.attr.value == _RUN_UNTIL_COMPLETE
                ):
                    return ENTRY
        return FREE

    # -- the project pass ------------------------------------------------------------------

    @classmethod
    def check_project(cls, facts_by_path: Mapping[str, Mapping[str, Any]], settings: Settings, load: Any = None) -> list[Diagnostic]:
        return []  # the findings are the files' own; the pass only drops (``caller_bounded``)

    @classmethod
    def caller_bounded(cls, wanted: Iterable[str], mentioning: Mentioning) -> frozenset[str]:
        """Of the functions ``wanted`` and those calling them, the ones every call site of
        which is bounded: under a scope, an entry point, or in a function itself so bounded
        (the least fixed point: a cycle of calls with no bound from outside stays unbounded).

        ``mentioning(code, functions)`` gives the facts (read from whole files) of the files
        of the run that may call any of ``functions``, each file once. The callers found
        unbounded are followed in turn."""
        sites: dict[str, list[tuple[str, str]]] = defaultdict(list)
        asked: set[str] = set()
        frontier = set(wanted)
        while frontier:
            asked |= frontier
            for facts in mentioning(cls.code, frontier).values():
                for callee, caller, kind in (facts.get(cls.code) or {}).get("sites", ()):
                    sites[callee].append((caller, kind))
            frontier = {
                caller for function in asked for caller, kind in sites.get(function, ()) if kind == FREE and caller
            } - asked
        bounded: set[str] = set()
        changed = True
        while changed:
            changed = False
            for callee, calls in sites.items():
                if callee in bounded or callee not in asked:  # (others' sites may be partial)
                    continue
                if all(kind in (BOUND, ENTRY) or (caller != "" and caller in bounded) for caller, kind in calls):
                    bounded.add(callee)
                    changed = True
        return frozenset(bounded)


# -- the fix: a timeout scope around the statement, or wait_for around the awaitable --------


def bound_fix(rule: Rule, awaitable: cst.BaseExpression) -> Optional[PendingFix]:
    """``async with asyncio.timeout(T):`` around the simple statement holding the await
    (target >= 3.11), else ``asyncio.wait_for(<awaitable>, timeout=T)``; T is the
    configured ``default-timeout`` (no fix without it)."""
    seconds = rule.ctx.settings.default_timeout
    if seconds is None:
        return None
    value = cst.parse_expression(format_seconds(seconds))
    title = f"Bound it with a {format_seconds(seconds)} s timeout (the configured default-timeout)"
    if rule.ctx.target_version >= (3, 11):
        statement = _wrappable_statement(rule)
        scoped = timeout_scope_fix(rule, statement, title) if statement is not None else None
        if scoped is not None:
            return scoped
    reference = rule.ctx.reference("asyncio", "wait_for")
    if reference is None:
        return None
    expression, need = reference
    timeout = cst.Arg(
        value, keyword=cst.Name("timeout"), equal=cst.AssignEqual(cst.SimpleWhitespace(""), cst.SimpleWhitespace(""))
    )
    wrapped = cst.Call(expression, [cst.Arg(awaitable.with_changes(lpar=[], rpar=[])), timeout])
    return PendingFix(title, Applicability.UNSAFE, [(awaitable, wrapped)], [need] if need else [])


def timeout_scope_fix(rule: Rule, statement: cst.BaseStatement, title: str) -> Optional[PendingFix]:
    """``async with asyncio.timeout(<default-timeout>):`` around ``statement`` (its leading
    comments and blank lines stay in front); None without a default or an ``asyncio`` name."""
    seconds = rule.ctx.settings.default_timeout
    reference = rule.ctx.reference("asyncio", "timeout") if seconds is not None else None
    if reference is None:
        return None
    expression, need = reference
    scope = cst.With(
        items=[cst.WithItem(cst.Call(expression, [cst.Arg(cst.parse_expression(format_seconds(seconds)))]))],
        body=cst.IndentedBlock([statement.with_changes(leading_lines=())]),
        asynchronous=cst.Asynchronous(),
        leading_lines=statement.leading_lines,  # type: ignore[attr-defined]
    )
    return PendingFix(title, Applicability.UNSAFE, [(statement, scope)], [need] if need else [])


def _wrappable_statement(rule: Rule) -> Optional[cst.SimpleStatementLine]:
    """The one-statement line holding the node, directly in a block of an ``async def``."""
    stack = rule.ctx.stack
    for index in range(len(stack) - 1, 0, -1):
        node = stack[index]
        if isinstance(node, (cst.FunctionDef, cst.Lambda, cst.BaseCompoundStatement)):
            return None
        if isinstance(node, cst.SimpleStatementLine):
            if len(node.body) != 1 or not isinstance(stack[index - 1], cst.IndentedBlock):
                return None
            return node if rule.ctx.in_async_function() else None
    return None
