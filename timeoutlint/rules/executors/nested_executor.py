"""TL101 nested-executor: work that already runs on an executor creates another one or
blocks on a future — followed through calls across the modules of the project.

The rule has two halves. In the shared pass it only records facts (``_executor_facts``):
what each function calls, creates and waits on, and what is submitted to an executor. Its
``check_project`` then joins the facts of every file (``callgraph.Project``), follows the
calls of each submitted callable, and reports at the offending site: the pool creation or
the blocking wait, with the chain that leads there in the message. A ``# noqa: TL101`` on
that site silences it.
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any, Dict, List, Mapping, Optional, Protocol, Sequence, Tuple

import libcst as cst

from timeoutlint.analysis.callargs import argument, positional
from timeoutlint.analysis.callgraph import Project
from timeoutlint.analysis.bindings import is_none
from timeoutlint.analysis.known import PARTIAL
from timeoutlint.context import FileContext, PendingReport
from timeoutlint.ftypes import Diagnostic, FileResult
from timeoutlint.rule import Attr, Invalid, Rule, Valid
from timeoutlint.rules.executors._executor_facts import (
    AS_COMPLETED,
    EXECUTOR_CONSTRUCTORS,
    EXHAUSTING,
    WAIT,
    Entry,
    FactCollector,
    Site,
    _method_call,
)
from timeoutlint.settings import Settings
from timeoutlint.suppression import find_suppressions

# How many calls deep a chain from a submitted callable is followed.
MAX_DEPTH = 12
# How many times the project pass may ask for more modules' facts.
MAX_ROUNDS = 64
_SUBMIT_METHODS = ("submit", "map")


class NestedExecutor(Rule):
    """
    ## What it does
    Checks for callables that run on an executor (passed to `submit`, `map` or
    `run_in_executor`) and then, directly or through the functions they call, create another
    `ThreadPoolExecutor`/`ProcessPoolExecutor` or block on a future. Calls are followed
    across the modules of the project: module functions, imported functions, `self` methods
    (inherited ones, and overrides in subclasses: `self.step()` may run `Sub.step`),
    `super()` calls, and methods reached through attribute chains whose classes are known —
    `task.slot.receive()` on a parameter annotated with a dataclass of another module,
    `flow._get_executor().submit(...)` through a getter, `POOL.submit` on a module-level
    pool of another module. The submitted callable may be a function, a bound method (also
    held in a local), a lambda, `functools.partial(f, ...)` (also held in a local), or
    `ctx.run, f` of a `contextvars` context; `run_in_executor` may name its arguments
    (`executor=`, `func=`). The finding is reported where the pool is created or the wait
    happens, and its message names the chain that leads there from the `submit`.

    ## Why is this bad?
    A pool task that builds its own pool multiplies threads (every worker of the outer pool
    may start a whole inner pool) and pays the start-up and shutdown of a pool on every call;
    a task that blocks on a future holds its worker while it waits for another pool to get
    round to its work. Both make timeouts and capacity hard to reason about, and they hide
    well: the `submit` is in one module, the pool in another, three calls away.

    Blocking on a future of the *same* pool the task runs on is worse: once every worker
    waits for work queued behind it, nothing is left to run that work — a starvation
    deadlock, which the message calls out.

    ## Example
    ```python
    # flow.py
    from concurrent.futures import ThreadPoolExecutor

    from task import Task

    POOL = ThreadPoolExecutor(max_workers=8)


    def execute_task(task: Task) -> str:
        return task.run()


    def run_flow(tasks: list[Task]) -> list:
        return [POOL.submit(execute_task, task) for task in tasks]


    # slot.py
    from concurrent.futures import ThreadPoolExecutor


    class Slot:
        def receive(self, message: str) -> str:
            with ThreadPoolExecutor(max_workers=1) as ex:  # TL101: runs on POOL already
                return ex.submit(self.handle, message).result(timeout=5)
    ```
    (`task.py` has a dataclass `Task` with a field `slot: Slot` whose `run()` calls
    `self.slot.receive(...)`.)

    ## Use instead
    ```python
    # slot.py
    from timeoutlint.runtime import run_with_timeout


    class Slot:
        def receive(self, message: str) -> str:
            return run_with_timeout(self.handle, message, timeout=5)
    ```
    `run_with_timeout` and `shared_executor()` (from the configured `executor-import`) are
    safe inside pool tasks and never reported; or call the handler directly and put the
    timeout on the outer `result()`.

    ## Fix safety
    There is no automatic fix: where the nesting should be undone (the submit, the task, or
    the inner pool) is a design decision. TL102 and TL103 offer rewrites for the inner pool.

    Only what is known is followed: a call whose target cannot be resolved through imports
    and local inference ends the chain, so a finding may be missed but a chain is never
    guessed. Calls are followed up to 12 deep. When only some files are linted (pre-commit),
    the rest of the project — every file under the directory of the configuration file
    (`pyproject.toml` with `[tool.timeoutlint]`, or `timeoutlint.toml`) — is still read for
    facts, and findings are reported for the files passed only; without a configuration
    file only the files passed are known. Only the files that can submit work and the
    modules their calls reach are parsed for this rule.

    ## References
    - [concurrent.futures — ThreadPoolExecutor (deadlock example)](https://docs.python.org/3/library/concurrent.futures.html#threadpoolexecutor)
    """

    code = "TL101"
    name = "nested-executor"
    message = "{action} inside `{function}`, which already runs on an executor: {chain}"
    # Files that may submit work are analysed up front; the project pass then asks for the
    # facts of each further module a chain reaches (``load``), whatever it mentions.
    triggers = (Attr("submit"), Attr("map"), Attr("run_in_executor"))
    # Its facts follow calls between any of the file's functions.
    whole_file_triggers = triggers

    VALID = [
        Valid(
            "from concurrent.futures import ThreadPoolExecutor\n\nPOOL = ThreadPoolExecutor()\n\n"
            "def work(x):\n    return x * 2\n\ndef run(xs):\n    return [POOL.submit(work, x) for x in xs]\n",
            why="the submitted work neither creates a pool nor waits",
        ),
        Valid(
            "from concurrent.futures import ThreadPoolExecutor\n\ndef main(xs):\n"
            "    with ThreadPoolExecutor() as pool:\n        futures = [pool.submit(abs, x) for x in xs]\n"
            "        return [f.result() for f in futures]\n",
            why="the waiting happens outside the pool",
        ),
        Valid(
            "from concurrent.futures import ThreadPoolExecutor\nfrom timeoutlint.runtime import run_with_timeout\n\n"
            "POOL = ThreadPoolExecutor()\n\ndef handle(msg):\n    return msg\n\n"
            "def work(msg):\n    return run_with_timeout(handle, msg, timeout=5)\n\n"
            "def run(msgs):\n    return [POOL.submit(work, m) for m in msgs]\n",
            why="run_with_timeout is safe inside pool tasks",
        ),
        Valid(
            "from concurrent.futures import ThreadPoolExecutor, as_completed\n\nPOOL = ThreadPoolExecutor()\n\n"
            "def work(futures):\n    for done in as_completed(futures, timeout=1):\n        pass\n\n"
            "def helper(pool):\n    pool.submit(work, [])\n",
            why="pool is a parameter of unknown type: nothing runs on a known executor",
        ),
        Valid(
            "from concurrent.futures import ThreadPoolExecutor\n\nPOOL = ThreadPoolExecutor()\n\n"
            "def work(x):\n    with ThreadPoolExecutor() as inner:  # noqa: TL101\n        return inner.submit(abs, x).result()\n\n"
            "def run(xs):\n    return [POOL.submit(work, x) for x in xs]\n",
            why="suppressed where it is reported",
        ),
    ]
    INVALID = [
        Invalid(
            "from concurrent.futures import ThreadPoolExecutor\n\nPOOL = ThreadPoolExecutor(max_workers=4)\n\n"
            "def fetch_all(urls):\n    with ThreadPoolExecutor() as inner:\n        return list(inner.map(len, urls))\n\n"
            "def handle(job):\n    return fetch_all(job)\n\n"
            "def serve(jobs):\n    return [POOL.submit(handle, job) for job in jobs]\n",
            why="a pool created two calls below a submitted task",
        ),
        Invalid(
            "from concurrent.futures import ThreadPoolExecutor\n\nPOOL = ThreadPoolExecutor(max_workers=4)\n\n"
            "def walk(node):\n    futures = [POOL.submit(walk, child) for child in node.children]\n"
            "    return [f.result() for f in futures]\n",
            why="waits on its own pool: starvation",
        ),
        Invalid(
            "from concurrent.futures import ThreadPoolExecutor\nfrom dataclasses import dataclass\n\n"
            "class Slot:\n    def receive(self, msg):\n        with ThreadPoolExecutor(max_workers=1) as ex:\n"
            "            return ex.submit(print, msg).result(timeout=5)\n\n"
            "@dataclass\nclass Task:\n    slot: Slot\n\n    def run(self):\n        return self.slot.receive('go')\n\n"
            "class Flow:\n    def __init__(self):\n        self.pool = ThreadPoolExecutor()\n\n"
            "    def start(self, task: Task):\n        return self.pool.submit(task.run)\n",
            why="through a dataclass field and a pool on self",
        ),
    ]

    def __init__(self, ctx: FileContext) -> None:
        super().__init__(ctx)
        self.facts = FactCollector(ctx)

    # -- frames -----------------------------------------------------------------------

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        if self.facts.enabled:
            self.facts.enter_class(node)

    def leave_ClassDef(self, node: cst.ClassDef) -> None:
        if self.facts.enabled:
            self.facts.leave_class(self.ctx.resolver.scope)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        if self.facts.enabled:
            self.facts.enter_function(node)

    def leave_FunctionDef(self, node: cst.FunctionDef) -> None:
        if self.facts.enabled:
            self.facts.leave_function()

    def visit_Lambda(self, node: cst.Lambda) -> None:
        if self.facts.enabled:
            self.facts.enter_function(node)

    def leave_Lambda(self, node: cst.Lambda) -> None:
        if self.facts.enabled:
            self.facts.leave_function()

    # -- futures and pools bound to names ---------------------------------------------

    def visit_Assign(self, node: cst.Assign) -> None:
        if not self.facts.enabled:
            return
        facts = self.facts
        frame = facts.function_frame()
        is_futures, pool = facts.futures_pool(node.value)
        shared = facts.shared_pool(node.value)
        for target in node.targets:
            if not isinstance(target.target, cst.Name):
                continue
            name = target.target.value
            if frame is None:
                if not facts.frames:
                    _bind(facts.module_shared, name, shared if shared is not None else _ABSENT)
                continue
            _bind(frame.futures, name, pool if is_futures else _ABSENT)
            _bind(frame.shared, name, shared if shared is not None else _ABSENT)
            _bind(frame.callables, name, self._held_callable(node.value))

    def _held_callable(self, value: cst.BaseExpression) -> Any:
        """The ref a local bound to ``partial(f, ...)`` or a bound method (``self.handle``,
        ``slot.deliver``) runs when it is submitted or called."""
        held = isinstance(value, cst.Attribute) or (
            isinstance(value, cst.Call) and self.ctx.qualified_name(value.func) == PARTIAL
        )
        ref = self.facts.callable_ref(value) if held else None
        return ref if ref is not None else _ABSENT

    def visit_For(self, node: cst.For) -> None:
        frame = self.facts.function_frame() if self.facts.enabled else None
        if frame is not None and isinstance(node.target, cst.Name):
            _bind(frame.futures, node.target.value, self._iterated_future(node.iter))

    def _iterated_future(self, iterable: cst.BaseExpression) -> Any:
        """The pool of the futures a loop over ``iterable`` yields (_ABSENT: not futures,
        or already finished ones from ``as_completed``)."""
        if isinstance(iterable, cst.Call) and self.ctx.qualified_name(iterable.func) == AS_COMPLETED:
            return _ABSENT
        is_futures, pool = self.facts.futures_pool(iterable)
        return pool if is_futures else _ABSENT

    def _comprehension(self, node: cst.BaseComp) -> None:
        if not self.facts.enabled:
            return
        bound = self.facts.comp_futures.setdefault(id(node), {})
        comp_for: Optional[cst.CompFor] = node.for_in
        while comp_for is not None:
            if isinstance(comp_for.target, cst.Name):
                _bind(bound, comp_for.target.value, self._iterated_future(comp_for.iter))
            comp_for = comp_for.inner_for_in

    def visit_ListComp(self, node: cst.ListComp) -> None:
        self._comprehension(node)

    def visit_SetComp(self, node: cst.SetComp) -> None:
        self._comprehension(node)

    def visit_GeneratorExp(self, node: cst.GeneratorExp) -> None:
        self._comprehension(node)

    def visit_DictComp(self, node: cst.DictComp) -> None:
        self._comprehension(node)

    # -- calls ------------------------------------------------------------------------

    def visit_Call(self, node: cst.Call) -> None:
        if not self.facts.enabled:
            return
        facts = self.facts
        frame = facts.function_frame()
        qualname = self.ctx.qualified_name(node.func)
        before = len(facts.sites), len(facts.entries)
        if frame is not None and qualname in EXECUTOR_CONSTRUCTORS:
            self._site(frame.qualname, "create", EXECUTOR_CONSTRUCTORS[qualname], None, node)
        self._entry(node)
        if frame is not None:
            self._blocking(frame.qualname, node, qualname)
            ref = facts.callable_ref(node.func)
            if ref is not None:
                frame.calls.setdefault(ref, []).extend(self.ctx.resolver.dependencies)
            append = _method_call(node, "append")
            if append is not None and isinstance(append.func.value, cst.Name) and len(node.args) == 1:  # type: ignore[attr-defined]
                is_future, pool = facts.future_pool(node.args[0].value)
                if is_future:
                    frame.futures[append.func.value.value] = pool  # type: ignore[attr-defined]
        dependencies = list(self.ctx.resolver.dependencies)
        for record in facts.sites[before[0] :] + facts.entries[before[1] :]:  # type: ignore[operator]
            record.dependencies = dependencies

    def _entry(self, node: cst.Call) -> None:
        facts = self.facts
        func = node.func
        if not isinstance(func, cst.Attribute):
            return
        method = func.attr.value
        rest: List[cst.Arg]
        if method in _SUBMIT_METHODS and facts.is_executor(func.value):
            target = argument(node, "fn", 0)
            pool = facts.executor_identity(func.value)
            rest = positional(node)[1:]
        elif method == "run_in_executor":
            executor, target = argument(node, "executor", 0), argument(node, "func", 1)
            if executor is None or executor.star:
                return
            if is_none(executor.value):
                pool = "loop-default"
            elif facts.is_executor(executor.value):
                pool = facts.executor_identity(executor.value)
            else:
                return
            rest = positional(node)[2:]
        else:
            return
        if target is None or target.star:
            return
        if facts.runs_with_context(target.value):  # ``ex.submit(ctx.run, fn, ...)`` runs ``fn``
            if not rest or rest[0].star:
                return
            target = rest[0]
        if isinstance(target.value, cst.Lambda):
            facts.submitted.add(id(target.value))
        ref = facts.callable_ref(target.value)
        if ref is not None:
            facts.entries.append(Entry(ref, method, pool, node, []))

    def _blocking(self, function: str, node: cst.Call, qualname: Optional[str]) -> None:
        facts = self.facts
        func = node.func
        what = None
        pool: Optional[str] = None
        if isinstance(func, cst.Attribute) and func.attr.value in ("result", "exception"):
            is_future, pool = facts.future_pool(func.value)
            if is_future and not _zero(argument(node, "timeout", 0)):
                what = f"{_short(self.ctx.module.code_for_node(func))}()"
        elif qualname in (WAIT, AS_COMPLETED) and node.args:
            if not _zero(argument(node, "timeout", 1)):
                _, pool = facts.futures_pool(node.args[0].value)
                what = f"{qualname.rpartition('.')[2]}()"  # type: ignore[union-attr]
        elif isinstance(func, cst.Attribute) and func.attr.value == "map" and facts.is_executor(func.value):
            if self._exhausted(node):
                pool = facts.executor_identity(func.value)
                what = f"{_short(self.ctx.module.code_for_node(func))}()"
        if what is None:
            return
        if pool is not None and (pool.startswith("shared:") or pool.startswith(f"local:{function}.")):
            # The managed pool is safe to wait on; a pool made right here is reported
            # once, where it is created.
            return
        self._site(function, "block", what, pool, node)

    def _exhausted(self, node: cst.Call) -> bool:
        """Is the iterator ``node`` returns consumed right away (so the call waits)?"""
        parent = self.ctx.parent()
        if isinstance(parent, (cst.For, cst.CompFor)) and parent.iter is node:
            return True
        if isinstance(parent, cst.Arg) and len(self.ctx.stack) >= 3:
            call = self.ctx.stack[-3]
            return isinstance(call, cst.Call) and self.ctx.qualified_name(call.func) in EXHAUSTING
        return False

    def _site(self, function: str, kind: str, what: str, pool: Optional[str], node: cst.Call) -> None:
        statement = next((n for n in reversed(self.ctx.stack) if isinstance(n, cst.SimpleStatementLine)), None)
        self.facts.sites.append(Site(function, kind, what, pool, node, statement, []))

    # -- the facts --------------------------------------------------------------------

    def leave_Module(self, node: cst.Module) -> None:
        if self.facts.enabled:
            self.ctx.facts[self.code] = _file_facts(self, self.facts)

    # -- the project pass -------------------------------------------------------------

    @classmethod
    def check_project(
        cls, facts_by_path: Mapping[str, Mapping[str, Any]], settings: Settings, load: Optional[FactSource] = None
    ) -> List[Diagnostic]:
        """Findings from the facts of every file; ``load`` adds the facts of the modules a
        chain reaches that were not analysed yet, and the analysis runs again (bounded)."""
        facts = {path: file_facts.get(cls.code) for path, file_facts in facts_by_path.items() if file_facts}
        facts = {path: value for path, value in facts.items() if value}
        for _ in range(MAX_ROUNDS):
            project = Project(facts, load.available if load is not None else None)
            found = cls._analyze(project, facts, settings)
            if load is None or not project.missing:
                break
            loaded = load.load(sorted(project.missing))
            if not loaded:
                break
            facts.update({path: value[cls.code] for path, value in loaded.items() if value.get(cls.code)})
        return found

    @classmethod
    def _analyze(cls, project: Project, facts: Mapping[str, Any], settings: Settings) -> List[Diagnostic]:
        runtime = settings.executor_import
        managed = {
            name
            for name, function in project.functions.items()
            if function.module == runtime or function.module.startswith(runtime + ".")
        }
        sites: Dict[str, List[Tuple[str, int, Mapping[str, Any]]]] = defaultdict(list)
        for path in sorted(facts):
            for index, site in enumerate(facts[path].get("sites", ())):
                if project.confirmed(site.get("pool")):
                    sites[site["function"]].append((path, index, site))
        best: Dict[Tuple[str, int], Tuple[Tuple[int, int], Diagnostic]] = {}
        for path in sorted(facts):
            for entry in facts[path].get("entries", ()):
                if not project.confirmed(entry.get("pool")):
                    continue
                starts = [start for start in project.resolve(entry["callable"]) if start not in managed]
                entry_pool = project.canonical_pool(entry.get("pool"))
                for function, chain in project.chains(starts, MAX_DEPTH, stop=managed).items():
                    if function in managed:
                        continue
                    for site_path, index, site in sites.get(function, ()):
                        same_pool = (
                            site["kind"] == "block"
                            and entry_pool is not None
                            and project.canonical_pool(site.get("pool")) == entry_pool
                        )
                        rank = (0 if same_pool else 1, len(chain))
                        key = (site_path, index)
                        if key not in best or rank < best[key][0]:
                            message = _message(project, path, entry, chain, site, same_pool)
                            best[key] = (rank, _diagnostic(cls, site_path, site, message))
        return sorted((diagnostic for _, diagnostic in best.values()), key=Diagnostic.sort_key)


class FactSource(Protocol):
    """Where the project pass gets the facts of more modules (``api`` provides one)."""

    def available(self, module: str) -> bool:
        """Is there a file for ``module`` whose facts are not known yet?"""

    def load(self, modules: Sequence[str]) -> Mapping[str, Mapping[str, Any]]:
        """The facts (all rules') of the files of ``modules``, by path."""


_ABSENT: Any = object()


def _bind(table: Dict[str, Any], name: str, value: Any) -> None:
    """Bind ``name`` to ``value``, or forget it (``_ABSENT``: not a future / not a pool; a
    future's pool may itself be None, unknown)."""
    if value is _ABSENT:
        table.pop(name, None)
    else:
        table[name] = value


def _zero(arg: Optional[cst.Arg]) -> bool:
    return arg is not None and isinstance(arg.value, (cst.Integer, cst.Float)) and float(arg.value.value) == 0


def _short(text: str, limit: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _file_facts(rule: NestedExecutor, facts: FactCollector) -> Dict[str, Any]:
    functions: Dict[str, Any] = {}
    for qualname, frame in facts.functions.items():
        calls = [ref for ref, deps in frame.calls.items() if not _unstable(deps)]
        functions[qualname] = {"calls": calls} if calls else {}
    out: Dict[str, Any] = {"module": facts.module, "functions": functions, "types": rule.ctx.resolver.type_facts()}
    if facts.classes:
        out["classes"] = facts.classes
    if facts.imports:
        out["imports"] = facts.imports
    sites = [site for site in facts.sites if not _unstable(site.dependencies)]
    entries = [entry for entry in facts.entries if not _unstable(entry.dependencies)]
    if not sites and not entries:
        return out
    from timeoutlint.engine import DiagnosticBuilder  # the engine's own spans and statement hashes

    builder = DiagnosticBuilder(rule.ctx)
    suppressions = find_suppressions(rule.ctx.source)
    recorded: List[Dict[str, Any]] = []
    seen_blocks = set()
    for site in sites:
        report = PendingReport(rule, site.node, site.statement, "", None, [])
        diagnostic = builder.build(report, FileResult(rule.ctx.path))
        if diagnostic is None or suppressions.suppresses(rule.code, {diagnostic.line, diagnostic.statement_lines[1]}):
            continue
        if site.kind == "block":  # one wait per function and pool is enough to say it
            if (site.function, site.pool) in seen_blocks:
                continue
            seen_blocks.add((site.function, site.pool))
        data = diagnostic.to_cache()
        recorded.append(
            {
                "function": site.function,
                "kind": site.kind,
                "what": site.what,
                "pool": site.pool,
                **{key: data[key] for key in ("line", "column", "end_line", "end_column", "statement_lines", "statement_hash")},
            }
        )
    if recorded:
        out["sites"] = recorded
    if entries:
        out["entries"] = [
            {
                "callable": entry.callable,
                "via": entry.via,
                "pool": entry.pool,
                "line": builder.positions[entry.node].start.line,
                "column": builder.positions[entry.node].start.column + 1,
            }
            for entry in entries
        ]
    return out


def _unstable(dependencies: List[Any]) -> bool:
    """Relies on a ``self.x`` type that another method contradicts (as the engine drops)."""
    return any(attr in scope.unstable_attrs for scope, attr in dependencies)


def _pool_label(pool: str) -> str:
    if pool.startswith("attr:"):
        return "self." + pool.rpartition(".")[2]
    return pool.rpartition(".")[2].partition(":")[2] or pool.rpartition(".")[2]


_VERBS = {"submit": "submits", "map": "maps", "run_in_executor": "run_in_executor() runs"}


def _display(project: Project, qualname: str) -> str:
    return re.sub(r"<lambda#\d+>", "<lambda>", project.functions[qualname].display)


def _message(
    project: Project, path: str, entry: Mapping[str, Any], chain: List[str], site: Mapping[str, Any], same_pool: bool
) -> str:
    names = " → ".join(f"`{_display(project, name)}`" for name in chain)
    route = f"{path}:{entry['line']} {_VERBS.get(entry['via'], entry['via'])} {names}"
    function = _display(project, chain[-1])
    if site["kind"] == "create":
        action = f"creates a {site['what']}"
    elif same_pool:
        pool = _pool_label(project.canonical_pool(site["pool"]) or site["pool"])
        return (
            f"blocks on a future of `{pool}` (`{site['what']}`) inside `{function}`, which itself runs on "
            f"`{pool}`: {route}; once every worker waits like this, none is left to run the futures "
            "(starvation deadlock)"
        )
    else:
        action = f"blocks on a future (`{site['what']}`)"
    return NestedExecutor.message.format(action=action, function=function, chain=route)


def _diagnostic(rule: type[Rule], path: str, site: Mapping[str, Any], message: str) -> Diagnostic:
    """A finding of the project pass at a site recorded in the facts (its span and hash)."""
    return Diagnostic.from_cache({**site, "code": rule.code, "name": rule.name, "message": message, "fix": None}, path)
