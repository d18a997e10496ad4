"""TL104 executor-context-lost: paired "does nothing" and "fixes" cases (pyupgrade style),
beyond the rule's own examples."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional

import pytest

from timeoutlint.api import RunOptions, check_paths, fix_text, lint_source
from timeoutlint.ftypes import Diagnostic
from timeoutlint.settings import Settings

HEAD = (
    "import asyncio\nimport contextvars\nfrom concurrent.futures import ThreadPoolExecutor\n\n"
    "var = contextvars.ContextVar('var')\npool = ThreadPoolExecutor()\n\n"
    "def reads(x=None):\n    return var.get()\n\n"
)


@pytest.fixture
def check(make_settings: Callable[..., Settings]) -> Callable[..., Any]:
    def run(source: str, settings: Optional[Dict[str, Any]] = None) -> tuple[List[Diagnostic], str]:
        resolved = make_settings({"select": ["TL104"], **(settings or {})}, unsafe_fixes=True)
        result = lint_source(source, "example.py", resolved)
        assert not result.errors, result.errors
        fixed = fix_text(source, "example.py", resolved)
        assert not fixed.errors, fixed.errors
        return [d for d in result.diagnostics if d.code == "TL104"], fixed.source

    return run


NOOP = {
    "copy-context-run": HEAD + "def f():\n    var.set(1)\n    pool.submit(contextvars.copy_context().run, reads)\n",
    "context-run-bound": HEAD + "def f():\n    var.set(1)\n    ctx = contextvars.copy_context()\n    pool.submit(ctx.run, reads)\n",
    "to-thread": HEAD + "async def f():\n    var.set(1)\n    await asyncio.to_thread(reads)\n",
    "shared-executor-call": HEAD + "from timeoutlint.runtime import shared_executor\ndef f():\n    var.set(1)\n"
    "    shared_executor().submit(reads)\n",
    "shared-executor-name": HEAD + "from myapp.runtime import shared_executor\ndef f():\n    var.set(1)\n"
    "    ex = shared_executor('io')\n    ex.submit(reads)\n",
    "reads-nothing": HEAD + "def other():\n    return 1\ndef f():\n    var.set(1)\n    pool.submit(other)\n",
    "builtin-callable": HEAD + "def f():\n    var.set(1)\n    pool.submit(print, 1)\n",
    "never-set": HEAD + "def f():\n    pool.submit(reads)\n",
    "set-after": HEAD + "def f():\n    pool.submit(reads)\n    var.set(1)\n",
    "set-in-another-function": HEAD + "def g():\n    var.set(1)\ndef f():\n    pool.submit(reads)\n",
    "set-in-nested-function": HEAD + "def f():\n    def setter():\n        var.set(1)\n    pool.submit(reads)\n",
    "process-pool": HEAD + "from concurrent.futures import ProcessPoolExecutor\ndef f():\n    var.set(1)\n"
    "    ProcessPoolExecutor().submit(reads)\n",
    "unknown-executor": HEAD + "def f(ex):\n    var.set(1)\n    ex.submit(reads)\n",
    "unknown-loop": HEAD + "async def f(loop):\n    var.set(1)\n    await loop.run_in_executor(None, reads)\n",
    "unknown-executor-in-loop": HEAD + "async def f(ex):\n    var.set(1)\n    await asyncio.get_running_loop().run_in_executor(ex, reads)\n",
    "var-shadowed-in-callable": HEAD + "def shadow(var):\n    return var.get()\ndef f():\n    var.set(1)\n    pool.submit(shadow, {})\n",
    "var-shadowed-at-caller": HEAD + "def f(var):\n    var.set(1)\n    pool.submit(reads)\n",
    "var-bound-twice": "import contextvars\nfrom concurrent.futures import ThreadPoolExecutor\nvar = contextvars.ContextVar('v')\n"
    "var = contextvars.ContextVar('w')\ndef reads():\n    return var.get()\ndef f():\n    var.set(1)\n    ThreadPoolExecutor().submit(reads)\n",
    "not-a-contextvar": "import threading\nfrom concurrent.futures import ThreadPoolExecutor\nvar = threading.local()\n"
    "def reads():\n    return var.get()\ndef f():\n    var.set(1)\n    ThreadPoolExecutor().submit(reads)\n",
    "function-defined-twice": HEAD + "def twice():\n    return var.get()\ndef twice():\n    return 1\ndef f():\n    var.set(1)\n"
    "    pool.submit(twice)\n",
    "callable-sets-it-too": HEAD + "def own():\n    var.set(2)\n    return var.get()\ndef f():\n    var.set(1)\n    pool.submit(own)\n",
    "starred-callable": HEAD + "def f(args):\n    var.set(1)\n    pool.submit(*args)\n",
    "method-of-an-unknown-base": HEAD + "from elsewhere import Base\nclass C(Base):\n"
    "    def run(self):\n        var.set(1)\n        pool.submit(self.job)\n",
    "recursion": HEAD + "def a(n):\n    return b(n)\ndef b(n):\n    return a(n)\ndef f():\n    var.set(1)\n    pool.submit(a, 1)\n",
    "no-contextvar-in-file": "from concurrent.futures import ThreadPoolExecutor\nfrom ctx import var\ndef reads():\n    return var.get()\n"
    "def f():\n    var.set(1)\n    ThreadPoolExecutor().submit(reads)\n",
}


@pytest.mark.parametrize("source", list(NOOP.values()), ids=list(NOOP))
def test_does_nothing(check: Callable[..., Any], source: str) -> None:
    found, fixed = check(source)
    assert found == []
    assert fixed == source


FIXES = {
    "submit": (
        "def f():\n    var.set(1)\n    pool.submit(reads, 2)\n",
        "def f():\n    var.set(1)\n    pool.submit(contextvars.copy_context().run, reads, 2)\n",
    ),
    "submit-keywords-and-star-args": (
        "def f(*a, **k):\n    var.set(1)\n    pool.submit(reads, *a, **k)\n",
        "def f(*a, **k):\n    var.set(1)\n    pool.submit(contextvars.copy_context().run, reads, *a, **k)\n",
    ),
    "submit-first-argument-on-its-own-line": (
        "def f():\n    var.set(1)\n    pool.submit(  # go\n        reads,\n        2,\n    )\n",
        "def f():\n    var.set(1)\n    pool.submit(  # go\n        contextvars.copy_context().run,\n        reads,\n        2,\n    )\n",
    ),
    "module-level-set": (
        "var.set(1)\ndef f():\n    pool.submit(reads)\n",
        "var.set(1)\ndef f():\n    pool.submit(contextvars.copy_context().run, reads)\n",
    ),
    "set-in-a-block": (
        "def f(x):\n    if x:\n        var.set(x)\n    with pool:\n        pool.submit(reads)\n",
        "def f(x):\n    if x:\n        var.set(x)\n    with pool:\n        pool.submit(contextvars.copy_context().run, reads)\n",
    ),
    "transitive": (
        "def middle():\n    return reads() + 1\ndef f():\n    var.set(1)\n    pool.submit(middle)\n",
        "def middle():\n    return reads() + 1\ndef f():\n    var.set(1)\n    pool.submit(contextvars.copy_context().run, middle)\n",
    ),
    "with-pool": (
        "def f():\n    var.set(1)\n    with ThreadPoolExecutor() as ex:\n        return ex.submit(reads).result()\n",
        "def f():\n    var.set(1)\n    with ThreadPoolExecutor() as ex:\n        return ex.submit(contextvars.copy_context().run, reads).result()\n",
    ),
    "pool-on-self": (
        "class C:\n    def __init__(self):\n        self.pool = ThreadPoolExecutor()\n    def run(self):\n        var.set(1)\n"
        "        self.pool.submit(reads)\n",
        "class C:\n    def __init__(self):\n        self.pool = ThreadPoolExecutor()\n    def run(self):\n        var.set(1)\n"
        "        self.pool.submit(contextvars.copy_context().run, reads)\n",
    ),
    "to-thread-running-loop": (
        "async def f():\n    var.set(1)\n    loop = asyncio.get_running_loop()\n    return await loop.run_in_executor(None, reads, 2)\n",
        "async def f():\n    var.set(1)\n    loop = asyncio.get_running_loop()\n    return await asyncio.to_thread(reads, 2)\n",
    ),
    "to-thread-get-event-loop-inline": (
        "async def f():\n    var.set(1)\n    await asyncio.get_event_loop().run_in_executor(None, reads)\n",
        "async def f():\n    var.set(1)\n    await asyncio.to_thread(reads)\n",
    ),
    "not-awaited-at-once": (
        "async def f():\n    var.set(1)\n    loop = asyncio.get_running_loop()\n    fut = loop.run_in_executor(None, reads)\n    await fut\n",
        "async def f():\n    var.set(1)\n    loop = asyncio.get_running_loop()\n"
        "    fut = loop.run_in_executor(None, contextvars.copy_context().run, reads)\n    await fut\n",
    ),
    "explicit-executor": (
        "async def f():\n    var.set(1)\n    await asyncio.get_running_loop().run_in_executor(pool, reads)\n",
        "async def f():\n    var.set(1)\n    await asyncio.get_running_loop().run_in_executor(pool, contextvars.copy_context().run, reads)\n",
    ),
    "loop-not-known-running": (
        "async def f(loop: asyncio.AbstractEventLoop):\n    var.set(1)\n    await loop.run_in_executor(None, reads)\n",
        "async def f(loop: asyncio.AbstractEventLoop):\n    var.set(1)\n    await loop.run_in_executor(None, contextvars.copy_context().run, reads)\n",
    ),
    "comment-after-none": (
        "async def f():\n    var.set(1)\n    await asyncio.get_running_loop().run_in_executor(\n        None,  # default\n        reads,\n    )\n",
        "async def f():\n    var.set(1)\n    await asyncio.get_running_loop().run_in_executor(\n        None,  # default\n"
        "        contextvars.copy_context().run,\n        reads,\n    )\n",
    ),
    "nested-def": (
        "def f():\n    def job():\n        return var.get()\n    var.set(1)\n    pool.submit(job)\n",
        "def f():\n    def job():\n        return var.get()\n    var.set(1)\n    pool.submit(contextvars.copy_context().run, job)\n",
    ),
    "method-of-self": (
        "class C:\n    def job(self):\n        return reads()\n    def run(self):\n        var.set(1)\n        pool.submit(self.job)\n",
        "class C:\n    def job(self):\n        return reads()\n    def run(self):\n        var.set(1)\n"
        "        pool.submit(contextvars.copy_context().run, self.job)\n",
    ),
    "var-get-itself": (
        "def f():\n    var.set(1)\n    pool.submit(var.get)\n",
        "def f():\n    var.set(1)\n    pool.submit(contextvars.copy_context().run, var.get)\n",
    ),
}


@pytest.mark.parametrize(("tail", "expected"), list(FIXES.values()), ids=list(FIXES))
def test_fixes(check: Callable[..., Any], tail: str, expected: str) -> None:
    found, fixed = check(HEAD + tail)
    assert len(found) == 1
    assert found[0].fix is not None and found[0].fix.applicability.value == "safe"
    assert fixed == HEAD + expected


def test_map_is_reported_without_a_fix(check: Callable[..., Any]) -> None:
    source = HEAD + "def f(xs):\n    var.set(1)\n    return list(pool.map(reads, xs))\n"
    found, fixed = check(source)
    assert len(found) == 1 and found[0].fix is None
    assert fixed == source


def test_message_names_the_callable_the_variable_and_the_call(check: Callable[..., Any]) -> None:
    found, _ = check(HEAD + "def f():\n    var.set(1)\n    pool.submit(reads)\n")
    assert found[0].message == "`reads` reads the ContextVar `var` set by the caller, but `pool.submit()` runs it without the caller's context"


IMPORTS = {
    "from-import-added": (
        "from contextvars import ContextVar\nfrom concurrent.futures import ThreadPoolExecutor\nv = ContextVar('v')\n"
        "def r():\n    return v.get()\ndef f():\n    v.set(1)\n    ThreadPoolExecutor().submit(r)\n",
        "from contextvars import ContextVar, copy_context\nfrom concurrent.futures import ThreadPoolExecutor\nv = ContextVar('v')\n"
        "def r():\n    return v.get()\ndef f():\n    v.set(1)\n    ThreadPoolExecutor().submit(copy_context().run, r)\n",
    ),
    "existing-from-import": (
        "from contextvars import ContextVar, copy_context\nfrom concurrent.futures import ThreadPoolExecutor\nv = ContextVar('v')\n"
        "def r():\n    return v.get()\ndef f():\n    v.set(1)\n    ThreadPoolExecutor().submit(r)\n",
        "from contextvars import ContextVar, copy_context\nfrom concurrent.futures import ThreadPoolExecutor\nv = ContextVar('v')\n"
        "def r():\n    return v.get()\ndef f():\n    v.set(1)\n    ThreadPoolExecutor().submit(copy_context().run, r)\n",
    ),
    "module-alias": (
        "import contextvars as cv\nfrom concurrent.futures import ThreadPoolExecutor\nv = cv.ContextVar('v')\n"
        "def r():\n    return v.get()\ndef f():\n    v.set(1)\n    ThreadPoolExecutor().submit(r)\n",
        "import contextvars as cv\nfrom concurrent.futures import ThreadPoolExecutor\nv = cv.ContextVar('v')\n"
        "def r():\n    return v.get()\ndef f():\n    v.set(1)\n    ThreadPoolExecutor().submit(cv.copy_context().run, r)\n",
    ),
}


@pytest.mark.parametrize(("source", "expected"), list(IMPORTS.values()), ids=list(IMPORTS))
def test_fix_imports(check: Callable[..., Any], source: str, expected: str) -> None:
    _, fixed = check(source)
    assert fixed == expected


def test_fixed_code_runs_the_callable_in_the_callers_context() -> None:
    """The rewrite does what it claims: the task sees the value the caller set."""
    import asyncio
    import contextvars
    from concurrent.futures import ThreadPoolExecutor

    var: contextvars.ContextVar[str] = contextvars.ContextVar("var", default="default")
    var.set("caller")
    pool = ThreadPoolExecutor(max_workers=1)
    try:
        assert pool.submit(var.get).result(timeout=10) == "default"
        assert pool.submit(contextvars.copy_context().run, var.get).result(timeout=10) == "caller"
    finally:
        pool.shutdown()

    async def main() -> str:
        var.set("task")
        return await asyncio.to_thread(var.get)

    assert asyncio.run(main()) == "task"


# -- across modules (the project pass) ----------------------------------------------------------

PROJECT = {
    "workflow/__init__.py": "",
    "workflow/context.py": "import contextvars\n\ncurrent_task = contextvars.ContextVar('current_task')\n",
    "workflow/task.py": "from .context import current_task\n\n\ndef run(task, slot):\n"
    "    current_task.set(task)\n    return slot.receive('go')\n",
    "workflow/slot.py": "from concurrent.futures import ThreadPoolExecutor\n\nfrom .context import current_task\n\n\n"
    "def handler(message):\n    return current_task.get(), message\n\n\nclass Slot:\n"
    "    def handle(self, message):\n        return current_task.get(), message\n\n"
    "    def receive(self, message):\n        with ThreadPoolExecutor(max_workers=1) as ex:\n"
    "            ex.submit(handler, message)\n            return ex.submit(self.handle, message).result(timeout=5)\n",
}


@pytest.fixture
def lint_project(tmp_path: Path, make_settings: Callable[..., Settings]) -> Callable[..., List[Diagnostic]]:
    def run(files: Dict[str, str], checked: Optional[List[str]] = None, **changes: Any) -> List[Diagnostic]:
        for name, text in files.items():
            path = tmp_path / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        names = checked if checked is not None else sorted(name for name in files if name.endswith(".py"))
        settings = dataclasses.replace(make_settings({"select": ["TL104"]}, root=tmp_path), **changes)
        outcomes = check_paths([str(tmp_path / name) for name in names], settings, RunOptions(use_cache=False, jobs=1))
        assert [error for outcome in outcomes for error in outcome.result.errors] == []
        return [d for outcome in outcomes for d in outcome.result.diagnostics if d.code == "TL104"]

    return run


def _where(tmp_path: Path, diagnostics: List[Diagnostic]) -> List[tuple[str, int]]:
    return [(os.path.relpath(d.path, tmp_path).replace(os.sep, "/"), d.line) for d in diagnostics]


def test_imported_context_var_set_in_another_module(lint_project: Callable[..., Any], tmp_path: Path) -> None:
    found = lint_project(PROJECT)
    assert _where(tmp_path, found) == [("workflow/slot.py", 16), ("workflow/slot.py", 17)]
    assert found[0].message == (
        "`handler` reads the ContextVar `current_task` set by the caller, but `ex.submit()` runs it without the caller's context"
    )
    assert all(d.fix is None for d in found)  # the fix pass runs file by file


def test_imported_context_var_with_only_the_submitting_file_checked(lint_project: Callable[..., Any], tmp_path: Path) -> None:
    config = tmp_path / "pyproject.toml"
    config.write_text("[tool.timeoutlint]\n", encoding="utf-8")
    found = lint_project(PROJECT, checked=["workflow/slot.py"], config_path=config)
    assert _where(tmp_path, found) == [("workflow/slot.py", 16), ("workflow/slot.py", 17)]


def test_imported_context_var_noqa(lint_project: Callable[..., Any], tmp_path: Path) -> None:
    files = dict(PROJECT)
    files["workflow/slot.py"] = files["workflow/slot.py"].replace(
        "ex.submit(handler, message)\n", "ex.submit(handler, message)  # noqa: TL104\n"
    )
    assert _where(tmp_path, lint_project(files)) == [("workflow/slot.py", 17)]


LOCAL_IMPORTS = {
    "workflow/__init__.py": "",
    "workflow/context.py": "import contextvars\n\ncurrent_task = contextvars.ContextVar('current_task')\n",
    "workflow/task.py": "def run(task, slot):\n    from .context import current_task\n\n"
    "    current_task.set(task)\n    return slot.receive('go')\n",
    "workflow/slot.py": "from concurrent.futures import ThreadPoolExecutor\n\n\n"
    "def handler(message):\n    from workflow.context import current_task as task\n\n    return task.get(), message\n\n\n"
    "def receive(message):\n    with ThreadPoolExecutor(max_workers=1) as ex:\n        return ex.submit(handler, message)\n",
}


def test_context_var_imported_inside_functions(lint_project: Callable[..., Any], tmp_path: Path) -> None:
    """Both the setter and the reader import the variable inside the function."""
    assert _where(tmp_path, lint_project(LOCAL_IMPORTS)) == [("workflow/slot.py", 12)]


def test_context_var_imported_inside_functions_unknown_twin(lint_project: Callable[..., Any]) -> None:
    """The reader's local import is of something else with a ``get``: no finding."""
    files = dict(LOCAL_IMPORTS)
    files["workflow/slot.py"] = files["workflow/slot.py"].replace(
        "from workflow.context import current_task as task", "from workflow.settings import defaults as task"
    )
    files["workflow/settings.py"] = "defaults = {}\n"
    assert lint_project(files) == []


