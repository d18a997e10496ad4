"""TL105 timed-out-future-not-cancelled and TL106 timeout-error-alias-mismatch: paired
"does nothing" and "fixes" cases (pyupgrade style), beyond the rules' own examples."""

from __future__ import annotations

from typing import Any, Callable, Dict, List, Optional

import pytest

from timeoutlint.api import fix_text, lint_source
from timeoutlint.ftypes import Diagnostic
from timeoutlint.settings import Settings

SUBMIT = "import concurrent.futures\nex = concurrent.futures.ThreadPoolExecutor()\nfut = ex.submit(f)\n"
PY311 = {"target-version": "py311"}


@pytest.fixture
def check(make_settings: Callable[..., Settings]) -> Callable[..., Any]:
    def run(code: str, source: str, settings: Optional[Dict[str, Any]] = None) -> tuple[List[Diagnostic], str]:
        table = {"select": [code], **(settings or {})}
        resolved = make_settings(table, unsafe_fixes=True)
        result = lint_source(source, "example.py", resolved)
        assert not result.errors, result.errors
        fixed = fix_text(source, "example.py", resolved)
        assert not fixed.errors, fixed.errors
        return [d for d in result.diagnostics if d.code == code], fixed.source

    return run


# -- TL106 ----------------------------------------------------------------------------------

TL106_NOOP = {
    "target-3.11": (SUBMIT + "try:\n    fut.result(timeout=5)\nexcept TimeoutError:\n    pass\n", PY311),
    "target-3.12": (SUBMIT + "try:\n    fut.result(timeout=5)\nexcept TimeoutError:\n    pass\n", {"target-version": "py312"}),
    "right-class": (SUBMIT + "try:\n    fut.result(timeout=5)\nexcept concurrent.futures.TimeoutError:\n    pass\n", None),
    "right-class-imported": (
        "from concurrent.futures import ThreadPoolExecutor, TimeoutError\nfut = ThreadPoolExecutor().submit(f)\n"
        "try:\n    fut.result(timeout=5)\nexcept TimeoutError:\n    pass\n",
        None,
    ),
    "except-exception": (SUBMIT + "try:\n    fut.result(timeout=5)\nexcept Exception:\n    pass\n", None),
    "bare-except-first": (SUBMIT + "try:\n    fut.result(timeout=5)\nexcept:\n    pass\n", None),
    "no-such-call": ("import socket\ntry:\n    socket.create_connection(('h', 1))\nexcept TimeoutError:\n    pass\n", None),
    "result-without-timeout": (SUBMIT + "try:\n    fut.result()\nexcept TimeoutError:\n    pass\n", None),
    "result-timeout-none": (SUBMIT + "try:\n    fut.result(timeout=None)\nexcept TimeoutError:\n    pass\n", None),
    "wait-does-not-raise": (
        "import concurrent.futures\ntry:\n    concurrent.futures.wait(fs, timeout=1)\nexcept TimeoutError:\n    pass\n",
        None,
    ),
    "asyncio-wait-does-not-raise": (
        "import asyncio\nasync def f(fs):\n    try:\n        await asyncio.wait(fs, timeout=1)\n    except TimeoutError:\n        pass\n",
        None,
    ),
    "asyncio-timeout-is-3.11-only": (
        "import asyncio\nasync def f(aw):\n    try:\n        async with asyncio.timeout(1):\n            await aw\n"
        "    except TimeoutError:\n        pass\n",
        None,
    ),
    "nested-function": (
        SUBMIT + "try:\n    def later():\n        return fut.result(timeout=5)\nexcept TimeoutError:\n    pass\n",
        None,
    ),
    "lambda": (SUBMIT + "try:\n    later = lambda: fut.result(timeout=5)\nexcept TimeoutError:\n    pass\n", None),
    "generator-expression": (
        SUBMIT + "try:\n    results = (g.result(timeout=5) for g in [fut])\nexcept TimeoutError:\n    pass\n",
        None,
    ),
    "raised-in-else": (SUBMIT + "try:\n    pass\nexcept TimeoutError:\n    pass\nelse:\n    fut.result(timeout=5)\n", None),
    "raised-in-finally": (SUBMIT + "try:\n    pass\nexcept TimeoutError:\n    pass\nfinally:\n    fut.result(timeout=5)\n", None),
    "shadowed-timeouterror": (
        "import concurrent.futures as cf\nfrom concurrent.futures import TimeoutError\nfut = cf.ThreadPoolExecutor().submit(f)\n"
        "try:\n    fut.result(timeout=5)\nexcept TimeoutError:\n    pass\n",
        None,
    ),
    "unknown-handler-class": (SUBMIT + "try:\n    fut.result(timeout=5)\nexcept TIMEOUTS:\n    pass\nexcept TimeoutError:\n    pass\n", None),
    "caught-by-inner-try": (
        SUBMIT + "try:\n    try:\n        fut.result(timeout=5)\n    except concurrent.futures.TimeoutError:\n        pass\n"
        "except TimeoutError:\n    pass\n",
        None,
    ),
    "later-handler-names-it": (
        SUBMIT + "try:\n    fut.result(timeout=5)\nexcept TimeoutError:\n    a()\nexcept concurrent.futures.TimeoutError:\n    b()\n",
        None,
    ),
    "multiprocessing-get-is-not-concurrent-futures": (
        "import multiprocessing\np = multiprocessing.Pool()\nr = p.apply_async(f)\ntry:\n    r.get(timeout=5)\nexcept TimeoutError:\n    pass\n",
        None,
    ),
    "iterator-not-consumed-here": (
        "import concurrent.futures\ndef f(fs):\n    try:\n        it = concurrent.futures.as_completed(fs, timeout=5)\n"
        "    except TimeoutError:\n        pass\n    return it\n",
        None,
    ),
    "awaitable-not-awaited-here": (
        "import asyncio\ndef f(aw):\n    try:\n        return asyncio.ensure_future(asyncio.wait_for(aw, 1))\n"
        "    except TimeoutError:\n        pass\n",
        None,
    ),
    "async-timeout-not-entered": (
        "import async_timeout\ndef f():\n    try:\n        return async_timeout.timeout(1)\n    except TimeoutError:\n        pass\n",
        None,
    ),
    "executor-map-without-timeout": (
        "from concurrent.futures import ThreadPoolExecutor\nex = ThreadPoolExecutor()\ntry:\n    list(ex.map(f, xs))\nexcept TimeoutError:\n    pass\n",
        None,
    ),
}


