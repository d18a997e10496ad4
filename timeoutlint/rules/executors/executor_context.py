"""Executor context (TL104): contextvars that do not reach the executor thread."""

from __future__ import annotations

from typing import Any, Dict, List, Mapping, Optional, Set, Tuple

import libcst as cst

from timeoutlint.context import ImportNeed, PendingFix, PendingReport
from timeoutlint.ftypes import Applicability, Diagnostic, FileResult
from timeoutlint.rule import Attr, FixAvailability, Invalid, Rule, Valid
from timeoutlint.rules.executors._bodies import Body, Root
from timeoutlint.rules.executors._futures_common import is_none
from timeoutlint.analysis.bindings import AMBIGUOUS, canonical, dotted_name
from timeoutlint.analysis.known import CONTEXT_VAR, PARTIAL, THREAD_POOL
from timeoutlint.settings import Settings
from timeoutlint.suppression import find_suppressions

LOOP_TYPES = frozenset({"asyncio.AbstractEventLoop", "asyncio.BaseEventLoop"})
RUNNING_LOOP = frozenset({"asyncio.get_running_loop", "asyncio.get_event_loop"})
_MAX_DEPTH = 8  # how deep calls are followed from the submitted callable
_IMPORTED = "@"  # marks an imported variable (by qualified name) among the names a callable reads

Chain = Tuple[Body, ...]  # the bodies a name is looked up in, innermost first, module last


