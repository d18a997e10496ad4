"""TL101 nested-executor: paired "does nothing" and "finds" cases (pyupgrade style) in one
file, then projects of several modules through ``check_paths`` and the call graph itself."""

from __future__ import annotations

import dataclasses
import json
import os
import textwrap
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional

import pytest

from timeoutlint.api import RunOptions, check_paths, lint_source
from timeoutlint.analysis.callgraph import Project
from timeoutlint.ftypes import Diagnostic
from timeoutlint.rules.executors.nested_executor import MAX_DEPTH
from timeoutlint.settings import Settings

HEAD = "from concurrent.futures import ThreadPoolExecutor, ProcessPoolExecutor, wait, as_completed\nPOOL = ThreadPoolExecutor()\n"


@pytest.fixture
def check(make_settings: Callable[..., Settings]) -> Callable[..., List[Diagnostic]]:
    def run(source: str, settings: Optional[Dict[str, Any]] = None) -> List[Diagnostic]:
        resolved = make_settings({"select": ["TL101"], **(settings or {})})
        result = lint_source(HEAD + textwrap.dedent(source), "example.py", resolved)
        assert not result.errors, result.errors
        json.dumps(result.facts)  # the facts are cached as JSON
        return [d for d in result.diagnostics if d.code == "TL101"]

    return run


# -- one module -----------------------------------------------------------------------------