@pytest.mark.parametrize(
    "changes",
    [
        pytest.param({"workflow/task.py": "def run(task, slot):\n    return slot.receive('go')\n"}, id="never-set"),
        pytest.param(
            {"workflow/context.py": "import threading\n\ncurrent_task = threading.local()\n"}, id="not-a-context-var"
        ),
        pytest.param(
            {
                "workflow/context.py": "import contextvars\n\ncurrent_task = contextvars.ContextVar('current_task')\n"
                "current_task = None\n"
            },
            id="rebound",
        ),
        pytest.param(
            {
                "workflow/slot.py": PROJECT["workflow/slot.py"].replace(".context import", "elsewhere.context import"),
                "workflow/task.py": PROJECT["workflow/task.py"].replace(".context import", "elsewhere.context import"),
            },
            id="module-not-in-project",
        ),
        pytest.param(
            {"workflow/slot.py": PROJECT["workflow/slot.py"].replace("ex.submit(", "ex.submit(contextvars.copy_context().run, ")
             .replace("from concurrent", "import contextvars\nfrom concurrent")},
            id="copy-context-run",
        ),
        pytest.param(
            {"workflow/slot.py": PROJECT["workflow/slot.py"].replace(
                "    return current_task.get(), message\n\n\nclass",
                "    current_task.set(message)\n    return current_task.get(), message\n\n\nclass",
            ).replace("return ex.submit(self.handle, message).result(timeout=5)", "return None")},
            id="handler-sets-it-itself",
        ),
    ],
)
def test_imported_context_var_does_nothing(lint_project: Callable[..., Any], changes: Dict[str, str]) -> None:
    assert lint_project({**PROJECT, **changes}) == []
