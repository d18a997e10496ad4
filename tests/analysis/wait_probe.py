"""Run by ``test_wait_semantics.py`` in a child process: call each blocking API with each
kind of timeout value, in a real thread, and print what happened as JSON: ``forever`` (still
waiting after a while; the test then unblocks it), ``returned`` or ``raised:<Exception>``."""

from __future__ import annotations

import asyncio
import concurrent.futures as cf
import json
import math
import queue
import socket
import subprocess
import sys
import threading
from typing import Any, Callable, Tuple

VALUES = {"None": None, "-1": -1, "negative": -5, "0": 0, "inf": math.inf}
PATIENCE = 1.0  # seconds a wait may take to return before it counts as "forever"

# Each probe returns (call, unblock): ``call(value)`` waits, ``unblock()`` ends the wait.
Probe = Callable[[], Tuple[Callable[[Any], Any], Callable[[], None]]]


def lock() -> Any:
    held = threading.Lock()
    held.acquire()  # noqa: TL302 - a new lock: returns at once
    return (lambda v: held.acquire(timeout=v)), held.release


def rlock() -> Any:
    held = threading.RLock()
    held.acquire()  # noqa: TL302 - a new lock, owned by the main thread from here
    return (lambda v: held.acquire(timeout=v)), held.release


def semaphore() -> Any:
    sem = threading.Semaphore(0)
    return (lambda v: sem.acquire(timeout=v)), sem.release


def event() -> Any:
    ev = threading.Event()
    return (lambda v: ev.wait(v)), ev.set


def condition() -> Any:
    cond = threading.Condition()
    done = []

    def call(v: Any) -> Any:
        with cond:
            return cond.wait(v)

    def unblock() -> None:
        with cond:
            done.append(1)
            cond.notify_all()

    return call, unblock


def thread_join() -> Any:
    gate = threading.Event()
    worker = threading.Thread(target=gate.wait, daemon=True)
    worker.start()
    return (lambda v: worker.join(v)), gate.set


def queue_get() -> Any:
    q: queue.Queue[int] = queue.Queue()
    return (lambda v: q.get(timeout=v)), lambda: q.put(1)


def queue_put() -> Any:
    q: queue.Queue[int] = queue.Queue(maxsize=1)
    q.put(0)
    return (lambda v: q.put(1, timeout=v)), q.get


def simple_queue_get() -> Any:
    q: queue.SimpleQueue[int] = queue.SimpleQueue()
    return (lambda v: q.get(timeout=v)), lambda: q.put(1)


def future_result() -> Any:
    fut: cf.Future[int] = cf.Future()
    return (lambda v: fut.result(v)), lambda: fut.set_result(1)


def futures_wait() -> Any:
    fut: cf.Future[int] = cf.Future()
    return (lambda v: cf.wait([fut], v)), lambda: fut.set_result(1)


def barrier() -> Any:
    b = threading.Barrier(2)
    return (lambda v: b.wait(v)), b.abort


def popen_wait() -> Any:
    child = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()"], stdin=subprocess.PIPE)
    return (lambda v: child.wait(v)), lambda: (child.kill(), child.wait())  # noqa: TL303 - reaps the killed child


def asyncio_wait_for() -> Any:
    loop = asyncio.new_event_loop()
    box: dict = {}

    def call(v: Any) -> Any:
        async def main() -> Any:
            box["fut"] = loop.create_future()
            return await asyncio.wait_for(box["fut"], v)

        try:
            return loop.run_until_complete(main())
        finally:
            loop.close()

    def unblock() -> None:
        loop.call_soon_threadsafe(lambda: box["fut"].done() or box["fut"].set_result(1))

    return call, unblock


PROBES = {
    "Lock.acquire": lock,
    "RLock.acquire": rlock,
    "Semaphore.acquire": semaphore,
    "Event.wait": event,
    "Condition.wait": condition,
    "Thread.join": thread_join,
    "Queue.get": queue_get,
    "Queue.put": queue_put,
    "SimpleQueue.get": simple_queue_get,
    "Future.result": future_result,
    "concurrent.futures.wait": futures_wait,
    "Barrier.wait": barrier,
    "Popen.wait": popen_wait,
    "asyncio.wait_for": asyncio_wait_for,
}


def outcome(probe: Probe, value: Any) -> str:
    call, unblock = probe()
    box: dict = {}

    def run() -> None:
        try:
            call(value)
            box["result"] = "returned"
        except BaseException as exc:  # noqa: BLE001 - the exception is the answer
            box["result"] = f"raised:{type(exc).__name__}"

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(PATIENCE)
    waiting = worker.is_alive()
    try:
        unblock()  # also cleans up after a call that returned (the child process)
    except RuntimeError:
        pass  # the event loop of a finished asyncio probe is closed
    worker.join(PATIENCE * 5)
    return "forever" if waiting else box["result"]


def settimeout(value: Any) -> str:
    sock = socket.socket()
    try:
        sock.settimeout(value)
        return "forever" if sock.gettimeout() is None else f"set:{sock.gettimeout()}"
    except BaseException as exc:  # noqa: BLE001
        return f"raised:{type(exc).__name__}"
    finally:
        sock.close()


def main() -> None:
    table = {name: {kind: outcome(probe, value) for kind, value in VALUES.items()} for name, probe in PROBES.items()}
    table["socket.settimeout"] = {kind: settimeout(value) for kind, value in VALUES.items()}
    print(json.dumps(table))


if __name__ == "__main__":
    main()