NOOP = {
    "plain-task": """
        def work(x):
            return x + 1
        POOL.submit(work, 1)
        """,
    "waiting-in-the-caller": """
        def run(xs):
            futures = [POOL.submit(abs, x) for x in xs]
            return [f.result() for f in futures]
        """,
    "pool-in-a-function-never-submitted": """
        def convert(xs):
            with ThreadPoolExecutor() as pool:
                return list(pool.map(str, xs))
        """,
    "unknown-receiver": """
        def work(job):
            job.run()
        def start(jobs):
            for job in jobs:
                POOL.submit(work, job)
        """,
    "unknown-executor": """
        def work():
            with ThreadPoolExecutor() as pool:
                pass
        def start(ex):
            ex.submit(work)
        """,
    "poll-then-finished-futures": """
        def work(fs):
            done, _ = wait(fs, timeout=0)
            return [f.result() for f in done]
        POOL.submit(work, [])
        """,
    "finished-futures-from-as-completed-outside": """
        def work(f):
            return f
        def run(xs):
            for f in as_completed([POOL.submit(work, x) for x in xs]):
                f.result()
        """,
    "run-with-timeout": """
        from timeoutlint.runtime import run_with_timeout
        def work(x):
            return run_with_timeout(abs, x, timeout=1)
        POOL.submit(work, 1)
        """,
    "shared-executor-future": """
        from timeoutlint.runtime import shared_executor
        def work(x):
            return shared_executor().submit(abs, x).result(timeout=1)
        POOL.submit(work, 1)
        """,
    "shared-executor-bound-to-a-name": """
        from timeoutlint.runtime import shared_executor
        SHARED = shared_executor("io")
        def work(x):
            return SHARED.submit(abs, x).result(timeout=1)
        SHARED.submit(work, 1)
        """,
    "configured-executor-import": (
        """
        from mypools import shared_executor
        def work(x):
            return shared_executor().submit(abs, x).result(timeout=1)
        POOL.submit(work, 1)
        """,
        {"executor-import": "mypools"},
    ),
    "rebound-name": """
        def work(x):
            fut = POOL.submit(abs, x)
            fut = str(x)
            return fut.result()
        POOL.submit(work, 1)
        """,
    "thread-is-not-an-executor": """
        import threading
        def work():
            with ThreadPoolExecutor() as pool:
                pass
        threading.Thread(target=work).start()
        """,
    "noqa-on-the-site": """
        def work():
            with ThreadPoolExecutor() as pool:  # noqa: TL101
                pass
        POOL.submit(work)
        """,
    "noqa-on-the-statement-end": """
        def work(x):
            return POOL.submit(
                abs, x
            ).result()  # noqa: TL101
        POOL.submit(work, 1)
        """,
    "shadowed-function-name": """
        def work():
            with ThreadPoolExecutor() as pool:
                pass
        def start(work):
            POOL.submit(work)
        """,
    "override-elsewhere-than-the-submitted-class": """
        class Stage:
            def start(self):
                return POOL.submit(self.step)
            def step(self):
                return 1
        class Unrelated:
            def step(self):
                with ThreadPoolExecutor() as pool:
                    pass
        """,
    "getter-returning-either": """
        class Slot:
            def receive(self):
                with ThreadPoolExecutor() as pool:
                    pass
        class Other:
            def receive(self):
                return 1
        def pick(flag):
            if flag:
                return Slot()
            return Other()
        def execute(flag):
            pick(flag).receive()
        POOL.submit(execute, True)
        """,
    "partial-rebound": """
        from functools import partial
        def work(a):
            with ThreadPoolExecutor() as pool:
                pass
        def start(other):
            job = partial(work, 1)
            job = other
            POOL.submit(job)
        """,
    "context-run-of-an-unknown-object": """
        def work(a):
            with ThreadPoolExecutor() as pool:
                pass
        def start(ctx):
            POOL.submit(ctx.run, work, 1)
        """,
    "results-of-the-done-set": """
        from concurrent.futures import Future
        def work(fs: "list[Future]"):
            done, _ = wait(fs, timeout=0)
            return [f.result() for f in done]
        POOL.submit(work, [])
        """,
    "list-of-unknown-things": """
        def work(items: list):
            return [item.result() for item in items]
        POOL.submit(work, [])
        """,
    "run-in-executor-keywords-of-an-unknown-callable": """
        import asyncio
        def work():
            with ThreadPoolExecutor() as pool:
                pass
        async def main(loop: asyncio.AbstractEventLoop, job):
            await loop.run_in_executor(executor=POOL, func=job)
        """,
    "bound-method-of-an-unknown-object-in-a-local": """
        class Slot:
            def receive(self):
                with ThreadPoolExecutor() as pool:
                    pass
        def start(slot):
            handler = slot.receive
            POOL.submit(handler)
        """,
    "lambda-calling-something-unknown": """
        def work():
            with ThreadPoolExecutor() as pool:
                pass
        def start(job):
            POOL.submit(lambda: job.work())
        """,
    "super-of-a-base-outside-the-project": """
        from elsewhere import Stage
        class Logged(Stage):
            def step(self):
                return super().step()
        def start(stage: Logged):
            POOL.submit(stage.step)
        """,
    "unstable-attribute": """
        class Slot:
            def receive(self):
                with ThreadPoolExecutor() as pool:
                    pass
        class Task:
            def __init__(self):
                self.slot = Slot()
            def reset(self):
                self.slot = make_slot()
            def run(self):
                self.slot.receive()
        def start(task: Task):
            POOL.submit(task.run)
        """,
    "timeout-zero-result": """
        def work(x):
            return POOL.submit(abs, x).result(timeout=0)
        POOL.submit(work, 1)
        """,
    "map-not-consumed": """
        def work(xs):
            return POOL.map(abs, xs)
        POOL.submit(work, [1])
        """,
}


@pytest.mark.parametrize("source", list(NOOP.values()), ids=list(NOOP))
def test_does_nothing(check: Callable[..., List[Diagnostic]], source: Any) -> None:
    source, settings = source if isinstance(source, tuple) else (source, None)
    assert check(source, settings) == []


