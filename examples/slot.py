"""A message slot that puts a timeout on its handler the way many codebases do: with a
thread pool created on every call. timeoutlint reports the pool (TL102) and the timeout
that the pool's `with` exit defeats (TL103), and rewrites both to `run_with_timeout`."""

from concurrent.futures import ThreadPoolExecutor
from typing import Callable


class Slot:
    def __init__(self, handler: Callable[[str], str], timeout: float) -> None:
        self.handler = handler
        self.timeout = timeout

    def receive(self, message: str) -> str:
        with ThreadPoolExecutor(max_workers=1) as ex:
            return ex.submit(self.handler, message).result(timeout=self.timeout)
