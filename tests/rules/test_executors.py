"""TL102 executor-per-call and TL103 executor-shutdown-defeats-timeout: paired "does
nothing", "reports without a fix" and "fixes" cases (pyupgrade style), beyond the rules'
own examples; and the two rules' fixes agreeing on the same block in any order."""

from __future__ import annotations

import textwrap
from typing import Any, Callable, Dict, List, Optional, Tuple

import pytest

from timeoutlint.api import fix_text, lint_source
from timeoutlint.ftypes import Diagnostic
from timeoutlint.settings import Settings

TPE = "from concurrent.futures import ThreadPoolExecutor\n"
IMPORTS = "import concurrent.futures\nfrom concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor, as_completed, wait\n"
# The pool classes are used before the rewrite and not after: the fix drops their import;
# the names the code never used stay (an import the fix did not orphan is not its business).
IMPORTS_AFTER_THREADS = "import concurrent.futures\nfrom concurrent.futures import ProcessPoolExecutor, as_completed, wait\n"
IMPORTS_AFTER_PROCESSES = "import concurrent.futures\nfrom concurrent.futures import ThreadPoolExecutor, as_completed, wait\n"


def imports_after(body: str) -> str:
    """IMPORTS once the fix has removed the pool of ``body``."""
    return IMPORTS_AFTER_PROCESSES if "ProcessPoolExecutor(" in body else IMPORTS_AFTER_THREADS


