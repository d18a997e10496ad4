"""TL302: waiting on a thread, a process or a synchronisation primitive with no timeout."""

from __future__ import annotations

import libcst as cst

from timeoutlint.analysis.waits import Wait, critical_section
from timeoutlint.ftypes import Applicability
from timeoutlint.rule import Attr, FixAvailability, Invalid, Valid
from timeoutlint.rules.waits._omitted import OmittedTimeout

_DEFAULT = {"default-timeout": 30}
_QUEUE_GETS = frozenset({"Queue.get()", "SimpleQueue.get()", "multiprocessing.Queue.get()"})
_SCOPES = (cst.FunctionDef, cst.Lambda, cst.ClassDef)
# Locks nobody else holds when just made (a ``Semaphore(0)`` would block).
_LOCKS = frozenset({"threading.Lock", "threading.RLock", "multiprocessing.Lock", "multiprocessing.RLock"})


class ThreadWaitWithoutTimeout(OmittedTimeout):
    """
    ## What it does
    Checks for waits on threads, processes and the `threading`, `queue` and
    `multiprocessing` primitives called without a timeout, on objects known to be of those
    types: `Thread.join()`, `Process.join()`, `Event.wait()`, `Condition.wait()` and
    `wait_for()`, `Barrier.wait()` (of a `Barrier` created without a `timeout`), blocking
    `Lock`/`RLock`/`Semaphore`/`Condition.acquire()`, blocking `queue.Queue.get()`,
    `SimpleQueue.get()` and `multiprocessing.Queue.get()`, and `put()` on a queue created
    with a literal `maxsize` (only a full queue makes `put()` wait). A class of the file
    deriving from one of these types (`class Worker(threading.Thread)`) counts, unless it
    overrides the method.

    ## Why is this bad?
    The caller waits until another thread or process acts: a thread that died with an
    exception never sets the event, never puts the item, never releases the lock. The
    waiting thread then hangs forever, and a hang in a worker or a shutdown path shows no
    error to tell why.

    ## Example
    ```python
    import queue
    import threading

    results = queue.Queue()
    worker = threading.Thread(target=compute, args=(results,))
    worker.start()
    answer = results.get()
    worker.join()
    ```

    ## Use instead
    ```python
    import queue
    import threading

    results = queue.Queue()
    worker = threading.Thread(target=compute, args=(results,))
    worker.start()
    answer = results.get(timeout=30)  # raises queue.Empty
    worker.join(timeout=30)
    if worker.is_alive():
        raise TimeoutError("compute() did not finish")
    ```

    ## Fix safety
    The fix inserts `timeout=<default-timeout>` where the call raises when the time is up
    (`Queue.get()`/`put()` raise `queue.Empty`/`queue.Full`, `Barrier.wait()` raises
    `BrokenBarrierError`); it is offered only when `default-timeout` is set and is unsafe,
    since the call now raises where it used to wait. `Thread.join()`, `Process.join()`,
    `Event.wait()`, `Condition.wait()`, `wait_for()` and `acquire()` get no fix: when their
    timeout expires they return (`None` or `False`) as if the wait had succeeded, so the
    code must check `is_alive()` or the returned flag, which a fix cannot write for you.

    Not reported:
    - `block=False`/`blocking=False` (keyword or positional), and a call with `**kwargs`.
    - `acquire()` where the same function also calls `release()` on the same lock or
      semaphore: a critical section, what `with lock:` writes, which waits for another
      critical section to end rather than for another thread to act; likewise `acquire()`
      in `__enter__` with the `release()` in the same class's `__exit__`. A lock acquired
      here and released elsewhere is a signal between threads, and is reported.
    - `acquire()` of a `Lock`/`RLock` made by the statement just before it: nobody else
      can hold it yet.
    - `get()` in a `while` loop of the same function: a worker loop waiting for its next
      job, by design for as long as it takes (a sentinel or `None` stops it). A `get()`
      that collects a known number of results (`[q.get() for _ in range(n)]`) is reported:
      one dead worker hangs the caller.
    - A wait in the branch taken when the function's own timeout parameter says forever
      (`if timeout is None: t.join()`, `lock.acquire() if timeout == -1 else ...`): the
      caller asked for it.
    - `multiprocessing.pool.Pool.join()` and `queue.Queue.join()`, which take no timeout
      at all: bound them from outside (wait on the `AsyncResult`s with a timeout, then
      `terminate()`).
    - `asyncio.Queue().get()`: awaited, not blocking, the async rules' concern.
    - An explicit `timeout=None` (or `-1` for `Lock.acquire()`): TL305's.

    ## Options
    - `default-timeout` (top-level setting): the number of seconds the fix inserts.
    - `blocking-calls` (in `[tool.timeoutlint.rules.TL302]`): more callables that wait, as
      `[{name = "mypkg.sync.Latch.wait", timeout = "timeout", position = 0}]` (`name` is a
      qualified function name or `module.Class.method`; `position` is optional).

    ## References
    - [threading — Thread-based parallelism](https://docs.python.org/3/library/threading.html)
    - [queue.Queue.get](https://docs.python.org/3/library/queue.html#queue.Queue.get)
    - [multiprocessing.Process.join](https://docs.python.org/3/library/multiprocessing.html#multiprocessing.Process.join)
    """

    code = "TL302"
    name = "thread-wait-without-timeout"
    message = "{callee} waits for another thread or process with no timeout: if it never comes, this blocks forever"
    fix_title = "Pass `timeout=<default-timeout>`"
    fix_availability = FixAvailability.SOMETIMES
    applicability = Applicability.UNSAFE
    triggers = (Attr("join"), Attr("wait"), Attr("wait_for"), Attr("acquire"), Attr("get"), Attr("put"))

    VALID = [
        Valid(
            "import threading\nLOCK = threading.Lock()\ndef take(timeout=-1):\n"
            "    return LOCK.acquire() if timeout == -1 else LOCK.acquire(timeout=timeout)\n",
            why="the caller's timeout said forever",
        ),
        Valid(
            "import threading\ndef stop(t: threading.Thread, timeout=None):\n    if timeout is None:\n        t.join()\n"
            "    else:\n        t.join(timeout)\n",
            why="the caller's timeout said forever",
        ),
        Valid(
            "import threading\nlock = threading.Lock()\ndef f():\n    lock.acquire()\n    try:\n        pass\n"
            "    finally:\n        lock.release()\n",
            why="a critical section: acquire and release in one function",
        ),
        Valid(
            "import threading\nclass Guard:\n    def __init__(self):\n        self.lock = threading.RLock()\n"
            "    def __enter__(self):\n        self.lock.acquire()\n        return self\n"
            "    def __exit__(self, *exc):\n        self.lock.release()\n",
            why="__enter__ acquires, __exit__ releases",
        ),
        Valid(
            "import threading\nclass Worker:\n    def __init__(self):\n        self.job = threading.Lock()\n"
            "        self.job.acquire()\n",
            why="a lock made a moment ago cannot be held by anyone",
        ),
        Valid(
            "import queue\ndef worker(q: queue.Queue):\n    while True:\n        job = q.get()\n        if job is None:\n"
            "            break\n",
            why="a worker loop waiting for its next job",
        ),
        Valid("import threading\nt = threading.Thread(target=print)\nt.join(5)\n", why="positional timeout"),
        Valid("import threading\nev = threading.Event()\nev.wait(timeout=1)\n", why="timeout given"),
        Valid("import queue\nq = queue.Queue()\nq.get(True, 5)\n", why="positional timeout after block"),
        Valid("import queue\nq = queue.Queue()\nq.get(block=False)\n", why="does not block"),
        Valid("import queue\nq = queue.Queue()\nq.get_nowait()\n", why="does not block"),
        Valid("import queue\nq = queue.Queue()\nq.put(1)\n", why="an unbounded queue never makes put() wait"),
        Valid("import threading\nlock = threading.Lock()\nlock.acquire(False)\n", why="non-blocking"),
        Valid("import threading\nlock = threading.Lock()\nlock.acquire(True, 2)\n", why="positional timeout"),
        Valid("import threading\nb = threading.Barrier(2, timeout=5)\nb.wait()\n", why="the barrier's own timeout"),
        Valid("from multiprocessing import Pool\np = Pool()\np.close()\np.join()\n", why="Pool.join() takes no timeout"),
        Valid("import os\ndef f(parts, d, k):\n    return ','.join(parts), d.get(k), os.environ.get(k)\n", why="not waits"),
        Valid("import asyncio\nasync def f():\n    q = asyncio.Queue()\n    return await q.get()\n", why="awaited: asyncio's"),
        Valid("import threading\nt = threading.Thread(target=print)\nt.join(**opts)\n", why="**kwargs may carry one"),
        Valid(
            "import threading\nclass W(threading.Thread):\n    def join(self, timeout=5):\n        super().join(timeout)\n"
            "W().join()\n",
            why="the subclass overrides join()",
        ),
    ]
    INVALID = [
        Invalid("import threading\nt = threading.Thread(target=print)\nt.start()\nt.join()\n", why="status wait: no fix"),
        Invalid(
            "import queue\nq = queue.Queue()\nitem = q.get()\n",
            fixed="import queue\nq = queue.Queue()\nitem = q.get(timeout=30)\n",
            settings=_DEFAULT,
        ),
        Invalid(
            "import queue\nq = queue.Queue(maxsize=10)\nq.put(1)\n",
            fixed="import queue\nq = queue.Queue(maxsize=10)\nq.put(1, timeout=30)\n",
            settings=_DEFAULT,
        ),
        Invalid(
            "import queue\nq = queue.Queue()\nq.get(True)\n",
            fixed="import queue\nq = queue.Queue()\nq.get(True, timeout=30)\n",
            settings=_DEFAULT,
        ),
        Invalid("import threading\nev = threading.Event()\nev.wait()\n"),
        Invalid(
            "import threading\nlock = threading.RLock()\ndef take():\n    lock.acquire(blocking=True)\n",
            why="no release here: a signal",
        ),
        Invalid(
            "import queue\ndef collect(results: queue.Queue, n):\n    return [results.get() for _ in range(n)]\n",
            why="a fixed number of results: one dead worker hangs the caller",
        ),
        Invalid("from threading import Condition\nc = Condition()\nwith c:\n    c.wait_for(lambda: True)\n"),
        Invalid("import multiprocessing\np = multiprocessing.Process(target=print)\np.start()\np.join()\n"),
        Invalid(
            "import threading\nb = threading.Barrier(3)\nb.wait()\n",
            fixed="import threading\nb = threading.Barrier(3)\nb.wait(timeout=30)\n",
            settings=_DEFAULT,
        ),
        Invalid(
            "import threading\nclass Worker(threading.Thread):\n    def run(self):\n        pass\n"
            "def main():\n    w = Worker()\n    w.start()\n    w.join()\n",
            why="a subclass that keeps Thread.join()",
        ),
        Invalid(
            "import threading\n\nclass Service:\n    def __init__(self):\n        self.ready = threading.Event()\n\n"
            "    def wait_ready(self):\n        self.ready.wait()\n",
            why="an attribute set in __init__",
        ),
    ]

    def exempt(self, call: cst.Call, wait: Wait) -> bool:
        if wait.label.endswith(".acquire()") and (critical_section(self.ctx, call) or self._fresh(call)):
            return True
        if wait.label in _QUEUE_GETS and self._in_while_loop():
            return True
        return False

    def _fresh(self, call: cst.Call) -> bool:
        """``lock = Lock()`` as the statement just before ``lock.acquire()``: nobody else
        can hold a lock made a moment ago, so the acquire cannot wait."""
        receiver = call.func.value if isinstance(call.func, cst.Attribute) else None
        stack = self.ctx.stack
        line = next((n for n in reversed(stack) if isinstance(n, cst.SimpleStatementLine)), None)
        if receiver is None or line is None or len(line.body) != 1 or not isinstance(line.body[0], cst.Expr):
            return False
        block = stack[stack.index(line) - 1]
        if not isinstance(block, (cst.IndentedBlock, cst.Module)):
            return False
        index = list(block.body).index(line)
        previous = block.body[index - 1] if index > 0 else None
        if not (isinstance(previous, cst.SimpleStatementLine) and len(previous.body) == 1):
            return False
        assign = previous.body[0]
        if not (isinstance(assign, cst.Assign) and len(assign.targets) == 1 and isinstance(assign.value, cst.Call)):
            return False
        code = self.ctx.module.code_for_node
        return code(assign.targets[0].target) == code(receiver) and self.ctx.type_of(assign.value) in _LOCKS

    def _in_while_loop(self) -> bool:
        """``while ...: item = q.get()`` in the same function: a worker loop that waits for
        the next piece of work, which by design may take forever."""
        for node in reversed(self.ctx.stack[:-1]):
            if isinstance(node, _SCOPES):
                return False
            if isinstance(node, cst.While):
                return True
        return False