@pytest.mark.parametrize(("source", "settings"), list(TL106_NOOP.values()), ids=list(TL106_NOOP))
def test_tl106_does_nothing(check: Callable[..., Any], source: str, settings: Optional[Dict[str, Any]]) -> None:
    found, fixed = check("TL106", source, settings)
    assert found == []
    assert fixed == source


TL106_FIXES = {
    "single": (
        SUBMIT + "try:\n    fut.result(timeout=5)\nexcept TimeoutError:\n    pass\n",
        SUBMIT + "try:\n    fut.result(timeout=5)\nexcept (TimeoutError, concurrent.futures.TimeoutError):\n    pass\n",
    ),
    "positional-timeout": (
        SUBMIT + "try:\n    fut.exception(5)\nexcept TimeoutError:\n    pass\n",
        SUBMIT + "try:\n    fut.exception(5)\nexcept (TimeoutError, concurrent.futures.TimeoutError):\n    pass\n",
    ),
    "as-name": (
        SUBMIT + "try:\n    fut.result(timeout=5)\nexcept TimeoutError as exc:\n    log(exc)\n",
        SUBMIT + "try:\n    fut.result(timeout=5)\nexcept (TimeoutError, concurrent.futures.TimeoutError) as exc:\n    log(exc)\n",
    ),
    "parenthesized": (
        SUBMIT + "try:\n    fut.result(timeout=5)\nexcept (TimeoutError):\n    pass\n",
        SUBMIT + "try:\n    fut.result(timeout=5)\nexcept (TimeoutError, concurrent.futures.TimeoutError):\n    pass\n",
    ),
    "tuple-first": (
        SUBMIT + "try:\n    fut.result(timeout=5)\nexcept (TimeoutError, KeyError):\n    pass\n",
        SUBMIT + "try:\n    fut.result(timeout=5)\nexcept (TimeoutError, concurrent.futures.TimeoutError, KeyError):\n    pass\n",
    ),
    "tuple-last-trailing-comma": (
        SUBMIT + "try:\n    fut.result(timeout=5)\nexcept (KeyError, TimeoutError,):\n    pass\n",
        SUBMIT + "try:\n    fut.result(timeout=5)\nexcept (KeyError, TimeoutError, concurrent.futures.TimeoutError,):\n    pass\n",
    ),
    "tuple-multiline-comment": (
        SUBMIT + "try:\n    fut.result(timeout=5)\nexcept (\n    KeyError,\n    TimeoutError,  # slow\n):\n    pass\n",
        SUBMIT + "try:\n    fut.result(timeout=5)\nexcept (\n    KeyError,\n    TimeoutError,  # slow\n"
        "    concurrent.futures.TimeoutError,\n):\n    pass\n",
    ),
    "builtins-attribute": (
        "import builtins\n" + SUBMIT + "try:\n    fut.result(timeout=5)\nexcept builtins.TimeoutError:\n    pass\n",
        "import builtins\n" + SUBMIT + "try:\n    fut.result(timeout=5)\nexcept (builtins.TimeoutError, concurrent.futures.TimeoutError):\n    pass\n",
    ),
    "module-alias": (
        "import concurrent.futures as cf\nfut = cf.ThreadPoolExecutor().submit(f)\ntry:\n    fut.result(timeout=5)\nexcept TimeoutError:\n    pass\n",
        "import concurrent.futures as cf\nfut = cf.ThreadPoolExecutor().submit(f)\ntry:\n    fut.result(timeout=5)\n"
        "except (TimeoutError, cf.TimeoutError):\n    pass\n",
    ),
    "from-concurrent-import-futures": (
        "from concurrent import futures\nfut = futures.ThreadPoolExecutor().submit(f)\ntry:\n    fut.result(timeout=5)\n"
        "except TimeoutError:\n    pass\n",
        "from concurrent import futures\nfut = futures.ThreadPoolExecutor().submit(f)\ntry:\n    fut.result(timeout=5)\n"
        "except (TimeoutError, futures.TimeoutError):\n    pass\n",
    ),
    "import-added": (
        "from concurrent.futures import ThreadPoolExecutor\nfut = ThreadPoolExecutor().submit(f)\ntry:\n    fut.result(timeout=5)\n"
        "except TimeoutError:\n    pass\n",
        "import concurrent.futures\nfrom concurrent.futures import ThreadPoolExecutor\nfut = ThreadPoolExecutor().submit(f)\n"
        "try:\n    fut.result(timeout=5)\nexcept (TimeoutError, concurrent.futures.TimeoutError):\n    pass\n",
    ),
    "imported-under-another-name": (
        "from concurrent.futures import ThreadPoolExecutor, TimeoutError as FutureTimeout\nfut = ThreadPoolExecutor().submit(f)\n"
        "try:\n    fut.result(timeout=5)\nexcept TimeoutError:\n    pass\n",
        "from concurrent.futures import ThreadPoolExecutor, TimeoutError as FutureTimeout\nfut = ThreadPoolExecutor().submit(f)\n"
        "try:\n    fut.result(timeout=5)\nexcept (TimeoutError, FutureTimeout):\n    pass\n",
    ),
    "asyncio-alias": (
        "import asyncio as aio\nasync def f(aw):\n    try:\n        await aio.wait_for(aw, timeout=3)\n    except TimeoutError:\n        pass\n",
        "import asyncio as aio\nasync def f(aw):\n    try:\n        await aio.wait_for(aw, timeout=3)\n"
        "    except (TimeoutError, aio.TimeoutError):\n        pass\n",
    ),
    "asyncio-as-completed": (
        "import asyncio\nasync def f(aws):\n    try:\n        for next_one in asyncio.as_completed(aws, timeout=3):\n"
        "            await next_one\n    except TimeoutError:\n        pass\n",
        "import asyncio\nasync def f(aws):\n    try:\n        for next_one in asyncio.as_completed(aws, timeout=3):\n"
        "            await next_one\n    except (TimeoutError, asyncio.TimeoutError):\n        pass\n",
    ),
    "executor-map": (
        "from concurrent.futures import ThreadPoolExecutor\nimport concurrent.futures\ndef f(xs):\n    with ThreadPoolExecutor() as ex:\n"
        "        try:\n            return list(ex.map(g, xs, timeout=9))\n        except TimeoutError:\n            return []\n",
        "from concurrent.futures import ThreadPoolExecutor\nimport concurrent.futures\ndef f(xs):\n    with ThreadPoolExecutor() as ex:\n"
        "        try:\n            return list(ex.map(g, xs, timeout=9))\n"
        "        except (TimeoutError, concurrent.futures.TimeoutError):\n            return []\n",
    ),
    "run-until-complete": (
        "import asyncio\ndef f(loop, aw):\n    try:\n        loop.run_until_complete(asyncio.wait_for(aw, 1))\n"
        "    except TimeoutError:\n        pass\n",
        "import asyncio\ndef f(loop, aw):\n    try:\n        loop.run_until_complete(asyncio.wait_for(aw, 1))\n"
        "    except (TimeoutError, asyncio.TimeoutError):\n        pass\n",
    ),
    "as-completed-in-list-comprehension": (
        "import concurrent.futures as cf\ndef f(fs):\n    try:\n        return [x.result() for x in cf.as_completed(fs, 5)]\n"
        "    except TimeoutError:\n        return []\n",
        "import concurrent.futures as cf\ndef f(fs):\n    try:\n        return [x.result() for x in cf.as_completed(fs, 5)]\n"
        "    except (TimeoutError, cf.TimeoutError):\n        return []\n",
    ),
    "async-timeout-at": (
        "import async_timeout\nasync def f(aw, when):\n    try:\n        async with async_timeout.timeout_at(deadline=when):\n"
        "            await aw\n    except TimeoutError:\n        pass\n",
        "import asyncio\n\nimport async_timeout\nasync def f(aw, when):\n    try:\n        async with async_timeout.timeout_at(deadline=when):\n"
        "            await aw\n    except (TimeoutError, asyncio.TimeoutError):\n        pass\n",
    ),
    "outer-try": (
        SUBMIT + "try:\n    try:\n        fut.result(timeout=5)\n    except KeyError:\n        pass\nexcept TimeoutError:\n    pass\n",
        SUBMIT + "try:\n    try:\n        fut.result(timeout=5)\n    except KeyError:\n        pass\n"
        "except (TimeoutError, concurrent.futures.TimeoutError):\n    pass\n",
    ),
}