def _code(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


@pytest.fixture
def check(make_settings: Callable[..., Settings]) -> Callable[..., Tuple[List[Diagnostic], str]]:
    def run(codes: Any, source: str, settings: Optional[Dict[str, Any]] = None) -> Tuple[List[Diagnostic], str]:
        codes = [codes] if isinstance(codes, str) else list(codes)
        resolved = make_settings({"select": codes, **(settings or {})}, unsafe_fixes=True)
        result = lint_source(source, "example.py", resolved)
        assert not result.errors, result.errors
        fixed = fix_text(source, "example.py", resolved)
        assert not fixed.errors, fixed.errors
        again = fix_text(fixed.source, "example.py", resolved)
        assert again.source == fixed.source, "fixing twice differs from fixing once"
        return [d for d in result.diagnostics if d.code in codes], fixed.source

    return run


# -- TL102: does nothing --------------------------------------------------------------------------

TL102_NOOP = {
    "module-level": TPE + "POOL = ThreadPoolExecutor()\n",
    "module-level-with": TPE + "with ThreadPoolExecutor() as ex:\n    list(ex.map(print, [1]))\n",
    "class-body": TPE + "class A:\n    pool = ThreadPoolExecutor()\n",
    "init-on-self": TPE + "class A:\n    def __init__(self):\n        self.pool = ThreadPoolExecutor(4)\n",
    "init-annotated-on-self": TPE + "class A:\n    def __init__(self):\n        self.pool: ThreadPoolExecutor = ThreadPoolExecutor(4)\n",
    "method-stores-on-self": TPE + "class A:\n    def start(self):\n        self._pool = self._pool or ThreadPoolExecutor()\n",
    "stored-via-local-name": TPE + "class A:\n    def start(self):\n        pool = ThreadPoolExecutor()\n        self.pool = pool\n",
    "stored-in-dict": TPE + "POOLS = {}\ndef pool(name):\n    POOLS[name] = ThreadPoolExecutor()\n",
    "global": TPE + "_pool = None\ndef get():\n    global _pool\n    _pool = ThreadPoolExecutor()\n",
    "returned": TPE + "def make():\n    return ThreadPoolExecutor(4)\n",
    "returned-by-name": TPE + "def make(n):\n    pool = ThreadPoolExecutor(n)\n    return pool\n",
    "yielded": TPE + "def pools():\n    with ThreadPoolExecutor() as ex:\n        yield ex\n",
    "bound-method-yielded": TPE + "def mapper():\n    with ThreadPoolExecutor() as ex:\n        yield ex.map\n",
    "passed-on": TPE + "def run(register):\n    register(ThreadPoolExecutor())\n",
    "passed-on-by-name": TPE + "def run(stack):\n    ex = ThreadPoolExecutor()\n    stack.enter_context(ex)\n",
    "set-default-executor": TPE + "def setup(loop):\n    loop.set_default_executor(ThreadPoolExecutor())\n",
    "closure": TPE + "def run():\n    ex = ThreadPoolExecutor()\n    def go(f):\n        return ex.submit(f)\n    return go\n",
    "main": TPE + "def main():\n    with ThreadPoolExecutor() as ex:\n        list(ex.map(print, [1]))\n",
    "async-main": TPE + "async def main():\n    with ThreadPoolExecutor() as ex:\n        list(ex.map(print, [1]))\n",
    "main-block-caller": TPE
    + "def run():\n    with ThreadPoolExecutor() as ex:\n        list(ex.map(print, [1]))\n\n"
    + "if __name__ == '__main__':\n    raise SystemExit(run())\n",
    "click-command": "import click\n"
    + TPE
    + "@click.command()\n@click.option('--n')\ndef sync(n):\n    with ThreadPoolExecutor() as ex:\n        list(ex.map(print, [n]))\n",
    "group-command": TPE + "@cli.command()\ndef sync():\n    with ThreadPoolExecutor() as ex:\n        list(ex.map(print, [1]))\n",
    "test-function": TPE + "def test_it():\n    with ThreadPoolExecutor() as ex:\n        assert list(ex.map(abs, [-1])) == [1]\n",
    "passed-in": "def work(pool, jobs):\n    return [pool.submit(j) for j in jobs]\n",
    "passed-in-annotated": TPE + "def work(pool: ThreadPoolExecutor, jobs):\n    return list(pool.map(print, jobs))\n",
    "shared-executor": "from timeoutlint.runtime import shared_executor\n"
    "def work(jobs):\n    ex = shared_executor('work', max_workers=4)\n    return list(ex.map(print, jobs))\n",
    "other-threadpool": "from mylib import ThreadPoolExecutor\ndef f():\n    with ThreadPoolExecutor() as ex:\n        pass\n",
    "lambda-factory": TPE + "make = lambda: ThreadPoolExecutor()\n",
    "in-a-list": TPE + "def pools():\n    return [ThreadPoolExecutor(), ThreadPoolExecutor()]\n",
    "get-context-pool": "import multiprocessing\ndef f(xs):\n    with multiprocessing.get_context('spawn').Pool() as p:\n        return p.map(abs, xs)\n",
}


@pytest.mark.parametrize("source", list(TL102_NOOP.values()), ids=list(TL102_NOOP))
def test_tl102_does_nothing(check: Any, source: str) -> None:
    found, fixed = check("TL102", source)
    assert found == []
    assert fixed == source


# -- TL102: reported, no fix ----------------------------------------------------------------------

TL102_NO_FIX = {
    "fire-and-forget": "def f(users):\n    with ThreadPoolExecutor() as ex:\n        for u in users:\n            ex.submit(send, u)\n",
    "map-not-consumed": "def f(xs):\n    with ThreadPoolExecutor() as ex:\n        ex.map(send, xs)\n",
    "map-any": "def f(xs):\n    with ThreadPoolExecutor() as ex:\n        return any(ex.map(check, xs))\n",
    "map-returned-lazily": "def f(xs):\n    with ThreadPoolExecutor() as ex:\n        return ex.map(check, xs)\n",
    "loop-returns-early": "def f(xs):\n    with ThreadPoolExecutor() as ex:\n        for r in ex.map(check, xs):\n            if r:\n                return r\n",
    "loop-breaks": "def f(xs):\n    with ThreadPoolExecutor() as ex:\n        for r in ex.map(check, xs):\n            if r:\n                break\n",
    "result-conditional": "def f(x):\n    with ThreadPoolExecutor() as ex:\n        fut = ex.submit(g, x)\n        if x:\n            fut.result()\n",
    "return-between-submit-and-wait": "def f(xs):\n    with ThreadPoolExecutor() as ex:\n        futs = []\n"
    "        for x in xs:\n            if not x:\n                return\n            futs.append(ex.submit(g, x))\n        wait(futs)\n",
    "return-before-result": "def f(x):\n    with ThreadPoolExecutor() as ex:\n        fut = ex.submit(g, x)\n        if x:\n"
    "            return None\n        return fut.result()\n",
    "continue-between": "def f(xss):\n    for xs in xss:\n        with ThreadPoolExecutor() as ex:\n"
    "            futs = [ex.submit(g, x) for x in xs]\n            if not xs:\n                continue\n            wait(futs)\n",
    "result-before-submit": "def f(xs):\n    with ThreadPoolExecutor() as ex:\n        futs = []\n        wait(futs)\n        futs.append(ex.submit(g, 1))\n",
    "wait-with-timeout": "def f(xs):\n    with ThreadPoolExecutor() as ex:\n        futs = [ex.submit(g, x) for x in xs]\n        wait(futs, timeout=3)\n",
    "wait-first-completed": "def f(xs):\n    with ThreadPoolExecutor() as ex:\n        futs = [ex.submit(g, x) for x in xs]\n"
    "        wait(futs, return_when=concurrent.futures.FIRST_COMPLETED)\n",
    "comprehension-filters": "def f(xs):\n    with ThreadPoolExecutor() as ex:\n        futs = [ex.submit(g, x) for x in xs]\n"
    "        return [f.result() for f in futs if f]\n",
    "used-after-block": "def f(x):\n    with ThreadPoolExecutor() as ex:\n        y = ex.submit(g, x).result()\n    ex.submit(h)\n",
    "shutdown-in-block": "def f(x):\n    with ThreadPoolExecutor() as ex:\n        ex.shutdown(wait=False)\n",
    "one-worker": "def f(xs):\n    with ThreadPoolExecutor(max_workers=1) as ex:\n        return list(ex.map(g, xs))\n",
    "dynamic-size": "def f(xs):\n    with ThreadPoolExecutor(max_workers=len(xs)) as ex:\n        return list(ex.map(g, xs))\n",
    "size-from-self": "class A:\n    def f(self, xs):\n        with ThreadPoolExecutor(self.workers) as ex:\n            return list(ex.map(g, xs))\n",
    "initializer": "def f(xs):\n    with ThreadPoolExecutor(initializer=setup) as ex:\n        return list(ex.map(g, xs))\n",
    "thread-name-prefix": "def f(xs):\n    with ThreadPoolExecutor(thread_name_prefix='w') as ex:\n        return list(ex.map(g, xs))\n",
    "two-items": "def f(xs):\n    with ThreadPoolExecutor() as ex, open('x') as fh:\n        return list(ex.map(g, xs))\n",
    "no-as": "def f():\n    with ThreadPoolExecutor():\n        pass\n",
    "recursive": "def walk(node):\n    with ThreadPoolExecutor() as ex:\n        return list(ex.map(walk, node.children))\n",
    "two-pools": "def f(xs):\n    with ThreadPoolExecutor(2) as a:\n        list(a.map(g, xs))\n    with ThreadPoolExecutor(4) as b:\n        list(b.map(g, xs))\n",
    "assign-shutdown": "def f(xs):\n    ex = ThreadPoolExecutor(2)\n    try:\n        return list(ex.map(g, xs))\n    finally:\n        ex.shutdown()\n",
    "assign-entered": "def f(xs):\n    ex = ThreadPoolExecutor(2)\n    with ex:\n        return list(ex.map(g, xs))\n",
    "fallback-to-new-pool": "def f(x, executor=None):\n    executor = executor or ThreadPoolExecutor()\n    return executor.submit(g, x)\n",
    "closing": "import contextlib\nimport multiprocessing\ndef f(xs):\n    with contextlib.closing(multiprocessing.Pool(4)) as p:\n"
    "        return p.map(g, xs)\n",
    "inline-submit": "def f(x):\n    return ThreadPoolExecutor().submit(g, x)\n",
    "inline-run-in-executor": "async def f(loop, x):\n    return await loop.run_in_executor(ThreadPoolExecutor(), g, x)\n",
    "comment-at-block-end": "def f(xs):\n    with ThreadPoolExecutor() as ex:\n        out = list(ex.map(g, xs))\n        # done\n    return out\n",
    "wait-for-run-in-executor": "import asyncio\nasync def f(loop, x):\n    with ThreadPoolExecutor() as ex:\n"
    "        return await asyncio.wait_for(loop.run_in_executor(ex, g, x), 5)\n",
    "generator": "def f(xs):\n    with ThreadPoolExecutor() as ex:\n        for r in ex.map(g, xs):\n            yield r\n",
    "multiprocessing-pool": "import multiprocessing\ndef f(xs):\n    with multiprocessing.Pool(4) as p:\n        return p.map(g, xs)\n",
    "multiprocessing-threadpool": "from multiprocessing.pool import ThreadPool\ndef f(xs):\n    p = ThreadPool(4)\n    return p.map(g, xs)\n",
    "init-without-storing": "class A:\n    def __init__(self, xs):\n        with ThreadPoolExecutor() as ex:\n            for x in xs:\n                ex.submit(load, x)\n",
}


@pytest.mark.parametrize("body", list(TL102_NO_FIX.values()), ids=list(TL102_NO_FIX))
def test_tl102_reports_without_fix(check: Any, body: str) -> None:
    source = IMPORTS + body
    found, fixed = check("TL102", source)
    assert found and all(d.fix is None for d in found), found
    assert fixed == source


# -- TL102: fixes ---------------------------------------------------------------------------------

SHARED = "from timeoutlint.runtime import shared_executor\n"
RUN = "from timeoutlint.runtime import run_with_timeout\n"

TL102_FIXES = {
    "with-map-list": (
        "def f(xs):\n    with ThreadPoolExecutor(max_workers=8) as ex:\n        return list(ex.map(g, xs))\n",
        SHARED,
        "def f(xs):\n    ex = shared_executor(\"example.f\", max_workers=8)\n    return list(ex.map(g, xs))\n",
    ),
    "positional-size-and-comments": (
        "def f(xs):\n    # pool\n    with ThreadPoolExecutor(4) as ex:  # why\n        # map\n        out = sorted(ex.map(g, xs))\n    return out\n",
        SHARED,
        "def f(xs):\n    # pool\n    ex = shared_executor(\"example.f\", max_workers=4)  # why\n    # map\n    out = sorted(ex.map(g, xs))\n    return out\n",
    ),
    "for-over-map": (
        "def f(xs):\n    with ThreadPoolExecutor() as ex:\n        for r in ex.map(g, xs):\n            print(r)\n",
        SHARED,
        "def f(xs):\n    ex = shared_executor(\"example.f\")\n    for r in ex.map(g, xs):\n        print(r)\n",
    ),
    "comprehension-over-map": (
        "def f(xs):\n    with ThreadPoolExecutor() as ex:\n        return {r for r in ex.map(g, xs) if r}\n",
        SHARED,
        "def f(xs):\n    ex = shared_executor(\"example.f\")\n    return {r for r in ex.map(g, xs) if r}\n",
    ),
    "append-then-wait": (
        "def f(xs):\n    with ThreadPoolExecutor(2) as ex:\n        futs = []\n        for x in xs:\n"
        "            futs.append(ex.submit(g, x))\n        wait(futs)\n    return [fut.result() for fut in futs]\n",
        SHARED,
        "def f(xs):\n    ex = shared_executor(\"example.f\", max_workers=2)\n    futs = []\n    for x in xs:\n"
        "        futs.append(ex.submit(g, x))\n    wait(futs)\n    return [fut.result() for fut in futs]\n",
    ),
    "wait-all-completed": (
        "def f(xs):\n    with ThreadPoolExecutor() as ex:\n        futs = {ex.submit(g, x) for x in xs}\n"
        "        wait(futs, None, concurrent.futures.ALL_COMPLETED)\n",
        SHARED,
        "def f(xs):\n    ex = shared_executor(\"example.f\")\n    futs = {ex.submit(g, x) for x in xs}\n"
        "    wait(futs, None, concurrent.futures.ALL_COMPLETED)\n",
    ),
    "dict-then-as-completed": (
        "def f(xs):\n    with ThreadPoolExecutor() as ex:\n        futs = {ex.submit(g, x): x for x in xs}\n"
        "        for fut in as_completed(futs):\n            print(futs[fut], fut.result())\n",
        SHARED,
        "def f(xs):\n    ex = shared_executor(\"example.f\")\n    futs = {ex.submit(g, x): x for x in xs}\n"
        "    for fut in as_completed(futs):\n        print(futs[fut], fut.result())\n",
    ),
    "subscript-additions": (
        "def f(xs):\n    with ThreadPoolExecutor() as ex:\n        futs = {}\n        for x in xs:\n"
        "            futs[ex.submit(g, x)] = x\n        for fut in as_completed(futs):\n            print(fut.result())\n",
        SHARED,
        "def f(xs):\n    ex = shared_executor(\"example.f\")\n    futs = {}\n    for x in xs:\n"
        "        futs[ex.submit(g, x)] = x\n    for fut in as_completed(futs):\n        print(fut.result())\n",
    ),
    "for-each-result": (
        "def f(xs):\n    with ThreadPoolExecutor() as ex:\n        futs = [ex.submit(g, x) for x in xs]\n"
        "        for fut in futs:\n            try:\n                print(fut.result())\n            except ValueError:\n                pass\n",
        SHARED,
        "def f(xs):\n    ex = shared_executor(\"example.f\")\n    futs = [ex.submit(g, x) for x in xs]\n"
        "    for fut in futs:\n        try:\n            print(fut.result())\n        except ValueError:\n            pass\n",
    ),
    "named-futures": (
        "def f(a, b):\n    with ThreadPoolExecutor() as ex:\n        fa = ex.submit(g, a)\n        fb = ex.submit(g, b)\n"
        "        return fa.result() + fb.result()\n",
        SHARED,
        "def f(a, b):\n    ex = shared_executor(\"example.f\")\n    fa = ex.submit(g, a)\n    fb = ex.submit(g, b)\n"
        "    return fa.result() + fb.result()\n",
    ),
    "process-pool": (
        "def f(xs):\n    with ProcessPoolExecutor(2) as ex:\n        return list(ex.map(g, xs))\n",
        SHARED,
        "def f(xs):\n    ex = shared_executor(\"example.f\", max_workers=2, kind=\"process\")\n    return list(ex.map(g, xs))\n",
    ),
    "awaited-run-in-executor": (
        "async def f(loop, x):\n    with ThreadPoolExecutor() as ex:\n        return await loop.run_in_executor(ex, g, x)\n",
        SHARED,
        "async def f(loop, x):\n    ex = shared_executor(\"example.f\")\n    return await loop.run_in_executor(ex, g, x)\n",
    ),
    "one-line-block": (
        "def f(xs):\n    with ThreadPoolExecutor() as ex: return list(ex.map(g, xs))\n",
        SHARED,
        "def f(xs):\n    ex = shared_executor(\"example.f\")\n    return list(ex.map(g, xs))\n",
    ),
    "method-qualname": (
        "class Thumbs:\n    def make(self, xs):\n        with ThreadPoolExecutor(8) as ex:\n            return list(ex.map(g, xs))\n",
        SHARED,
        "class Thumbs:\n    def make(self, xs):\n        ex = shared_executor(\"example.Thumbs.make\", max_workers=8)\n"
        "        return list(ex.map(g, xs))\n",
    ),
    "nested-function-qualname": (
        "def outer():\n    def inner(xs):\n        with ThreadPoolExecutor() as ex:\n            return list(ex.map(g, xs))\n    return inner\n",
        SHARED,
        "def outer():\n    def inner(xs):\n        ex = shared_executor(\"example.outer.<locals>.inner\")\n"
        "        return list(ex.map(g, xs))\n    return inner\n",
    ),
    "assign-submit-only": (
        "def f(xs):\n    ex = ThreadPoolExecutor(4)\n    return [ex.submit(g, x) for x in xs]\n",
        SHARED,
        "def f(xs):\n    ex = shared_executor(\"example.f\", max_workers=4)\n    return [ex.submit(g, x) for x in xs]\n",
    ),
    "process-single-task-keeps-its-wait": (
        "def f(x):\n    with ProcessPoolExecutor() as ex:\n        return ex.submit(g, x).result(timeout=5)\n",
        SHARED,
        "def f(x):\n    ex = shared_executor(\"example.f\", kind=\"process\")\n    return ex.submit(g, x).result(timeout=5)\n",
    ),
    "function-nested-in-main": (
        "def main():\n    def work(xs):\n        with ThreadPoolExecutor() as ex:\n            return list(ex.map(g, xs))\n    return work\n",
        SHARED,
        "def main():\n    def work(xs):\n        ex = shared_executor(\"example.main.<locals>.work\")\n"
        "        return list(ex.map(g, xs))\n    return work\n",
    ),
    "single-task-is-run-with-timeout": (
        "def f(x):\n    with ThreadPoolExecutor(max_workers=1) as ex:\n        fut = ex.submit(g, x)\n        return fut.result(timeout=5)\n",
        RUN,
        "def f(x):\n    return run_with_timeout(g, x, timeout=5)\n",
    ),
}


@pytest.mark.parametrize(("body", "imports", "expected"), list(TL102_FIXES.values()), ids=list(TL102_FIXES))
def test_tl102_fixes(check: Any, body: str, imports: str, expected: str) -> None:
    found, fixed = check("TL102", IMPORTS + body)
    assert len(found) == 1 and found[0].fix is not None
    # The runtime's import opens the third-party section after the stdlib ones.
    assert fixed == imports_after(body) + ("\n" + imports if imports else "") + expected


def test_tl102_message_names_the_function_and_workers(check: Any) -> None:
    found, _ = check("TL102", IMPORTS + TL102_FIXES["method-qualname"][0])
    assert found[0].message == (
        "`ThreadPoolExecutor` is created on every call of `Thumbs.make()`: each call starts its own "
        "worker threads instead of sharing a long-lived pool"
    )
    found, _ = check("TL102", IMPORTS + TL102_FIXES["process-pool"][0])
    assert "worker processes" in found[0].message


def test_tl102_pool_name_includes_the_module(make_settings: Callable[..., Settings]) -> None:
    settings = make_settings({"select": ["TL102"]}, unsafe_fixes=True)
    source = IMPORTS + TL102_FIXES["with-map-list"][0]
    fixed = fix_text(source, "pkg/jobs.py", settings, module_name="pkg.jobs")
    assert 'shared_executor("pkg.jobs.f", max_workers=8)' in fixed.source


def test_tl102_executor_import_setting(check: Any) -> None:
    _, fixed = check("TL102", IMPORTS + TL102_FIXES["with-map-list"][0], {"executor-import": "myapp.pools"})
    assert "from myapp.pools import shared_executor\n" in fixed
    _, fixed = check(
        "TL102",
        IMPORTS + "from myapp import pools\n" + TL102_FIXES["with-map-list"][0],
        {"executor-import": "myapp.pools"},
    )
    assert 'ex = pools.shared_executor("example.f", max_workers=8)' in fixed


def test_tl102_no_fix_when_the_name_is_taken(check: Any) -> None:
    source = IMPORTS + "shared_executor = 1\ntimeoutlint = 2\n" + TL102_FIXES["with-map-list"][0]
    found, fixed = check("TL102", source)
    assert len(found) == 1 and found[0].fix is None and fixed == source


# -- TL103: does nothing --------------------------------------------------------------------------

TL103_NOOP = {
    "after-block": "def f(x):\n    with ThreadPoolExecutor() as ex:\n        fut = ex.submit(g, x)\n    return fut.result(timeout=5)\n",
    "no-timeout": "def f(x):\n    with ThreadPoolExecutor() as ex:\n        return ex.submit(g, x).result()\n",
    "timeout-none": "def f(x):\n    with ThreadPoolExecutor() as ex:\n        return ex.submit(g, x).result(None)\n",
    "kwargs": "def f(x, **kw):\n    with ThreadPoolExecutor() as ex:\n        return ex.submit(g, x).result(**kw)\n",
    "wait-no-timeout": "def f(xs):\n    with ThreadPoolExecutor() as ex:\n        futs = [ex.submit(g, x) for x in xs]\n        wait(futs)\n",
    "as-completed-futures-are-done": "def f(xs):\n    with ThreadPoolExecutor() as ex:\n        futs = [ex.submit(g, x) for x in xs]\n"
    "        for fut in as_completed(futs):\n            fut.result(timeout=1)\n",
    "done-set": "def f(xs):\n    with ThreadPoolExecutor() as ex:\n        futs = [ex.submit(g, x) for x in xs]\n"
    "        done, _ = wait(futs)\n        for fut in done:\n            fut.result(timeout=1)\n",
    "other-future": "def f(x, other):\n    with ThreadPoolExecutor() as ex:\n        ex.submit(g, x)\n        return other.result(timeout=5)\n",
    "other-futures": "def f(x, others):\n    with ThreadPoolExecutor() as ex:\n        ex.submit(g, x)\n        wait(others, timeout=5)\n",
    "long-lived-pool": "POOL = ThreadPoolExecutor()\ndef f(x):\n    return POOL.submit(g, x).result(timeout=5)\n",
    "assigned-pool": "def f(x):\n    ex = ThreadPoolExecutor()\n    return ex.submit(g, x).result(timeout=5)\n",
    "polling": "def f(x):\n    with ThreadPoolExecutor() as ex:\n        fut = ex.submit(g, x)\n        while not fut.done():\n"
    "            try:\n                fut.result(timeout=1)\n            except concurrent.futures.TimeoutError:\n                tick()\n",
    "nested-function": "def f(x):\n    with ThreadPoolExecutor() as ex:\n        fut = ex.submit(g, x)\n        def later():\n"
    "            return fut.result(timeout=5)\n    return later\n",
    "rebound-future": "def f(x, other):\n    with ThreadPoolExecutor() as ex:\n        fut = ex.submit(g, x)\n        fut = other\n"
    "        return fut.result(timeout=5)\n",
    "rebound-pool": "def f(x, pool):\n    with ThreadPoolExecutor() as ex:\n        ex = pool\n        return ex.submit(g, x).result(timeout=5)\n",
    "multiprocessing": "import multiprocessing\ndef f(x):\n    with multiprocessing.Pool() as p:\n        return p.apply_async(g, (x,)).get(timeout=5)\n",
    "shared-executor": "from timeoutlint.runtime import shared_executor\n"
    "def f(x):\n    return shared_executor().submit(g, x).result(timeout=5)\n",
    "run-with-timeout": "from timeoutlint.runtime import run_with_timeout\ndef f(x):\n    return run_with_timeout(g, x, timeout=5)\n",
}


@pytest.mark.parametrize("body", list(TL103_NOOP.values()), ids=list(TL103_NOOP))
def test_tl103_does_nothing(check: Any, body: str) -> None:
    source = IMPORTS + body
    found, fixed = check("TL103", source)
    assert found == []
    assert fixed == source


# -- TL103: reported, no fix ----------------------------------------------------------------------

TL103_NO_FIX = {
    "wait-timeout": "def f(xs):\n    with ThreadPoolExecutor() as ex:\n        futs = [ex.submit(g, x) for x in xs]\n"
    "        done, late = wait(futs, timeout=5)\n",
    "wait-positional-timeout": "def f(xs):\n    with ThreadPoolExecutor() as ex:\n        futs = [ex.submit(g, x) for x in xs]\n"
    "        wait(futs, 5)\n",
    "wait-literal-list": "def f(a, b):\n    with ThreadPoolExecutor() as ex:\n        fa = ex.submit(g, a)\n        fb = ex.submit(g, b)\n"
    "        wait([fa, fb], timeout=5)\n",
    "as-completed-timeout": "def f(xs):\n    with ThreadPoolExecutor() as ex:\n        futs = {ex.submit(g, x): x for x in xs}\n"
    "        for fut in as_completed(futs, timeout=60):\n            print(fut.result())\n",
    "loop-over-futures": "def f(xs):\n    with ThreadPoolExecutor() as ex:\n        futs = [ex.submit(g, x) for x in xs]\n"
    "        return [fut.result(timeout=5) for fut in futs]\n",
    "exception-timeout": "def f(x):\n    with ThreadPoolExecutor() as ex:\n        return ex.submit(g, x).exception(timeout=5)\n",
    "map-timeout": "def f(xs):\n    with ThreadPoolExecutor() as ex:\n        return list(ex.map(g, xs, timeout=5))\n",
    "wait-for-run-in-executor": "import asyncio\nasync def f(loop, x):\n    with ThreadPoolExecutor() as ex:\n"
    "        return await asyncio.wait_for(loop.run_in_executor(ex, g, x), 5)\n",
    "fn-has-timeout-keyword": "def f(x):\n    with ThreadPoolExecutor() as ex:\n        return ex.submit(g, x, timeout=3).result(timeout=5)\n",
    "fn-kwargs": "def f(x, **kw):\n    with ThreadPoolExecutor() as ex:\n        return ex.submit(g, x, **kw).result(timeout=5)\n",
    "process-pool": "def f(x):\n    with ProcessPoolExecutor() as ex:\n        return ex.submit(g, x).result(timeout=5)\n",
    "initializer": "def f(x):\n    with ThreadPoolExecutor(initializer=setup) as ex:\n        return ex.submit(g, x).result(timeout=5)\n",
    "statement-between": "def f(x):\n    with ThreadPoolExecutor() as ex:\n        fut = ex.submit(g, x)\n        log('submitted')\n"
    "        return fut.result(timeout=5)\n",
    "pool-used-twice": "def f(x):\n    with ThreadPoolExecutor() as ex:\n        ex.submit(h)\n        return ex.submit(g, x).result(timeout=5)\n",
    "future-used-twice": "def f(x):\n    with ThreadPoolExecutor() as ex:\n        fut = ex.submit(g, x)\n        r = fut.result(timeout=5)\n"
    "        return r, fut.done()\n",
    "future-cancelled-in-finally": "def f(x):\n    with ThreadPoolExecutor() as ex:\n        fut = ex.submit(g, x)\n        try:\n"
    "            return fut.result(timeout=5)\n        finally:\n            fut.cancel()\n",
    "future-used-after": "def f(x):\n    with ThreadPoolExecutor() as ex:\n        fut = ex.submit(g, x)\n        fut.result(timeout=5)\n    return fut\n",
    "result-in-branch": "def f(x):\n    with ThreadPoolExecutor() as ex:\n        fut = ex.submit(g, x)\n        if x:\n            return fut.result(timeout=5)\n",
    "trailing-comment-on-submit": "def f(x):\n    with ThreadPoolExecutor() as ex:\n        fut = ex.submit(g, x)  # go\n"
    "        return fut.result(timeout=5)\n",
    "module-level": "with ThreadPoolExecutor() as ex:\n    futs = [ex.submit(g, x) for x in range(3)]\n    wait(futs, timeout=5)\n",
}


@pytest.mark.parametrize("body", list(TL103_NO_FIX.values()), ids=list(TL103_NO_FIX))
def test_tl103_reports_without_fix(check: Any, body: str) -> None:
    source = IMPORTS + body
    found, fixed = check("TL103", source)
    assert len(found) == 1 and found[0].fix is None, found
    assert fixed == source


# -- TL103: fixes ---------------------------------------------------------------------------------

TL103_FIXES = {
    "direct": (
        "def f(x):\n    with ThreadPoolExecutor() as ex:\n        return ex.submit(g, x).result(timeout=5)\n",
        "def f(x):\n    return run_with_timeout(g, x, timeout=5)\n",
    ),
    "named-future": (
        "def f(x):\n    with ThreadPoolExecutor(max_workers=1) as ex:\n        fut = ex.submit(g, x, y=1)\n"
        "        value = fut.result(timeout=T)\n    return value\n",
        "def f(x):\n    value = run_with_timeout(g, x, y=1, timeout=T)\n    return value\n",
    ),
    "positional-timeout": (
        "def f(x):\n    with ThreadPoolExecutor() as ex:\n        return ex.submit(g, x).result(5)\n",
        "def f(x):\n    return run_with_timeout(g, x, timeout=5)\n",
    ),
    "in-try-with-handler": (
        "def f(x):\n    with ThreadPoolExecutor(1, 'slot') as ex:\n        fut = ex.submit(g, *x)\n        try:\n"
        "            return fut.result(timeout=5)\n        except concurrent.futures.TimeoutError:\n            return None\n",
        "def f(x):\n    try:\n        return run_with_timeout(g, *x, timeout=5)\n    except concurrent.futures.TimeoutError:\n        return None\n",
    ),
    "try-around-block": (
        "def f(x):\n    try:\n        with ThreadPoolExecutor() as ex:\n            return ex.submit(g, x).result(timeout=5)\n"
        "    except TimeoutError:\n        return None\n",
        "def f(x):\n    try:\n        return run_with_timeout(g, x, timeout=5)\n    except TimeoutError:\n        return None\n",
    ),
    "comments-kept": (
        "def f(x):\n    # bounded call\n    with ThreadPoolExecutor() as ex:  # one thread\n        # submit it\n"
        "        fut = ex.submit(g, x)\n        # wait\n        return fut.result(timeout=5)\n",
        "def f(x):\n    # bounded call\n    # one thread\n    # submit it\n    # wait\n    return run_with_timeout(g, x, timeout=5)\n",
    ),
    "statements-around": (
        "def f(x):\n    with ThreadPoolExecutor() as ex:\n        log('start')\n        r = ex.submit(g, x).result(timeout=5)\n"
        "        log('end')\n    return r\n",
        "def f(x):\n    log('start')\n    r = run_with_timeout(g, x, timeout=5)\n    log('end')\n    return r\n",
    ),
    "multi-line-submit": (
        "def f(x):\n    with ThreadPoolExecutor() as ex:\n        fut = ex.submit(\n            g,\n            x,\n        )\n"
        "        return fut.result(timeout=5)\n",
        "def f(x):\n    return run_with_timeout(\n        g,\n        x,\n        timeout=5,\n    )\n",
    ),
    "lambda-task": (
        "def f(x):\n    with ThreadPoolExecutor() as ex:\n        return ex.submit(lambda: g(x)).result(timeout=5)\n",
        "def f(x):\n    return run_with_timeout(lambda: g(x), timeout=5)\n",
    ),
    "module-level-main-block": (
        "if __name__ == '__main__':\n    with ThreadPoolExecutor() as ex:\n        print(ex.submit(g, 1).result(timeout=5))\n",
        "if __name__ == '__main__':\n    print(run_with_timeout(g, 1, timeout=5))\n",
    ),
}


@pytest.mark.parametrize(("body", "expected"), list(TL103_FIXES.values()), ids=list(TL103_FIXES))
def test_tl103_fixes(check: Any, body: str, expected: str) -> None:
    found, fixed = check("TL103", IMPORTS + body)
    assert len(found) == 1 and found[0].fix is not None
    assert fixed == imports_after(body) + "\n" + RUN + expected


def test_tl103_message(check: Any) -> None:
    found, _ = check("TL103", IMPORTS + TL103_FIXES["named-future"][0])
    assert found[0].message == (
        "The timeout of `fut.result()` bounds nothing: leaving `with ThreadPoolExecutor(...) as ex:` "
        "calls `ex.shutdown(wait=True)`, which waits for the task anyway"
    )
    found, _ = check("TL103", IMPORTS + TL103_FIXES["direct"][0])
    assert "`ex.submit(...).result()`" in found[0].message
    found, _ = check("TL103", IMPORTS + TL103_NO_FIX["wait-timeout"])
    assert "The timeout of `wait()`" in found[0].message and "waits for the tasks anyway" in found[0].message


def test_tl103_noqa(check: Any) -> None:
    source = IMPORTS + "def f(x):\n    with ThreadPoolExecutor() as ex:\n        return ex.submit(g, x).result(timeout=5)  # noqa: TL103\n"
    found, fixed = check("TL103", source)
    assert found == [] and fixed == source


# -- TL102 and TL103 on the same block: one rewrite, whatever the order -----------------------------

ISSUE_4 = _code(
    """
    import concurrent.futures
    from concurrent.futures import ThreadPoolExecutor


    class Slot:
        def receive(self, message):
            with ThreadPoolExecutor(max_workers=1) as ex:
                fut = ex.submit(self.handler, message)
                try:
                    return fut.result(timeout=self.timeout)
                except concurrent.futures.TimeoutError:
                    raise SlotTimeout(message) from None
    """
)
ISSUE_4_FIXED = _code(
    """
    import concurrent.futures

    from timeoutlint.runtime import run_with_timeout


    class Slot:
        def receive(self, message):
            try:
                return run_with_timeout(self.handler, message, timeout=self.timeout)
            except concurrent.futures.TimeoutError:
                raise SlotTimeout(message) from None
    """
)


def test_issue_4_gets_both_findings_with_the_same_fix(check: Any) -> None:
    found, fixed = check(["TL102", "TL103"], ISSUE_4)
    assert sorted(d.code for d in found) == ["TL102", "TL103"]
    assert found[0].fix is not None and found[1].fix is not None
    assert found[0].fix.edits == found[1].fix.edits
    assert fixed == ISSUE_4_FIXED


@pytest.mark.parametrize("order", [("TL102", "TL103"), ("TL103", "TL102")], ids=["TL102-first", "TL103-first"])
def test_fixing_one_rule_then_the_other_ends_the_same(check: Any, order: Tuple[str, str]) -> None:
    _, step = check(order[0], ISSUE_4)
    assert step == ISSUE_4_FIXED
    found, final = check(order[1], step)
    assert found == [] and final == ISSUE_4_FIXED


@pytest.mark.parametrize(
    "source",
    [
        IMPORTS + TL103_NO_FIX["loop-over-futures"],
        IMPORTS + TL103_NO_FIX["as-completed-timeout"],
        IMPORTS + TL103_NO_FIX["process-pool"],
    ],
    ids=["loop-over-futures", "as-completed", "process-pool"],
)
def test_shared_executor_rewrite_resolves_tl103_too(check: Any, source: str) -> None:
    """Where TL103 has no fix, TL102's shared_executor rewrite removes the `with` whose
    exit defeated the timeout: the same end state in any order."""
    tl103, _ = check("TL103", source)
    assert len(tl103) == 1 and tl103[0].fix is None
    _, both = check(["TL102", "TL103"], source)
    _, tl102_only = check("TL102", source)
    assert both == tl102_only and "shared_executor(" in both
    found, _ = check(["TL102", "TL103"], both)
    assert found == []


SWALLOWED = IMPORTS + _code(
    """
    def f(x):
        with ThreadPoolExecutor() as ex:
            fut = ex.submit(g, x)
            try:
                return fut.result(timeout=5)
            except concurrent.futures.TimeoutError:
                return None
    """
)
SWALLOWED_FIXED = IMPORTS_AFTER_THREADS + "\n" + RUN + _code(
    """
    def f(x):
        try:
            return run_with_timeout(g, x, timeout=5)
        except concurrent.futures.TimeoutError:
            return None
    """
)


@pytest.mark.parametrize(
    "steps",
    [["TL103"], [["TL103", "TL105"]], ["TL105", "TL103"], ["TL103", "TL105"]],
    ids=["TL103", "together", "TL105-first", "TL103-first"],
)
def test_tl105_cancel_in_the_handler_does_not_block_the_rewrite(check: Any, steps: List[Any]) -> None:
    """TL105 adds `fut.cancel()` to a handler that swallows the timeout; run_with_timeout
    cancels by itself, so TL103's rewrite drops that statement: the same code either way."""
    source = SWALLOWED
    for codes in steps:
        _, source = check(codes, source)
    assert source == SWALLOWED_FIXED


TL103_CANCEL_FIXES = {
    "cancel-then-return": (
        "        except concurrent.futures.TimeoutError:\n            fut.cancel()\n            return None\n",
        "    except concurrent.futures.TimeoutError:\n        return None\n",
    ),
    "cancel-with-comment": (
        "        except concurrent.futures.TimeoutError:\n            fut.cancel()  # the caller retries\n",
        "    except concurrent.futures.TimeoutError:\n        pass  # the caller retries\n",
    ),
    "cancel-alone": ("        except TimeoutError:\n            fut.cancel()\n", "    except TimeoutError:\n        pass\n"),
    "one-line-handler": (
        "        except TimeoutError: fut.cancel(); return None\n",
        "    except TimeoutError: return None\n",
    ),
    "cancel-last-on-its-line": ("        except TimeoutError:\n            log(); fut.cancel()\n", "    except TimeoutError:\n        log()\n"),
    "cancel-and-reraise": (
        "        except TimeoutError:\n            fut.cancel()\n            raise\n",
        "    except TimeoutError:\n        raise\n",
    ),
}


@pytest.mark.parametrize(("handler", "expected"), list(TL103_CANCEL_FIXES.values()), ids=list(TL103_CANCEL_FIXES))
def test_tl103_drops_the_handlers_cancel(check: Any, handler: str, expected: str) -> None:
    head = "def f(x):\n    with ThreadPoolExecutor() as ex:\n        fut = ex.submit(g, x)\n        try:\n            return fut.result(timeout=5)\n"
    found, fixed = check("TL103", IMPORTS + head + handler)
    assert len(found) == 1 and found[0].fix is not None
    assert fixed == IMPORTS_AFTER_THREADS + "\n" + RUN + "def f(x):\n    try:\n        return run_with_timeout(g, x, timeout=5)\n" + expected


def test_tl103_keeps_a_cancel_outside_the_handlers(check: Any) -> None:
    source = IMPORTS + (
        "def f(x):\n    with ThreadPoolExecutor() as ex:\n        fut = ex.submit(g, x)\n        try:\n"
        "            return fut.result(timeout=5)\n        finally:\n            fut.cancel()\n"
    )
    found, fixed = check("TL103", source)
    assert len(found) == 1 and found[0].fix is None and fixed == source


@pytest.mark.parametrize(
    "path",
    ["tests/helpers.py", "pkg/tests/util.py", "test/support.py", "pkg/testing/utils.py", "test_jobs.py", "jobs_test.py", "conftest.py"],
)
def test_tl102_does_not_report_test_code(make_settings: Callable[..., Settings], path: str) -> None:
    settings = make_settings({"select": ["TL102", "TL103"]}, unsafe_fixes=True)
    source = IMPORTS + "def helper(x):\n    with ThreadPoolExecutor() as ex:\n        return ex.submit(g, x).result(timeout=5)\n"
    found = lint_source(source, path, settings).diagnostics
    assert [d.code for d in found] == ["TL103"], "TL103 is a bug in tests too; TL102 is not reported there"


@pytest.mark.parametrize("path", ["jobs.py", "pkg/testsuite.py", "contest.py", "latest/jobs.py"])
def test_tl102_reports_other_code(make_settings: Callable[..., Settings], path: str) -> None:
    settings = make_settings({"select": ["TL102"]}, unsafe_fixes=True)
    source = IMPORTS + "def helper(xs):\n    with ThreadPoolExecutor() as ex:\n        return list(ex.map(g, xs))\n"
    assert [d.code for d in lint_source(source, path, settings).diagnostics] == ["TL102"]
