"""The process pool behind ``shared_executor(kind="process")``.

A module of its own so that ``multiprocessing`` is imported only when a process pool is asked for.
"""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor

from timeoutlint.runtime.executor import SharedPool


class SharedProcessPoolExecutor(SharedPool, ProcessPoolExecutor):
    """A ``ProcessPoolExecutor`` owned by the ``shared_executor`` registry.

    It uses the default ``multiprocessing`` start method, as ``ProcessPoolExecutor()`` does.
    Tasks and results must be picklable; contextvars are not carried into worker processes.
    """

    def __init__(self, name: str, max_workers: int) -> None:
        self.shared_name = name
        self.kind = "process"
        self.max_workers = max_workers
        super().__init__(max_workers=max_workers)