@pytest.mark.parametrize(("source", "expected"), list(TL106_FIXES.values()), ids=list(TL106_FIXES))
def test_tl106_fixes(check: Callable[..., Any], source: str, expected: str) -> None:
    found, fixed = check("TL106", source, {"target-version": "py310"})
    assert len(found) == 1
    assert found[0].fix is not None and found[0].fix.applicability.value == "safe"
    assert fixed == expected


def test_tl106_message_names_class_and_call(check: Callable[..., Any]) -> None:
    source = (
        "import asyncio\nimport concurrent.futures\nasync def f(ex: concurrent.futures.ThreadPoolExecutor, aw):\n"
        "    try:\n        await asyncio.wait_for(aw, 3)\n        ex.submit(g).result(timeout=4)\n    except TimeoutError:\n        raise\n"
    )
    found, fixed = check("TL106", source)
    assert [(d.line, d.column) for d in found] == [(7, 12)]
    assert "`concurrent.futures.TimeoutError` raised by `ex.submit(g).result()`" in found[0].message
    assert "`asyncio.TimeoutError` raised by `asyncio.wait_for()`" in found[0].message
    assert "except (TimeoutError, concurrent.futures.TimeoutError, asyncio.TimeoutError):" in fixed


def test_tl106_one_finding_per_handler(check: Callable[..., Any]) -> None:
    source = SUBMIT + "try:\n    fut.result(timeout=5)\n    fut.result(timeout=6)\n    fut.exception(timeout=7)\nexcept TimeoutError:\n    pass\n"
    found, _ = check("TL106", source)
    assert len(found) == 1