# name -> (source, the first lines of the findings (in the source without HEAD), a word of each message)
FINDS = {
    "direct": (
        """
        def work():
            with ThreadPoolExecutor() as pool:
                pass
        POOL.submit(work)
        """,
        [3],
        ["creates a ThreadPoolExecutor inside `work`"],
    ),
    "process-pool": (
        """
        def work():
            return ProcessPoolExecutor()
        POOL.submit(work)
        """,
        [3],
        ["ProcessPoolExecutor"],
    ),
    "through-calls": (
        """
        def inner():
            with ThreadPoolExecutor() as pool:
                pass
        def middle():
            inner()
        def outer():
            middle()
        POOL.submit(outer)
        """,
        [3],
        ["submits `outer` → `middle` → `inner`"],
    ),
    "starvation": (
        """
        def walk(node):
            return [f.result() for f in [POOL.submit(walk, c) for c in node]]
        """,
        [3],
        ["starvation deadlock"],
    ),
    "starvation-through-a-loop-variable": (
        """
        def walk(node):
            futures = []
            for child in node:
                futures.append(POOL.submit(walk, child))
            for future in futures:
                future.result(timeout=5)
        """,
        [7],
        ["starvation deadlock"],
    ),
    "starvation-on-self-pool-of-a-base-class": (
        """
        class Base:
            def __init__(self):
                self.pool = ThreadPoolExecutor()
        class Runner(Base):
            def group(self, items):
                return list(self.pool.map(abs, items))
            def start(self, groups):
                return [self.pool.submit(self.group, g) for g in groups]
        """,
        [7],
        ["of `self.pool`", "starvation deadlock"],
    ),
    "other-pool-is-not-starvation": (
        """
        OTHER = ThreadPoolExecutor()
        def work(x):
            return OTHER.submit(abs, x).result()
        POOL.submit(work, 1)
        """,
        [4],
        ["blocks on a future (`OTHER.submit(abs, x).result()`) inside `work`"],
    ),
    "annotated-future-parameter": (
        """
        from concurrent.futures import Future
        def work(fut: Future):
            return fut.result()
        POOL.submit(work, None)
        """,
        [4],
        ["blocks on a future"],
    ),
    "lambda": (
        """
        def work():
            with ThreadPoolExecutor() as pool:
                pass
        POOL.submit(lambda: work())
        """,
        [3],
        ["`<lambda>` → `work`"],
    ),
    "partial": (
        """
        import functools
        def work(a, b):
            with ThreadPoolExecutor() as pool:
                pass
        POOL.submit(functools.partial(work, 1), 2)
        """,
        [4],
        ["submits `work`"],
    ),
    "partial-held-in-a-local": (
        """
        from functools import partial
        def work(a):
            with ThreadPoolExecutor() as pool:
                pass
        def start():
            job = partial(work, 1)
            POOL.submit(job)
        """,
        [4],
        ["submits `work`"],
    ),
    "bound-method-held-in-a-local": (
        """
        class Slot:
            def receive(self):
                with ThreadPoolExecutor() as pool:
                    pass
        def start(slot: Slot):
            handler = slot.receive
            POOL.submit(handler)
        """,
        [4],
        ["`Slot.receive`"],
    ),
    "copy-context-run": (
        """
        import contextvars
        def work(a):
            with ThreadPoolExecutor() as pool:
                pass
        def start():
            ctx = contextvars.copy_context()
            POOL.submit(ctx.run, work, 1)
            POOL.submit(contextvars.copy_context().run, work, 2)
        """,
        [4],
        ["submits `work`"],
    ),
    "run-in-executor-keywords": (
        """
        import asyncio
        def work():
            with ThreadPoolExecutor() as pool:
                pass
        async def main(loop: asyncio.AbstractEventLoop):
            await loop.run_in_executor(executor=POOL, func=work)
        """,
        [4],
        ["`work`"],
    ),
    "override-in-a-subclass": (
        """
        class Stage:
            def start(self):
                return POOL.submit(self.step)
            def step(self):
                return 1
        class Parallel(Stage):
            def step(self):
                with ThreadPoolExecutor() as pool:
                    pass
        """,
        [9],
        ["`Parallel.step`"],
    ),
    "super-call": (
        """
        class Stage:
            def step(self):
                with ThreadPoolExecutor() as pool:
                    pass
        class Logged(Stage):
            def step(self):
                return super().step()
        def start(stage: Logged):
            POOL.submit(stage.step)
        """,
        [4],
        ["`Logged.step` → `Stage.step`"],
    ),
    "future-taken-from-a-list": (
        """
        OTHER = ThreadPoolExecutor()
        def work(xs):
            fs = []
            for x in xs:
                fs.append(OTHER.submit(abs, x))
            return fs[0].result()
        POOL.submit(work, [1])
        """,
        [7],
        ["blocks on a future (`fs[0].result()`)"],
    ),
    "futures-of-an-annotated-list": (
        """
        from concurrent.futures import Future
        def work(fs: "list[Future]"):
            return [f.result() for f in fs]
        POOL.submit(work, [])
        """,
        [4],
        ["blocks on a future"],
    ),
    "getter-and-attribute-chain": (
        """
        from dataclasses import dataclass
        class Slot:
            def receive(self):
                with ThreadPoolExecutor() as pool:
                    pass
        @dataclass
        class Task:
            slot: Slot
        class Flow:
            def __init__(self):
                self._executor = ThreadPoolExecutor()
            def _get_executor(self):
                return self._executor
            def run(self, task: Task):
                self._get_executor().submit(execute, task)
        def execute(task: Task):
            task.slot.receive()
        """,
        [5],
        ["`execute` → `Slot.receive`"],
    ),
    "map": (
        """
        def work(x):
            with ThreadPoolExecutor() as pool:
                pass
        list(POOL.map(work, [1, 2]))
        """,
        [3],
        ["maps `work`"],
    ),
    "run-in-executor": (
        """
        import asyncio
        def work():
            with ThreadPoolExecutor() as pool:
                pass
        async def main():
            await asyncio.get_running_loop().run_in_executor(None, work)
        """,
        [4],
        ["run_in_executor() runs `work`"],
    ),
    "nested-function": (
        """
        def outer(xs):
            def convert(x):
                with ThreadPoolExecutor() as pool:
                    pass
            return [POOL.submit(convert, x) for x in xs]
        """,
        [4],
        ["`outer.<locals>.convert`"],
    ),
    "closure-over-the-pool-it-runs-on": (
        """
        def outer(xs):
            with ThreadPoolExecutor() as ex:
                def task(x):
                    return ex.submit(abs, x).result()
                return [ex.submit(task, x) for x in xs]
        """,
        [5],
        ["of `ex`", "starvation deadlock"],
    ),
    "self-method-and-inheritance": (
        """
        class Base:
            def helper(self):
                with ThreadPoolExecutor() as pool:
                    pass
        class Child(Base):
            def run(self):
                self.helper()
        def start(child: Child):
            POOL.submit(child.run)
        """,
        [4],
        ["`Child.run` → `Base.helper`"],
    ),
    "constructor": (
        """
        class Session:
            def __init__(self):
                self.pool = ThreadPoolExecutor()
        def work():
            return Session()
        POOL.submit(work)
        """,
        [4],
        ["`work` → `Session.__init__`"],
    ),
    "one-finding-for-many-submits": (
        """
        def work():
            with ThreadPoolExecutor() as pool:
                pass
        POOL.submit(work)
        POOL.submit(work)
        def again():
            POOL.submit(work)
        """,
        [3],
        ["creates"],
    ),
    "wait-and-as-completed-on-another-pool": (
        """
        OTHER = ThreadPoolExecutor()
        def work(xs):
            fs = [OTHER.submit(abs, x) for x in xs]
            wait(fs)
            for f in as_completed(fs):
                f.result()
        POOL.submit(work, [])
        """,
        [5],
        ["`wait()`"],
    ),
}


