"""Fixtures for the runtime idiom tests. Stdlib and pytest only: no libcst here."""

from __future__ import annotations

from typing import Callable, Iterator

import pytest

from timeoutlint.runtime import shutdown_shared_executors


class FakeClock:
    """A monotonic clock the test moves by hand, so Budget tests never sleep."""

    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        assert seconds >= 0, "a monotonic clock never goes back"
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def make_clock() -> Callable[[], FakeClock]:
    return FakeClock


@pytest.fixture(autouse=True)
def fresh_shared_executors() -> Iterator[None]:
    """Every test starts with no shared pools and leaves none behind.

    Tests release whatever their tasks block on, so waiting for the workers here cannot hang;
    it keeps one test's threads from showing up in the next (the fork test relies on it).
    """
    shutdown_shared_executors(wait=True, cancel_futures=True)
    yield
    shutdown_shared_executors(wait=True, cancel_futures=True)