# -- TL105 ----------------------------------------------------------------------------------

TL105_NOOP = {
    "cancels": (SUBMIT + "try:\n    fut.result(timeout=5)\nexcept concurrent.futures.TimeoutError:\n    fut.cancel()\n", None),
    "cancels-in-nested-block": (
        SUBMIT + "try:\n    fut.result(timeout=5)\nexcept concurrent.futures.TimeoutError:\n    if not fut.done():\n        fut.cancel()\n",
        None,
    ),
    "reraises": (SUBMIT + "try:\n    fut.result(timeout=5)\nexcept concurrent.futures.TimeoutError:\n    raise\n", None),
    "raises-conditionally": (
        SUBMIT + "try:\n    fut.result(timeout=5)\nexcept concurrent.futures.TimeoutError:\n    if strict:\n        raise\n",
        None,
    ),
    "mentions-future": (
        SUBMIT + "try:\n    fut.result(timeout=5)\nexcept concurrent.futures.TimeoutError:\n    return_later(fut)\n",
        None,
    ),
    "cancelled-after-try": (
        SUBMIT + "try:\n    fut.result(timeout=5)\nexcept concurrent.futures.TimeoutError:\n    pass\nfut.cancel()\n",
        None,
    ),
    "shutdown-cancel-futures": (
        SUBMIT + "try:\n    fut.result(timeout=5)\nexcept concurrent.futures.TimeoutError:\n    pass\nex.shutdown(cancel_futures=True)\n",
        None,
    ),
    "polling-loop": (
        SUBMIT + "while True:\n    try:\n        fut.result(timeout=0.5)\n        break\n    except concurrent.futures.TimeoutError:\n"
        "        heartbeat()\n",
        None,
    ),
    "builtin-on-3.10": (SUBMIT + "try:\n    fut.result(timeout=5)\nexcept TimeoutError:\n    pass\n", {"target-version": "py310"}),
    "oserror-on-3.11": (SUBMIT + "try:\n    fut.result(timeout=5)\nexcept OSError:\n    pass\n", PY311),
    "broad-before-timeout": (
        SUBMIT + "try:\n    fut.result(timeout=5)\nexcept Exception:\n    pass\nexcept concurrent.futures.TimeoutError:\n    pass\n",
        None,
    ),
    "inner-handler-reraises": (
        SUBMIT + "try:\n    try:\n        fut.result(timeout=5)\n    except concurrent.futures.TimeoutError:\n        raise\n"
        "except concurrent.futures.TimeoutError:\n    pass\n",
        None,
    ),
    "timeout-none": (SUBMIT + "try:\n    fut.result(None)\nexcept concurrent.futures.TimeoutError:\n    pass\n", None),
    "star-kwargs": (SUBMIT + "try:\n    fut.result(**options)\nexcept concurrent.futures.TimeoutError:\n    pass\n", None),
    "unknown-future": ("import concurrent.futures\ndef f(fut):\n    try:\n        fut.result(timeout=5)\n"
                       "    except concurrent.futures.TimeoutError:\n        pass\n", None),
    "manual-future": (
        "from concurrent.futures import Future\nfut = Future()\ntry:\n    fut.result(timeout=5)\nexcept TimeoutError:\n    pass\n",
        PY311,
    ),
    "annotated-parameter": (
        "from concurrent.futures import Future, TimeoutError\ndef f(fut: Future) -> None:\n    try:\n        fut.result(timeout=1)\n"
        "    except TimeoutError:\n        pass\n",
        None,
    ),
    "attribute-future": (
        "from concurrent.futures import Future, TimeoutError\nclass C:\n    def __init__(self):\n        self.fut: Future = make()\n"
        "    def wait(self):\n        try:\n            return self.fut.result(timeout=1)\n        except TimeoutError:\n            return None\n",
        None,
    ),
    "rebound-future": (
        SUBMIT + "fut = make()\ntry:\n    fut.result(timeout=5)\nexcept concurrent.futures.TimeoutError:\n    pass\n",
        None,
    ),
}