@pytest.mark.parametrize(("source", "lines", "words"), list(FINDS.values()), ids=list(FINDS))
def test_finds(check: Callable[..., List[Diagnostic]], source: str, lines: List[int], words: List[str]) -> None:
    found = check(source)
    offset = HEAD.count("\n")  # line 1 of the dedented source is blank
    assert [d.line - offset for d in found] == lines, [d.message for d in found]
    for diagnostic in found:
        assert diagnostic.fix is None
        assert diagnostic.statement_hash
    for word in words:
        assert any(word in d.message for d in found), (word, [d.message for d in found])


def test_depth_limit(check: Callable[..., List[Diagnostic]]) -> None:
    def chain(length: int) -> str:
        functions = [f"def f{i}():\n    f{i + 1}()\n" for i in range(length)]
        return "".join(functions) + f"def f{length}():\n    ThreadPoolExecutor()\nPOOL.submit(f0)\n"

    assert len(check(chain(MAX_DEPTH))) == 1
    assert check(chain(MAX_DEPTH + 1)) == []


def test_recursion_ends(check: Callable[..., List[Diagnostic]]) -> None:
    source = "def a(n):\n    b(n)\n    ThreadPoolExecutor()\ndef b(n):\n    a(n)\nPOOL.submit(a, 1)\nPOOL.submit(b, 1)\n"
    assert len(check(source)) == 1


