"""The table of blocking APIs (``timeoutlint.analysis.waits``) against the running Python:
each API is called with ``None``, ``-1``, another negative number, ``0`` and infinity in a
real thread (``wait_probe.py``, in a child process so that nothing can hang the tests), and
the values the table says the API reads as "forever" must be exactly those that kept it
waiting. TL305 reports those values and no others, so a wrong entry is a false positive or a
missed finding."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from timeoutlint.analysis.waits import FUNCTIONS, METHODS, Wait

PROBE = Path(__file__).with_name("wait_probe.py")

ENTRIES: dict[str, Wait] = {
    "Lock.acquire": METHODS[("threading.Lock", "acquire")],
    "RLock.acquire": METHODS[("threading.RLock", "acquire")],
    "Semaphore.acquire": METHODS[("threading.Semaphore", "acquire")],
    "Event.wait": METHODS[("threading.Event", "wait")],
    "Condition.wait": METHODS[("threading.Condition", "wait")],
    "Thread.join": METHODS[("threading.Thread", "join")],
    "Queue.get": METHODS[("queue.Queue", "get")],
    "Queue.put": METHODS[("queue.Queue[bounded]", "put")],
    "SimpleQueue.get": METHODS[("queue.SimpleQueue", "get")],
    "Future.result": METHODS[("concurrent.futures.Future", "result")],
    "concurrent.futures.wait": FUNCTIONS["concurrent.futures.wait"],
    "Barrier.wait": METHODS[("threading.Barrier", "wait")],
    "Popen.wait": METHODS[("subprocess.Popen", "wait")],
    "asyncio.wait_for": FUNCTIONS["asyncio.wait_for"],
    "socket.settimeout": METHODS[("socket.socket", "settimeout")],
}


@pytest.fixture(scope="module")
def observed() -> dict[str, dict[str, str]]:
    process = subprocess.run([sys.executable, str(PROBE)], capture_output=True, text=True, timeout=300)
    assert process.returncode == 0, process.stderr
    table: dict[str, dict[str, str]] = json.loads(process.stdout)
    return table


@pytest.mark.parametrize("api", sorted(ENTRIES))
def test_the_table_says_forever_exactly_where_the_api_waits_forever(api: str, observed: Any) -> None:
    waited = {kind for kind, outcome in observed[api].items() if outcome == "forever"}
    assert waited == set(ENTRIES[api].forever), f"{api}: {observed[api]}"


def test_the_values_that_are_errors_not_forevers(observed: Any) -> None:
    """What the docs promise users about the values TL305 leaves alone."""
    assert observed["Lock.acquire"]["None"] == "raised:TypeError"
    assert observed["Queue.get"]["-1"] == "raised:ValueError"
    assert observed["Queue.get"]["0"] == "raised:Empty"
    assert observed["Thread.join"]["-1"] == "returned"
    assert observed["Future.result"]["inf"] == "raised:OverflowError"
    assert observed["socket.settimeout"]["-1"] == "raised:ValueError"