@pytest.mark.parametrize(("source", "settings"), list(TL105_NOOP.values()), ids=list(TL105_NOOP))
def test_tl105_does_nothing(check: Callable[..., Any], source: str, settings: Optional[Dict[str, Any]]) -> None:
    found, fixed = check("TL105", source, settings)
    assert found == []
    assert fixed == source


TL105_FIXES = {
    "pass-replaced-comment-kept": (
        SUBMIT + "try:\n    fut.result(timeout=5)\nexcept concurrent.futures.TimeoutError:\n    pass  # ignore\n",
        SUBMIT + "try:\n    fut.result(timeout=5)\nexcept concurrent.futures.TimeoutError:\n    fut.cancel()  # ignore\n",
    ),
    "first-statement": (
        SUBMIT + "try:\n    fut.result(timeout=5)\nexcept concurrent.futures.TimeoutError:\n    log()\n    return_default()\n",
        SUBMIT + "try:\n    fut.result(timeout=5)\nexcept concurrent.futures.TimeoutError:\n    fut.cancel()\n    log()\n    return_default()\n",
    ),
    "comment-lines-stay-with-their-statement": (
        SUBMIT + "try:\n    fut.result(timeout=5)\nexcept concurrent.futures.TimeoutError:  # slow\n\n    # fall back\n    x = 1\n",
        SUBMIT + "try:\n    fut.result(timeout=5)\nexcept concurrent.futures.TimeoutError:  # slow\n    fut.cancel()\n\n    # fall back\n    x = 1\n",
    ),
    "one-line-pass": (
        SUBMIT + "try:\n    fut.result(timeout=5)\nexcept concurrent.futures.TimeoutError: pass\n",
        SUBMIT + "try:\n    fut.result(timeout=5)\nexcept concurrent.futures.TimeoutError: fut.cancel()\n",
    ),
    "one-line-statements": (
        SUBMIT + "try:\n    fut.result(timeout=5)\nexcept concurrent.futures.TimeoutError: a() ;  b()\n",
        SUBMIT + "try:\n    fut.result(timeout=5)\nexcept concurrent.futures.TimeoutError: fut.cancel(); a() ;  b()\n",
    ),
    "bound-by-first-statement": (
        "import concurrent.futures\nex = concurrent.futures.ThreadPoolExecutor()\ntry:\n    fut = ex.submit(f)\n    fut.result(timeout=5)\n"
        "except concurrent.futures.TimeoutError:\n    pass\n",
        "import concurrent.futures\nex = concurrent.futures.ThreadPoolExecutor()\ntry:\n    fut = ex.submit(f)\n    fut.result(timeout=5)\n"
        "except concurrent.futures.TimeoutError:\n    fut.cancel()\n",
    ),
}