def test_statement_hash_survives_moved_lines(check: Callable[..., List[Diagnostic]]) -> None:
    source = "def work():\n    with ThreadPoolExecutor() as pool:\n        pass\nPOOL.submit(work)\n"
    first = check(source)
    moved = check("\n\n\n" + source)
    assert len(first) == len(moved) == 1
    assert first[0].line + 3 == moved[0].line
    assert first[0].statement_hash == moved[0].statement_hash


# -- projects of several modules --------------------------------------------------------------


def _write(root: Path, files: Dict[str, str]) -> List[str]:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return sorted(str(root / name) for name in files if name.endswith(".py"))


@pytest.fixture
def lint_project(tmp_path: Path, make_settings: Callable[..., Settings]) -> Callable[..., List[Diagnostic]]:
    def run(files: Dict[str, str], checked: Optional[List[str]] = None, **changes: Any) -> List[Diagnostic]:
        paths = _write(tmp_path, files)
        settings = dataclasses.replace(make_settings({"select": ["TL101"]}, root=tmp_path), **changes)
        chosen = [str(tmp_path / name) for name in checked] if checked is not None else paths
        outcomes = check_paths(chosen, settings, RunOptions(use_cache=False, jobs=1))
        assert [error for outcome in outcomes for error in outcome.result.errors] == []
        assert {outcome.path for outcome in outcomes} == set(chosen)
        return [d for outcome in outcomes for d in outcome.result.diagnostics]

    return run


def _where(tmp_path: Path, diagnostics: List[Diagnostic]) -> List[tuple[str, int]]:
    return [(os.path.relpath(d.path, tmp_path), d.line) for d in diagnostics]


PACKAGE = {
    "pkg/__init__.py": """
        from .slot import Slot
        """,
    "pkg/slot.py": """
        from concurrent.futures import ThreadPoolExecutor

        class Slot:
            def receive(self, message):
                with ThreadPoolExecutor(max_workers=1) as ex:
                    return ex.submit(print, message).result(timeout=5)
        """,
    "pkg/task.py": """
        from dataclasses import dataclass
        from pkg import Slot

        @dataclass
        class Task:
            slot: Slot

            def run(self):
                return self.slot.receive("done")
        """,
    "pkg/flow.py": """
        from concurrent.futures import ThreadPoolExecutor
        from . import task as tasks

        POOL = ThreadPoolExecutor()

        def execute(task: tasks.Task):
            return task.run()

        def start(all_tasks):
            return [POOL.submit(execute, task) for task in all_tasks]
        """,
}


