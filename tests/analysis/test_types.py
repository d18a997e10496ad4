"""Type inference, one shape at a time, each with the twin where nothing may be said.

``reveal_type(x)`` records what the linter believes ``x`` is (see ``reveal.py``). Unknown
must stay unknown: ambiguity, reassignment to another type, ``Any`` and unresolvable
names give None, never a guess.
"""

from __future__ import annotations

import pytest
from reveal import reveal, reveal_project

FUTURE = "concurrent.futures.Future"
POOL = "concurrent.futures.ThreadPoolExecutor"
POPEN = "subprocess.Popen"


# -- attribute chains -----------------------------------------------------------------------


def test_attribute_chain_through_an_annotated_parameter_and_dataclass_fields() -> None:
    source = """
        from dataclasses import dataclass
        from concurrent.futures import ThreadPoolExecutor

        class Slot:
            def __init__(self) -> None:
                self.pool = ThreadPoolExecutor()

        @dataclass
        class Task:
            slot: Slot
            executor: ThreadPoolExecutor | None = None

        def work(task: Task) -> None:
            reveal_type(task.slot)
            reveal_type(task.slot.pool)
            reveal_type(task.executor)
            reveal_type(task.slot.pool.submit(print))
    """
    assert reveal(source) == ["pkg.mod.Slot", POOL, POOL, FUTURE]


def test_attribute_chain_unknown_twins() -> None:
    source = """
        from typing import Any
        from concurrent.futures import ThreadPoolExecutor

        class Slot:
            def __init__(self) -> None:
                self.pool = ThreadPoolExecutor()

            def reset(self, other) -> None:
                self.pool = other          # reassigned to something else: unstable

        class Loose:
            handle: Any

        def work(slot: Slot, loose: Loose, anything: Any, unannotated) -> None:
            reveal_type(slot.pool)
            reveal_type(loose.handle)
            reveal_type(anything.pool)
            reveal_type(unannotated.pool)
            reveal_type(slot.missing)
    """
    assert reveal(source) == [None, None, None, None, None]


def test_attributes_agreeing_across_methods_and_self_x_none() -> None:
    source = """
        import subprocess

        class Runner:
            def __init__(self) -> None:
                self.proc = None

            def start(self) -> None:
                self.proc = subprocess.Popen(["true"])

            def restart(self) -> None:
                if True:
                    self.proc = subprocess.Popen(["true"])

            def stop(self) -> None:
                reveal_type(self.proc)
    """
    assert reveal(source) == [POPEN]


def test_attributes_disagreeing_across_methods_are_unknown() -> None:
    source = """
        import subprocess
        import threading

        class Runner:
            def start(self) -> None:
                self.proc = subprocess.Popen(["true"])

            def other(self) -> None:
                self.proc = threading.Thread()

            def stop(self) -> None:
                reveal_type(self.proc)
    """
    assert reveal(source) == [None]


def test_locals_rebound_to_another_type_are_ambiguous() -> None:
    source = """
        import subprocess, threading

        def f(flag: bool) -> None:
            proc = subprocess.Popen(["true"])
            reveal_type(proc)
            proc = threading.Thread()
            reveal_type(proc)
    """
    assert reveal(source) == [POPEN, None]


# -- return types ---------------------------------------------------------------------------


def test_return_types_from_annotations_and_getters() -> None:
    source = """
        from __future__ import annotations
        import subprocess
        from typing import Optional
        from concurrent.futures import ThreadPoolExecutor

        def start_child() -> "subprocess.Popen[bytes]":
            ...

        def maybe_child() -> Optional[subprocess.Popen]:
            ...

        def union_child() -> subprocess.Popen | None:
            ...

        def factory():
            return subprocess.Popen(["true"])

        class Flow:
            def __init__(self) -> None:
                self._executor = ThreadPoolExecutor()

            def _get_executor(self):
                return self._executor

        def use(flow: Flow) -> None:
            reveal_type(start_child())
            reveal_type(maybe_child())
            reveal_type(union_child())
            reveal_type(factory())
            reveal_type(flow._get_executor())
            reveal_type(flow._get_executor().submit(print))
    """
    assert reveal(source) == [POPEN, POPEN, POPEN, POPEN, POOL, FUTURE]


def test_return_types_unknown_twins() -> None:
    source = """
        import functools, subprocess, threading
        from typing import Any

        def disagree(flag):
            if flag:
                return subprocess.Popen(["true"])
            return threading.Thread()

        def anything() -> Any:
            return subprocess.Popen(["true"])

        async def coroutine():
            return subprocess.Popen(["true"])

        def generator():
            yield subprocess.Popen(["true"])

        def receiving_generator():
            sent = yield
            return subprocess.Popen([sent])

        @functools.lru_cache
        def cached():
            return subprocess.Popen(["true"])

        def use() -> None:
            reveal_type(disagree(True))
            reveal_type(anything())
            reveal_type(coroutine())
            reveal_type(generator())
            reveal_type(receiving_generator())
            reveal_type(cached())
    """
    assert reveal(source) == [None, None, None, None, None, None]