@pytest.mark.parametrize(("source", "expected"), list(TL105_FIXES.values()), ids=list(TL105_FIXES))
def test_tl105_fixes(check: Callable[..., Any], source: str, expected: str) -> None:
    found, fixed = check("TL105", source)
    assert len(found) == 1
    assert found[0].fix is not None and found[0].fix.applicability.value == "unsafe"
    assert fixed == expected


def test_tl105_no_fix_without_a_name_or_when_bound_late(check: Callable[..., Any]) -> None:
    unnamed = "import concurrent.futures\nex = concurrent.futures.ThreadPoolExecutor()\ntry:\n    ex.submit(f).result(timeout=5)\n" \
        "except concurrent.futures.TimeoutError:\n    pass\n"
    late = "import concurrent.futures\nex = concurrent.futures.ThreadPoolExecutor()\ntry:\n    prepare()\n    fut = ex.submit(f)\n" \
        "    fut.result(timeout=5)\nexcept concurrent.futures.TimeoutError:\n    pass\n"
    for source in (unnamed, late):
        found, fixed = check("TL105", source)
        assert len(found) == 1 and found[0].fix is None
        assert fixed == source
    found, _ = check("TL105", unnamed)
    assert "the future of `ex.submit(f)`" in found[0].message


def test_tl105_reported_on_the_handler_class(check: Callable[..., Any]) -> None:
    found, _ = check("TL105", SUBMIT + "try:\n    fut.result(timeout=5)\nexcept concurrent.futures.TimeoutError:\n    pass\n")
    assert [(d.line, d.column, d.end_line) for d in found] == [(6, 8, 6)]


def test_tl106_then_tl105_on_python_3_9(make_settings: Callable[..., Settings]) -> None:
    """TL106 makes the handler catch the timeout; then TL105 cancels the future in it."""
    source = SUBMIT + "try:\n    fut.result(timeout=5)\nexcept TimeoutError:\n    pass\n"
    settings = make_settings({"select": ["TL105", "TL106"]}, unsafe_fixes=True)
    assert [d.code for d in lint_source(source, "example.py", settings).diagnostics] == ["TL106"]
    fixed = fix_text(source, "example.py", settings)
    assert fixed.source == SUBMIT + "try:\n    fut.result(timeout=5)\nexcept (TimeoutError, concurrent.futures.TimeoutError):\n    fut.cancel()\n"
    assert lint_source(fixed.source, "example.py", settings).diagnostics == []