def test_package_with_reexport_and_relative_imports(lint_project: Callable[..., List[Diagnostic]], tmp_path: Path) -> None:
    found = lint_project(PACKAGE)
    assert _where(tmp_path, found) == [(os.path.join("pkg", "slot.py"), 6)]
    assert "flow.py:11 submits `execute` → `Task.run` → `Slot.receive`" in found[0].message


def test_only_the_files_checked_are_reported(lint_project: Callable[..., List[Diagnostic]], tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.timeoutlint]\n", encoding="utf-8")
    config = tmp_path / "pyproject.toml"
    found = lint_project(PACKAGE, checked=["pkg/slot.py"], config_path=config)
    assert _where(tmp_path, found) == [(os.path.join("pkg", "slot.py"), 6)]
    assert lint_project(PACKAGE, checked=["pkg/flow.py"], config_path=config) == []


def test_without_a_config_file_there_is_no_project_to_read(lint_project: Callable[..., List[Diagnostic]]) -> None:
    assert lint_project(PACKAGE, checked=["pkg/slot.py"]) == []


def test_per_file_ignores_silence_findings_not_facts(lint_project: Callable[..., List[Diagnostic]], tmp_path: Path) -> None:
    middle = lint_project(PACKAGE, per_file_ignores=(("pkg/task.py", ("TL101",)),))
    assert _where(tmp_path, middle) == [(os.path.join("pkg", "slot.py"), 6)]
    assert lint_project(PACKAGE, per_file_ignores=(("pkg/slot.py", ("TL1",)),)) == []


def test_attribute_declared_in_a_base_class_of_another_module(
    lint_project: Callable[..., List[Diagnostic]], tmp_path: Path
) -> None:
    files = {
        "base.py": """
            from slot import Slot

            class BaseTask:
                slot: Slot
            """,
        "slot.py": """
            from concurrent.futures import ThreadPoolExecutor

            class Slot:
                def receive(self):
                    return ThreadPoolExecutor()
            """,
        "task.py": """
            from concurrent.futures import ThreadPoolExecutor
            from base import BaseTask

            POOL = ThreadPoolExecutor()

            class Task(BaseTask):
                def run(self):
                    return self.slot.receive()

            def start(task: Task):
                POOL.submit(task.run)
            """,
    }
    assert _where(tmp_path, lint_project(files)) == [("slot.py", 6)]


def test_same_module_name_twice_is_not_guessed(lint_project: Callable[..., List[Diagnostic]]) -> None:
    files = {
        "a/helpers.py": """
            from concurrent.futures import ThreadPoolExecutor

            def work():
                return ThreadPoolExecutor()
            """,
        "b/helpers.py": """
            def work():
                return 1
            """,
        "a/main.py": """
            from concurrent.futures import ThreadPoolExecutor
            from helpers import work

            POOL = ThreadPoolExecutor()
            POOL.submit(work)
            """,
    }
    assert lint_project(files) == []


def test_the_managed_runtime_module_is_not_followed(lint_project: Callable[..., List[Diagnostic]]) -> None:
    files = {
        "pools.py": """
            from concurrent.futures import ThreadPoolExecutor

            def run_with_timeout(fn, *args, timeout):
                with ThreadPoolExecutor() as pool:
                    return pool.submit(fn, *args).result(timeout=timeout)
            """,
        "app.py": """
            from concurrent.futures import ThreadPoolExecutor
            from pools import run_with_timeout

            POOL = ThreadPoolExecutor()

            def work():
                return run_with_timeout(print, timeout=1)

            POOL.submit(work)
            """,
    }
    assert len(lint_project(files)) == 1  # pools.py is an ordinary module by default
    assert lint_project(files, executor_import="pools") == []


def test_cached_facts_give_the_same_findings(tmp_path: Path, make_settings: Callable[..., Settings]) -> None:
    paths = _write(tmp_path / "src", PACKAGE)
    settings = make_settings({"select": ["TL101"]}, root=tmp_path)
    options = RunOptions(use_cache=True, cache_dir=tmp_path / "cache", jobs=1)
    cold = check_paths(paths, settings, options)
    warm = check_paths(paths, settings, options)
    assert all(outcome.result.from_cache for outcome in warm)
    messages = [[d.to_cache() for d in o.result.diagnostics] for o in cold]
    assert messages == [[d.to_cache() for d in o.result.diagnostics] for o in warm]
    assert sum(len(m) for m in messages) == 1


