"""The worker processes of a run, and how a run stops when the user presses Ctrl-C.

A terminal sends SIGINT to every process of the foreground group: the workers ignore it
(no traceback per worker), the main process gets ``KeyboardInterrupt`` and terminates them
at once (``multiprocessing.Pool.terminate``), instead of waiting for the work queued.
A worker writing a fixed file holds SIGTERM back until the file is replaced whole
(``sourcefile.write_atomically`` blocks it), so an interrupted ``--fix`` leaves every file
either as it was or fully fixed, and no temporary file behind."""

from __future__ import annotations

import multiprocessing
import signal
from typing import Callable, List, Optional, Sequence, TypeVar

T = TypeVar("T")
R = TypeVar("R")


def _ignore_interrupts() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def pool_map(
    function: Callable[[T], R],
    work: Sequence[T],
    jobs: int,
    chunksize: int,
    progress: Optional[Callable[[int, int], None]] = None,
) -> List[R]:
    """``[function(item) for item in work]`` in ``jobs`` worker processes, in order."""
    results: List[R] = []
    pool = multiprocessing.Pool(processes=jobs, initializer=_ignore_interrupts)  # noqa: TL102 (one pool per run, sized by --jobs)
    try:
        for result in pool.imap(function, work, chunksize=chunksize):
            results.append(result)
            if progress:
                progress(len(results), len(work))
    except BaseException:
        pool.terminate()
        pool.join()
        raise
    pool.close()
    pool.join()
    return results


def chunk_size(items: int, jobs: int) -> int:
    """Small enough that both workers stay busy to the end, large enough that sending work
    costs little."""
    return max(1, min(64, items // (jobs * 8)))