# -- across modules -------------------------------------------------------------------------

PROJECT = {
    "pkg.tasks": """
        from dataclasses import dataclass
        from concurrent.futures import ThreadPoolExecutor
        from pkg.slot import Slot

        @dataclass
        class Task:
            slot: Slot
            executor: ThreadPoolExecutor | None = None
    """,
    "pkg.slot": """
        import subprocess

        class Slot:
            def __init__(self):
                self.proc = subprocess.Popen(["true"])

            def start(self):
                return subprocess.Popen(["true"])
    """,
    "pkg.pools": """
        from concurrent.futures import ThreadPoolExecutor
        from pkg.slot import Slot

        POOL = ThreadPoolExecutor(max_workers=4)
        SLOT = Slot()
        NOTHING = object()
    """,
    "pkg.worker": """
        from pkg import pools
        from pkg.pools import POOL, NOTHING
        from pkg.tasks import Task

        def execute_task(task: "Task") -> None:
            reveal_type(task.slot.start())
            reveal_type(task.executor)
            reveal_type(POOL)
            reveal_type(pools.SLOT.start())
            reveal_type(pools.SLOT.proc)
            reveal_type(NOTHING)
            reveal_type(task.slot.missing())
    """,
}


def test_types_across_modules() -> None:
    assert reveal_project(PROJECT, "pkg.worker") == [POPEN, POOL, POOL, POPEN, POPEN, None, None]


def test_types_across_modules_stay_deferred_in_one_file() -> None:
    """A file alone cannot tell another module's types: they stay deferred, never guessed."""
    found = reveal(PROJECT["pkg.worker"], "pkg.worker")
    assert all(type_ is None or type_.startswith(("call:", "meth:", "attr:", "obj:")) for type_ in found)
    assert found[0] == "meth:attr:pkg.tasks.Task|slot|start"


def test_module_level_objects_in_one_file() -> None:
    source = """
        import queue
        from concurrent.futures import ThreadPoolExecutor

        def early() -> None:
            reveal_type(POOL)          # bound below: module level runs first

        POOL = ThreadPoolExecutor()
        JOBS = queue.Queue()
        EITHER = queue.Queue()
        EITHER = ThreadPoolExecutor()

        def late() -> None:
            reveal_type(JOBS)
            reveal_type(EITHER)
    """
    assert reveal(source) == [POOL, "queue.Queue", None]


# -- imports --------------------------------------------------------------------------------


def test_function_local_imports() -> None:
    source = """
        def f() -> None:
            from concurrent.futures import ThreadPoolExecutor as Pool
            import subprocess as sp
            reveal_type(Pool())
            reveal_type(sp.Popen(["true"]))

        def g() -> None:
            reveal_type(Pool())        # the import was local to f
    """
    assert reveal(source) == [POOL, POPEN, None]


# -- collections ----------------------------------------------------------------------------


def test_futures_in_local_collections() -> None:
    source = """
        from concurrent.futures import ThreadPoolExecutor

        def f(items) -> None:
            pool = ThreadPoolExecutor()
            futures = []
            for item in items:
                futures.append(pool.submit(print, item))
            reveal_type(futures[0])
            for future in futures:
                reveal_type(future)
            listed = [pool.submit(print, item) for item in items]
            reveal_type(listed[-1])
            reveal_type([f for f in listed][0])
            copied = list(listed)
            reveal_type(copied[0])
            reveal_type(copied[1:][0])
            pair = [pool.submit(print), pool.submit(print)]
            reveal_type(pair[1])
    """
    assert reveal(source) == [FUTURE] * 7


def test_collections_unknown_twins() -> None:
    source = """
        import threading
        from concurrent.futures import ThreadPoolExecutor

        def f(items, more) -> None:
            pool = ThreadPoolExecutor()
            mixed = []
            mixed.append(pool.submit(print))
            mixed.append(threading.Thread())
            reveal_type(mixed[0])
            unknown = []
            unknown.append(more)
            reveal_type(unknown[0])
            empty = []
            reveal_type(empty[0])
            extended = [pool.submit(print)]
            extended.extend(items)
            reveal_type(extended[0])
            starred = [pool.submit(print), *items]
            reveal_type(starred[0])
            for item in items:
                reveal_type(item)
    """
    assert reveal(source) == [None] * 6