# -- the call graph -----------------------------------------------------------------------------


def test_callgraph_resolves_references() -> None:
    facts = {
        "pkg/__init__.py": {"module": "pkg", "functions": {}, "imports": {"Thing": "pkg.impl.Thing"}},
        "pkg/impl.py": {
            "module": "pkg.impl",
            "functions": {
                "pkg.impl.Base.__init__": {},
                "pkg.impl.Base.go": {"calls": ["pkg.impl.helper"]},
                "pkg.impl.Thing.go": {"calls": ["super:pkg.impl.Thing.go"]},
                "pkg.impl.helper": {},
            },
            "classes": {
                "pkg.impl.Base": {"bases": []},
                "pkg.impl.Thing": {"bases": ["pkg.impl.Base"]},
            },
            "types": {
                "classes": {
                    "pkg.impl.Base": {"bases": [], "attrs": {"other": "pkg.Thing"}},
                    "pkg.impl.Thing": {"bases": ["pkg.impl.Base"], "attrs": {}},
                },
                "returns": {"pkg.impl.helper": "pkg.Thing"},
            },
        },
        "broken.py": {},
    }
    project = Project(facts)
    assert project.resolve("pkg.Thing") == ("pkg.impl.Base.__init__",)
    assert project.resolve("pkg.Thing.go") == ("pkg.impl.Thing.go",)
    assert project.resolve("super:pkg.impl.Thing.go") == ("pkg.impl.Base.go",)
    assert project.resolve("meth:attr:pkg.impl.Thing|other|go") == ("pkg.impl.Thing.go",)
    assert project.resolve("meth:call:pkg.impl.helper|go") == ("pkg.impl.Thing.go",)
    assert project.resolve("meth:attr:pkg.impl.Thing|missing|go") == ()
    assert project.resolve("os.path.join") == ()
    assert project.chains(["pkg.impl.Thing.go"], 5) == {
        "pkg.impl.Thing.go": ["pkg.impl.Thing.go"],
        "pkg.impl.Base.go": ["pkg.impl.Thing.go", "pkg.impl.Base.go"],
        "pkg.impl.helper": ["pkg.impl.Thing.go", "pkg.impl.Base.go", "pkg.impl.helper"],
    }
    assert project.canonical_pool("attr:pkg.impl.Thing.pool") == "attr:pkg.impl.Thing.pool"


def test_callgraph_alias_loops_end() -> None:
    facts = {
        "a.py": {"module": "a", "functions": {}, "imports": {"x": "b.x"}},
        "b.py": {"module": "b", "functions": {}, "imports": {"x": "a.x"}},
    }
    assert Project(facts).resolve("a.x") == ()


def test_only_files_a_chain_reaches_are_parsed(
    lint_project: Callable[..., List[Diagnostic]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import timeoutlint.api as api

    parsed: List[str] = []
    original = api._lint_parsed

    def spy(source: str, path: str, *args: Any, **kwargs: Any) -> Any:
        parsed.append(os.path.relpath(path, tmp_path))
        return original(source, path, *args, **kwargs)

    monkeypatch.setattr(api, "_lint_parsed", spy)
    files = dict(PACKAGE, **{"pkg/unrelated.py": "def helper():\n    return 1\n", "pkg/other.py": "import pkg.unrelated\n"})
    found = lint_project(files)
    assert _where(tmp_path, found) == [(os.path.join("pkg", "slot.py"), 6)]
    assert sorted(parsed) == sorted(os.path.join("pkg", name) for name in ("flow.py", "task.py", "__init__.py", "slot.py"))