class ExecutorContextLost(Rule):
    """
    ## What it does
    Checks for `executor.submit(fn, ...)`, `executor.map(fn, ...)` (on a known
    `ThreadPoolExecutor`) and `loop.run_in_executor(None or a ThreadPoolExecutor, fn, ...)`
    where `fn` reads a `ContextVar` that the caller has set.

    Precisely: `fn` — a function or method of this file (`self.method`, also one inherited
    from a base class of this file; `self.handler.handle` or `task.slot.receive` when the
    attribute's class is known and defined in this file), a lambda, or `functools.partial`
    of one — calls `var.get()` itself or through the functions of this file it calls, where
    `var` is a module-level `contextvars.ContextVar(...)` of this file (bound once, not
    shadowed); and the submitting function calls `var.set(...)` before the submission
    (textually), or the module sets it at module level. A callable that sets the variable
    itself is not reported.

    Across modules: when the variable `fn` reads is imported (`from .context import
    current_task`, at module level or inside the function that reads it), the finding is reported once the facts of the project confirm that the
    imported name is a module-level `contextvars.ContextVar(...)` of a project module and
    that some project file calls `.set(...)` on it (where, is not known: any setter counts).
    A variable whose module is not in the project, or is re-exported through another
    module, is not reported. When only some files are linted (pre-commit), the rest of the
    project is still read for these facts, as for TL101.

    ## Why is this bad?
    Context variables are per thread of execution: a `ThreadPoolExecutor` worker (and the
    default executor of `run_in_executor`) runs the callable in the worker thread's own
    context, not the submitter's. `var.get()` there returns the default — or a value an
    earlier task left in that worker — instead of the request id, tenant, locale or
    deadline the caller set: logs lose their correlation id, a query runs for the wrong
    tenant. `asyncio.to_thread` and the managed `shared_executor()` copy the context;
    plain executors do not.

    ## Example
    ```python
    import contextvars
    from concurrent.futures import ThreadPoolExecutor

    request_id = contextvars.ContextVar("request_id", default="-")
    pool = ThreadPoolExecutor()

    def handle(job):
        log(request_id.get(), job)

    def serve(rid, job):
        request_id.set(rid)
        return pool.submit(handle, job)
    ```

    ## Use instead
    ```python
    import contextvars
    from concurrent.futures import ThreadPoolExecutor

    request_id = contextvars.ContextVar("request_id", default="-")
    pool = ThreadPoolExecutor()

    def handle(job):
        log(request_id.get(), job)

    def serve(rid, job):
        request_id.set(rid)
        return pool.submit(contextvars.copy_context().run, handle, job)
    ```

    In a coroutine, `await loop.run_in_executor(None, handle, job)` becomes
    `await asyncio.to_thread(handle, job)`.

    ## Fix safety
    `pool.submit(fn, *args, **kwargs)` becomes `pool.submit(contextvars.copy_context().run,
    fn, *args, **kwargs)` and `loop.run_in_executor(ex, fn, *args)` becomes
    `loop.run_in_executor(ex, contextvars.copy_context().run, fn, *args)`: the same
    executor, the same call, the same result and exceptions. `await
    loop.run_in_executor(None, fn, *args)` becomes `await asyncio.to_thread(fn, *args)` where
    that is exactly the same call on the same default executor — `loop` is the running loop
    (`asyncio.get_running_loop()` or `get_event_loop()` in this function) and the call is
    awaited at once; otherwise the `copy_context().run` form is used.

    The fix is safe: what changes is only the context the callable runs in, which is what
    the rule reports. The callable now sees the values the caller set when it submitted
    (as `asyncio.to_thread` and `contextvars`-aware executors do), and variables it sets
    itself stay in its copy instead of leaking to later tasks on the same worker thread.
    Only code that relied on the stale worker-thread values would notice — for instance a
    `ContextVar` holding an object bound to one thread (a connection with
    `check_same_thread`), which the worker now shares with the caller.

    A finding across modules comes from the project pass, which runs after the files are
    fixed one by one: it is reported without a fix (apply the same rewrite by hand).

    `executor.map(fn, ...)` is reported without a fix: one copied context cannot be
    entered by several tasks at once. A `ProcessPoolExecutor` is never reported (context
    variables do not cross processes), nor is a pool from `shared_executor()`, whose
    `submit` copies the context already.

    ## References
    - [contextvars — Asyncio support](https://docs.python.org/3/library/contextvars.html#asyncio-support)
    - [contextvars.copy_context](https://docs.python.org/3/library/contextvars.html#contextvars.copy_context)
    - [asyncio.to_thread](https://docs.python.org/3/library/asyncio-task.html#asyncio.to_thread)
    """

    code = "TL104"
    name = "executor-context-lost"
    message = "`{callable}` reads the ContextVar {vars} set by the caller, but `{method}()` runs it without the caller's context"
    fix_title = "Run the callable in a copy of the caller's context"
    fix_availability = FixAvailability.SOMETIMES
    applicability = Applicability.SAFE
    # A file may submit a callable reading an imported ContextVar, or set one, without
    # naming ContextVar: those record facts for the project pass.
    triggers = ("ContextVar", Attr("submit"), Attr("map"), Attr("run_in_executor"), Attr("set"))
    # What a submitted callable reads follows calls between any of the file's functions
    # (what defines and sets a variable is module-level code, or in the statement itself).
    whole_file_triggers = (Attr("submit"), Attr("map"), Attr("run_in_executor"))

    _HEAD = (
        "import contextvars\nfrom concurrent.futures import ThreadPoolExecutor\n\n"
        "request_id = contextvars.ContextVar('request_id', default='-')\npool = ThreadPoolExecutor()\n\n"
        "def handle(job):\n    return request_id.get(), job\n\n"
    )
    _AIO = "import asyncio\nimport contextvars\n\nuser = contextvars.ContextVar('user')\n\ndef work(x):\n    return user.get(), x\n\n"
    VALID = [
        Valid(_HEAD + "def serve(rid, job):\n    request_id.set(rid)\n    pool.submit(contextvars.copy_context().run, handle, job)\n"),
        Valid(_AIO + "async def f(x):\n    user.set('ann')\n    return await asyncio.to_thread(work, x)\n"),
        Valid(_HEAD + "def serve(job):\n    pool.submit(handle, job)\n", why="the caller set nothing"),
        Valid(_HEAD + "def serve(rid, job):\n    request_id.set(rid)\n    pool.submit(print, job)\n", why="reads no ContextVar"),
        Valid(
            _HEAD + "from timeoutlint.runtime import shared_executor\n\ndef serve(rid, job):\n    request_id.set(rid)\n"
            "    shared_executor().submit(handle, job)\n",
            why="shared_executor copies the context",
        ),
        Valid(
            _HEAD + "from concurrent.futures import ProcessPoolExecutor\n\ndef serve(rid, job):\n    request_id.set(rid)\n"
            "    with ProcessPoolExecutor() as ex:\n        ex.submit(handle, job)\n",
            why="another process",
        ),
        Valid(_HEAD + "def serve(rid, job, ex):\n    request_id.set(rid)\n    ex.submit(handle, job)\n", why="unknown executor"),
        Valid(
            _HEAD + "def serve(rid, job):\n    pool.submit(handle, job)\n    request_id.set(rid)\n",
            why="set after the submission",
        ),
        Valid(
            "import contextvars\nfrom concurrent.futures import ThreadPoolExecutor\nvar = contextvars.ContextVar('v')\n"
            "pool = ThreadPoolExecutor()\n\ndef task():\n    var.set(1)\n    return var.get()\n\n"
            "def run():\n    var.set(2)\n    pool.submit(task)\n",
            why="the task sets the variable itself",
        ),
        Valid(
            _HEAD + "def serve(rid, job, request_id):\n    request_id.set(rid)\n    pool.submit(handle, job)\n",
            why="request_id here is a parameter, not the ContextVar",
        ),
        Valid(
            _HEAD + "class Handler:\n    def handle(self, job):\n        return request_id.get(), job\n\n"
            "class Service:\n    def __init__(self, handler):\n        self.handler = handler\n\n"
            "    def serve(self, rid, job):\n        request_id.set(rid)\n        return pool.submit(self.handler.handle, job)\n",
            why="the handler attribute's class is not known",
        ),
    ]
    INVALID = [
        Invalid(
            _HEAD + "def serve(rid, job):\n    request_id.set(rid)\n    return pool.submit(handle, job)\n",
            fixed=_HEAD + "def serve(rid, job):\n    request_id.set(rid)\n    return pool.submit(contextvars.copy_context().run, handle, job)\n",
        ),
        Invalid(
            _AIO + "async def f(x):\n    user.set('ann')\n    loop = asyncio.get_running_loop()\n    return await loop.run_in_executor(None, work, x)\n",
            fixed=_AIO + "async def f(x):\n    user.set('ann')\n    loop = asyncio.get_running_loop()\n    return await asyncio.to_thread(work, x)\n",
        ),
        Invalid(
            _AIO + "async def f(x, loop: asyncio.AbstractEventLoop):\n    user.set('ann')\n    fut = loop.run_in_executor(None, work, x)\n"
            "    return await fut\n",
            fixed=_AIO + "async def f(x, loop: asyncio.AbstractEventLoop):\n    user.set('ann')\n"
            "    fut = loop.run_in_executor(None, contextvars.copy_context().run, work, x)\n    return await fut\n",
            why="not awaited at once: to_thread would not start it yet",
        ),
        Invalid(
            _HEAD + "def serve(rid, jobs):\n    request_id.set(rid)\n    return list(pool.map(handle, jobs))\n",
            why="map: no fix",
        ),
        Invalid(
            "from contextvars import ContextVar\nfrom concurrent.futures import ThreadPoolExecutor\n\n"
            "tenant: ContextVar[str] = ContextVar('tenant')\n\nclass Service:\n    def __init__(self):\n"
            "        self.pool = ThreadPoolExecutor(4)\n\n    def _query(self, sql):\n        return tenant.get(), sql\n\n"
            "    def run(self, who, sql):\n        tenant.set(who)\n        return self.pool.submit(lambda: self._query(sql))\n",
            fixed=("from contextvars import ContextVar, copy_context\n"
                "from concurrent.futures import ThreadPoolExecutor\n"
                "\n"
                "tenant: ContextVar[str] = ContextVar('tenant')\n"
                "\n"
                "class Service:\n"
                "    def __init__(self):\n"
                "        self.pool = ThreadPoolExecutor(4)\n"
                "\n"
                "    def _query(self, sql):\n"
                "        return tenant.get(), sql\n"
                "\n"
                "    def run(self, who, sql):\n"
                "        tenant.set(who)\n"
                "        return self.pool.submit(copy_context().run, lambda: self._query(sql))\n"),
            why="through a lambda and a method",
        ),
        Invalid(
            _HEAD + "class Handler:\n    def handle(self, job):\n        return request_id.get(), job\n\n"
            "class Service:\n    def __init__(self):\n        self.handler = Handler()\n\n"
            "    def serve(self, rid, job):\n        request_id.set(rid)\n        return pool.submit(self.handler.handle, job)\n",
            fixed=_HEAD + "class Handler:\n    def handle(self, job):\n        return request_id.get(), job\n\n"
            "class Service:\n    def __init__(self):\n        self.handler = Handler()\n\n"
            "    def serve(self, rid, job):\n        request_id.set(rid)\n"
            "        return pool.submit(contextvars.copy_context().run, self.handler.handle, job)\n",
            why="a method of a handler attribute whose class is known",
        ),
        Invalid(
            _HEAD + "class Base:\n    def job(self):\n        return request_id.get()\n\n"
            "class Child(Base):\n    def run(self, rid):\n        request_id.set(rid)\n        return pool.submit(self.job)\n",
            fixed=_HEAD + "class Base:\n    def job(self):\n        return request_id.get()\n\n"
            "class Child(Base):\n    def run(self, rid):\n        request_id.set(rid)\n"
            "        return pool.submit(contextvars.copy_context().run, self.job)\n",
            why="a method inherited from a base class of this file",
        ),
    ]

    def __init__(self, ctx: Any) -> None:
        super().__init__(ctx)
        self._bodies: Dict[cst.CSTNode, Body] = {}
        self._context_vars: Set[str] = set()
        self._methods: Dict[cst.FunctionDef, cst.ClassDef] = {}
        self._module_sets: Set[str] = set()
        self._seen_sets: Dict[cst.CSTNode, Set[str]] = {}
        self._reads_memo: Dict[cst.CSTNode, Set[str]] = {}
        # facts for the project pass: qualified names of the variables set here, and
        # submissions of callables that read imported variables
        self._set_qualnames: Set[str] = set()
        self._candidates: List[Tuple[cst.Call, Optional[cst.CSTNode], Dict[str, str], str, str]] = []

    # -- the module's facts -------------------------------------------------------------

    def visit_Module(self, node: cst.Module) -> None:
        module = self._body(node)
        for name, values in module.values.items():
            if module.bound[name] == 1 and len(values) == 1 and isinstance(values[0], cst.Call):
                if self.ctx.qualified_name(values[0].func) == CONTEXT_VAR:
                    self._context_vars.add(name)
        for class_node in module.classes.values():
            if isinstance(class_node.body, cst.IndentedBlock):
                for statement in class_node.body.body:
                    if isinstance(statement, cst.FunctionDef):
                        self._methods[statement] = class_node
        self._module_sets = {name for name in module.sets if name in self._context_vars}

    def _body(self, root: cst.CSTNode) -> Body:
        if root not in self._bodies:
            assert isinstance(root, (cst.Module, cst.FunctionDef, cst.Lambda))
            self._bodies[root] = Body(root)
        return self._bodies[root]

    def _chain_here(self) -> Chain:
        """The bodies around the node being visited (class bodies are not scopes for them)."""
        roots = [node for node in reversed(self.ctx.stack) if isinstance(node, (cst.FunctionDef, cst.Lambda))]
        return tuple(self._body(root) for root in roots) + (self._body(self.ctx.module),)

    def _resolve(self, name: str, chain: Chain) -> Optional[Body]:
        """The body whose binding of ``name`` is seen at the start of ``chain``."""
        for body in chain[:-1]:
            if name in body.declared_global:
                break
            if body.bound[name]:
                return body
        module = chain[-1]
        return module if module.bound[name] else None

    def _is_context_var(self, name: str, chain: Chain) -> bool:
        return name in self._context_vars and self._resolve(name, chain) is chain[-1]

    def _var_key(self, name: str, chain: Chain) -> Optional[str]:
        """``name`` for a ContextVar of this module; ``@`` + the qualified name for a name
        the module binds once, by an import (whether that is a ContextVar the project pass
        decides); None otherwise."""
        if self._is_context_var(name, chain):
            return name
        module = chain[-1]
        body = self._resolve(name, chain)
        if body is not None and body is not module:  # ``from .context import var`` in a function
            if body.bound[name] != 1 or name not in body.from_imports:
                return None
            node, imported = body.from_imports[name]
            base = self.ctx.resolver.import_from_module(node)
            return _IMPORTED + canonical(f"{base}.{imported}") if base else None
        if body is not module or module.bound[name] != 1 or module.values.get(name) != [None]:
            return None
        if name in module.defs or name in module.classes:
            return None
        binding = self.ctx.resolver.scopes[0].names.get(name)
        if binding is None or binding is AMBIGUOUS or not binding.qualname or "." not in binding.qualname:
            return None
        return _IMPORTED + binding.qualname

    def _var_keys(self, names: Set[str], chain: Chain) -> Set[str]:
        keys = (self._var_key(name, chain) for name in names)
        return {key for key in keys if key is not None}

    def _function(self, name: str, chain: Chain) -> Optional[Tuple[cst.FunctionDef, Chain]]:
        """The one ``def`` that ``name`` names in ``chain``, with the chain inside it."""
        body = self._resolve(name, chain)
        if body is None or body.bound[name] != 1 or name not in body.defs:
            return None
        definition = body.defs[name]
        outer = chain[chain.index(body) :]
        return definition, (self._body(definition),) + outer

    # -- what a callable reads ----------------------------------------------------------

    def _reads(self, root: Root, chain: Chain, depth: int) -> Set[str]:
        if root in self._reads_memo:
            return self._reads_memo[root]
        self._reads_memo[root] = set()  # recursion guard
        body = chain[0]
        found = self._var_keys(body.gets, chain)
        if depth < _MAX_DEPTH:
            for name in body.calls:
                function = self._function(name, chain)
                if function is not None:
                    found |= self._reads(function[0], function[1], depth + 1)
            for receiver, method in body.attr_calls:
                target = self._self_method(receiver, method, chain)
                if target is not None:
                    found |= self._reads(target, (self._body(target), chain[-1]), depth + 1)
        found -= self._var_keys(body.sets, chain)
        self._reads_memo[root] = found
        return found

    def _self_method(self, receiver: str, name: str, chain: Chain) -> Optional[cst.FunctionDef]:
        """The method ``receiver.name`` calls when ``receiver`` is the ``self`` of a method
        (of a module-level class) around this code, and the class defines ``name`` once."""
        body = self._resolve(receiver, chain)
        if body is None or body.self_name != receiver or body.bound[receiver] != 1:
            return None
        owner = self._methods.get(body.root)  # type: ignore[arg-type]
        if owner is None or _is_static(body.root):
            return None
        return self._method(owner, name)

    def _method(self, class_node: cst.ClassDef, name: str) -> Optional[cst.FunctionDef]:
        found = [f for f, owner in self._methods.items() if owner is class_node and f.name.value == name]
        return found[0] if len(found) == 1 else None

    def _callable_reads(self, target: cst.BaseExpression, chain: Chain) -> Set[str]:
        if isinstance(target, cst.Name):
            function = self._function(target.value, chain)
            return self._reads(function[0], function[1], 0) if function is not None else set()
        if isinstance(target, cst.Lambda):
            return self._reads(target, (self._body(target),) + chain, 0)
        if isinstance(target, cst.Call) and self.ctx.qualified_name(target.func) == PARTIAL and target.args:
            first = target.args[0]
            return self._callable_reads(first.value, chain) if not first.star and first.keyword is None else set()
        if isinstance(target, cst.Attribute):
            receiver = target.value
            if target.attr.value == "get" and isinstance(receiver, cst.Name):
                return self._var_keys({receiver.value}, chain)
            if isinstance(receiver, cst.Name):
                method = self._self_method(receiver.value, target.attr.value, chain)
                if method is not None:
                    return self._reads(method, (self._body(method), chain[-1]), 0)
            method = self._method_of_type(self.ctx.type_of(receiver), target.attr.value)
            if method is not None:  # ``self.handler.handle``, ``task.slot.receive``
                return self._reads(method, (self._body(method), chain[-1]), 0)
        return set()

    def _method_of_type(self, type_: Optional[str], name: str) -> Optional[cst.FunctionDef]:
        """Method ``name`` of a class of this module (or an in-module base of it), when
        that class defines it once and not as a static or class method."""
        qualname = self.ctx.resolver.method_of(type_, name)
        if qualname is None:
            return None
        owner = self.ctx.resolver.classes[qualname.rpartition(".")[0]].node
        method = self._method(owner, name) if isinstance(owner, cst.ClassDef) else None  # type: ignore[arg-type]
        return method if method is not None and not _is_static(method) else None

    # -- the pass -----------------------------------------------------------------------

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if not isinstance(func, cst.Attribute):
            return
        method = func.attr.value
        if method == "set":
            self._note_set(func.value)
            return
        if method in ("submit", "map"):
            if not self._is_thread_pool(func.value):
                return
            index = 0
        elif method == "run_in_executor":
            if self.ctx.type_of(func.value) not in LOOP_TYPES or not node.args:
                return
            executor = node.args[0]
            if executor.star or executor.keyword is not None:
                return
            if not is_none(executor.value) and not self._is_thread_pool(executor.value):
                return
            index = 1
        else:
            return
        if len(node.args) <= index or any(arg.star or arg.keyword is not None for arg in node.args[: index + 1]):
            return
        chain = self._chain_here()
        reads = self._callable_reads(node.args[index].value, chain)
        here = chain[0].root
        caller_sets = self._seen_sets.get(here, set())
        if not isinstance(here, cst.Module):
            caller_sets = caller_sets | self._module_sets
        lost = sorted(reads & caller_sets)
        label = self.ctx.module.code_for_node(node.args[index].value)
        if "\n" in label or len(label) > 40:
            label = "the callable"
        where = f"{_short(self.ctx.module.code_for_node(func.value))}.{method}"
        if not lost:
            imported = sorted(key[len(_IMPORTED) :] for key in reads if key.startswith(_IMPORTED))
            if imported:
                labels = {qualname: qualname.rpartition(".")[2] for qualname in imported}
                self._candidates.append((node, self.ctx.enclosing_statement(), labels, label, where))
            return
        message = self.message.format(callable=label, vars=", ".join(f"`{name}`" for name in lost), method=where)
        self.report(node, message, self._fix(node, method, index))

    def _note_set(self, receiver: cst.BaseExpression) -> None:
        chain = self._chain_here()
        if isinstance(receiver, cst.Name) and self._is_context_var(receiver.value, chain):
            self._seen_sets.setdefault(chain[0].root, set()).add(receiver.value)
            module = self._module_name()
            if module:
                self._set_qualnames.add(f"{module}.{receiver.value}")
            return
        qualname = self.ctx.qualified_name(receiver)
        if qualname and "." in qualname:
            self._set_qualnames.add(qualname)

    def _module_name(self) -> Optional[str]:
        name = self.ctx.resolver.module_name
        if name and name.endswith(".__init__"):
            name = name[: -len(".__init__")]
        return name or None

    # -- facts and the project pass -----------------------------------------------------

    def leave_Module(self, node: cst.Module) -> None:
        module = self._module_name()
        facts: Dict[str, Any] = {}
        if module and self._context_vars:
            facts["defines"] = sorted(f"{module}.{name}" for name in self._context_vars)
        if self._set_qualnames:
            facts["sets"] = sorted(self._set_qualnames)
        if self._candidates:
            candidates = self._candidate_facts()
            if candidates:
                facts["candidates"] = candidates
        if facts:
            self.ctx.facts[self.code] = facts

    def _candidate_facts(self) -> List[Dict[str, Any]]:
        from timeoutlint.engine import DiagnosticBuilder  # the engine's own spans and statement hashes

        builder = DiagnosticBuilder(self.ctx)
        suppressions = find_suppressions(self.ctx.source)
        recorded = []
        for node, statement, labels, label, where in self._candidates:
            diagnostic = builder.build(PendingReport(self, node, statement, "", None, []), FileResult(self.ctx.path))
            if diagnostic is None or suppressions.suppresses(self.code, {diagnostic.line, diagnostic.statement_lines[1]}):
                continue
            data = diagnostic.to_cache()
            keys = ("line", "column", "end_line", "end_column", "statement_lines", "statement_hash")
            recorded.append({"vars": labels, "callable": label, "method": where, **{key: data[key] for key in keys}})
        return recorded

    @classmethod
    def check_project(cls, facts_by_path: Mapping[str, Mapping[str, Any]], settings: Settings, load: Any = None) -> List[Diagnostic]:
        """Submissions of callables reading an imported variable, reported when the
        project confirms that it is a module-level ContextVar and that something sets it."""
        facts: Dict[str, Any] = {path: value[cls.code] for path, value in facts_by_path.items() if value and value.get(cls.code)}
        candidates = [(path, c) for path, value in facts.items() for c in value.get("candidates", ())]
        if not candidates:
            return []
        defines = {q for value in facts.values() for q in value.get("defines", ())}
        if load is not None:  # the modules of the variables read, when not read yet
            modules = {q.rpartition(".")[0] for _, c in candidates for q in c["vars"] if q not in defines}
            wanted = sorted(m for m in modules if load.available(m))
            for path, value in (load.load(wanted) if wanted else {}).items():
                if value.get(cls.code):
                    facts[path] = value[cls.code]
                    defines.update(value[cls.code].get("defines", ()))
        sets = {q for value in facts.values() for q in value.get("sets", ())}
        found = []
        for path, candidate in candidates:
            lost = [q for q in sorted(candidate["vars"]) if q in defines and q in sets]
            if not lost:
                continue
            message = cls.message.format(
                callable=candidate["callable"],
                vars=", ".join(f"`{candidate['vars'][q]}`" for q in lost),
                method=candidate["method"],
            )
            data = {**candidate, "code": cls.code, "name": cls.name, "message": message, "fix": None}
            found.append(Diagnostic.from_cache(data, path))
        return sorted(found, key=Diagnostic.sort_key)

    def _is_thread_pool(self, expression: cst.BaseExpression) -> bool:
        if isinstance(expression, cst.Call):
            qualname = self.ctx.qualified_name(expression.func) or dotted_name(expression.func) or ""
            if qualname.split(".")[-1] == "shared_executor":
                return False
        if self.ctx.type_of(expression) != THREAD_POOL:
            return False
        if isinstance(expression, cst.Name):
            body = self._resolve(expression.value, self._chain_here())
            for value in body.values.get(expression.value, []) if body is not None else []:
                if isinstance(value, cst.Call) and (dotted_name(value.func) or "").split(".")[-1] == "shared_executor":
                    return False
        return True

    # -- the fix ------------------------------------------------------------------------

    def _fix(self, call: cst.Call, method: str, index: int) -> Optional[PendingFix]:
        if method == "map":
            return None
        if method == "run_in_executor" and self._to_thread_is_exact(call):
            reference = self.ctx.reference("asyncio", "to_thread")
            if reference is not None:
                expression, need = reference
                new_call = call.with_changes(func=expression, args=call.args[1:])
                return _pending("Use `asyncio.to_thread`", [(call, new_call)], need)
        reference = self.ctx.reference("contextvars", "copy_context")
        if reference is None:
            return None
        expression, need = reference
        runner = cst.Attribute(cst.Call(expression), cst.Name("run"))
        return _pending(self.fix_title or "", [(call, _insert_arg(call, index, runner))], need)

    def _to_thread_is_exact(self, call: cst.Call) -> bool:
        parent = self.ctx.parent()
        if not isinstance(parent, cst.Await) or parent.expression is not call or self.ctx.target_version < (3, 9):
            return False
        executor = call.args[0]
        if not is_none(executor.value) or "#" in self.ctx.module.code_for_node(executor):
            return False
        if any(arg.keyword is not None or arg.star == "**" for arg in call.args):
            return False
        loop = call.func
        assert isinstance(loop, cst.Attribute)
        return self._is_running_loop(loop.value)

    def _is_running_loop(self, expression: cst.BaseExpression) -> bool:
        if isinstance(expression, cst.Call):
            return not expression.args and self.ctx.qualified_name(expression.func) in RUNNING_LOOP
        if not isinstance(expression, cst.Name):
            return False
        chain = self._chain_here()
        if self._resolve(expression.value, chain) is not chain[0] or isinstance(chain[0].root, cst.Module):
            return False
        values = chain[0].values.get(expression.value, [])
        return bool(values) and all(value is not None and self._is_running_loop(value) for value in values)