def test_futures_in_attribute_collections() -> None:
    source = """
        from typing import List
        from concurrent.futures import Future, ThreadPoolExecutor

        class Batch:
            pending: List[Future]

            def __init__(self) -> None:
                self.pool = ThreadPoolExecutor()
                self.futures = []
                self.pending = []

            def add(self, job) -> None:
                self.futures.append(self.pool.submit(job))

            def clear(self) -> None:
                self.futures = []

            def finish(self) -> None:
                for future in self.futures:
                    reveal_type(future)
                reveal_type(self.futures[0])
                reveal_type(self.pending[0])
    """
    assert reveal(source) == [FUTURE, FUTURE, FUTURE]


def test_attribute_collection_with_other_elements_is_unknown() -> None:
    source = """
        from concurrent.futures import ThreadPoolExecutor

        class Batch:
            def __init__(self) -> None:
                self.pool = ThreadPoolExecutor()
                self.futures = []

            def add(self, job) -> None:
                self.futures.append(self.pool.submit(job))

            def add_other(self, thing) -> None:
                self.futures.append(thing)

            def finish(self) -> None:
                reveal_type(self.futures[0])
    """
    assert reveal(source) == [None]


def test_done_futures_from_as_completed_and_wait() -> None:
    source = """
        import concurrent.futures
        from concurrent.futures import as_completed, wait

        def f(fs) -> None:
            for future in as_completed(fs):
                reveal_type(future)
            done, not_done = wait(fs, timeout=5)
            reveal_type(next(iter(done)))
            for finished in done:
                reveal_type(finished)
            for running in not_done:
                reveal_type(running)
            result = concurrent.futures.wait(fs)
            for finished_too in result.done:
                reveal_type(finished_too)
            for running_too in result.not_done:
                reveal_type(running_too)
            for future in done:
                pass
            for future in not_done:
                reveal_type(future)    # the same name for both: ambiguous, unknown
    """
    done = "concurrent.futures.Future[done]"
    assert reveal(source) == [done, None, done, FUTURE, done, FUTURE, None]


# -- annotations ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("annotation", "expected"),
    [
        ("subprocess.Popen", POPEN),
        ("'subprocess.Popen'", POPEN),
        ("Optional[subprocess.Popen]", POPEN),
        ("subprocess.Popen | None", POPEN),
        ("'subprocess.Popen | None'", POPEN),
        ("Final[subprocess.Popen]", POPEN),
        ("Annotated[subprocess.Popen, 'meta']", POPEN),
        ("Union[subprocess.Popen, None]", POPEN),
        ("Union[subprocess.Popen, int]", None),
        ("subprocess.Popen | int", None),
        ("Any", None),
        ("object", None),
        ("None", None),
        ("'not valid python('", None),
    ],
)
def test_annotations(annotation: str, expected: str | None) -> None:
    source = f"""
        import subprocess
        from typing import Annotated, Any, Final, Optional, Union

        def f(proc: {annotation}) -> None:
            reveal_type(proc)
    """
    assert reveal(source) == [expected]


@pytest.mark.parametrize(
    ("annotation", "expected"),
    [
        ("list[Future]", FUTURE),
        ("List[Future]", FUTURE),
        ("Sequence['Future']", FUTURE),
        ("tuple[Future, ...]", FUTURE),
        ("tuple[Future, int]", None),
        ("dict[str, Future]", None),
        ("list", None),
    ],
)
def test_collection_annotations(annotation: str, expected: str | None) -> None:
    source = f"""
        from concurrent.futures import Future
        from typing import List, Sequence

        def f(futures: {annotation}) -> None:
            for future in futures:
                reveal_type(future)
    """
    assert reveal(source) == [expected]


# -- known APIs -----------------------------------------------------------------------------


def test_known_apis() -> None:
    source = """
        import asyncio, contextvars

        async def f(loop: asyncio.AbstractEventLoop, coro) -> None:
            reveal_type(asyncio.run_coroutine_threadsafe(coro, loop))
            reveal_type(asyncio.create_task(coro))
            reveal_type(asyncio.ensure_future(coro))
            reveal_type(loop.run_in_executor(None, print))
            reveal_type(asyncio.get_running_loop())
            reveal_type(contextvars.copy_context())
    """
    assert reveal(source) == [
        FUTURE,
        "asyncio.Task",
        "asyncio.Future",
        "asyncio.Future",
        "asyncio.AbstractEventLoop",
        "contextvars.Context",
    ]


def test_with_targets() -> None:
    source = """
        import subprocess, threading
        from concurrent.futures import ThreadPoolExecutor

        def f() -> None:
            with ThreadPoolExecutor() as pool, subprocess.Popen(["true"]) as proc:
                reveal_type(pool)
                reveal_type(proc)
            with threading.Lock() as held:
                reveal_type(held)      # Lock.__enter__ returns a bool
    """
    assert reveal(source) == [POOL, POPEN, None]