def _is_static(node: cst.CSTNode) -> bool:
    return isinstance(node, cst.FunctionDef) and any(
        isinstance(d.decorator, cst.Name) and d.decorator.value in ("staticmethod", "classmethod") for d in node.decorators
    )


def _short(text: str) -> str:
    return text if len(text) <= 30 and "\n" not in text else "executor"


def _pending(title: str, replacements: List[Tuple[cst.CSTNode, cst.CSTNode]], need: Optional[ImportNeed]) -> PendingFix:
    return PendingFix(title, Applicability.SAFE, list(replacements), [need] if need is not None else [])


def _insert_arg(call: cst.Call, index: int, value: cst.BaseExpression) -> cst.Call:
    """``call`` with ``value`` as a new positional argument at ``index``, in the call's layout."""
    args: List[cst.Arg] = list(call.args)
    if index == 0:
        before = call.whitespace_before_args
        if isinstance(before, cst.ParenthesizedWhitespace):
            after: cst.BaseParenthesizableWhitespace = before.with_changes(first_line=cst.TrailingWhitespace(), empty_lines=[])
        else:
            after = cst.SimpleWhitespace(" ")
        comma = cst.Comma(whitespace_after=after)
    else:
        previous = args[index - 1].comma
        assert isinstance(previous, cst.Comma)
        after = previous.whitespace_after
        if isinstance(after, cst.ParenthesizedWhitespace):
            after = after.with_changes(first_line=cst.TrailingWhitespace(), empty_lines=[])
        comma = previous.with_changes(whitespace_after=after)
    args.insert(index, cst.Arg(value, comma=comma))
    return call.with_changes(args=args)

