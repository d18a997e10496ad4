"""Budget: remaining-time bookkeeping on an injected clock (no sleeping)."""

from __future__ import annotations

import math
import pickle
import threading
import time
from typing import TYPE_CHECKING, Callable, List, Optional, Tuple

import pytest

from timeoutlint.runtime import Budget, BudgetExceeded

if TYPE_CHECKING:
    from conftest import FakeClock


# -- reading a budget ------------------------------------------------------------------------------


def test_fresh_budget(clock: FakeClock) -> None:
    budget = Budget(5, clock=clock)
    assert budget.total == 5.0
    assert budget.deadline == clock.now + 5
    assert budget.elapsed == 0.0
    assert budget.remaining == 5.0
    assert budget.expired is False
    assert budget.timeout() == 5.0


def test_budget_follows_the_clock(clock: FakeClock) -> None:
    budget = Budget(5, clock=clock)
    clock.advance(2)
    assert budget.elapsed == 2.0
    assert budget.remaining == 3.0
    assert not budget.expired


@pytest.mark.parametrize("spent", [5, 5.5, 6, 1e6], ids=["exactly", "just-over", "over", "far"])
def test_remaining_is_never_negative(clock: FakeClock, spent: float) -> None:
    budget = Budget(5, clock=clock)
    clock.advance(spent)
    assert budget.remaining == 0.0
    assert budget.expired is True
    assert budget.timeout() == 0.0
    assert budget.timeout(cap=1) == 0.0


@pytest.mark.parametrize("total", [None, math.inf], ids=["None", "inf"])
def test_unlimited_budget_never_runs_out(clock: FakeClock, total: Optional[float]) -> None:
    budget = Budget(total, clock=clock)
    clock.advance(1e9)
    assert budget.total is None
    assert budget.deadline is None
    assert budget.remaining is None
    assert budget.expired is False
    assert budget.elapsed == 1e9
    assert budget.timeout() is None
    assert budget.timeout(cap=3) == 3.0
    budget.check("anything")
    with budget.phase("anything"):
        clock.advance(1e9)


@pytest.mark.parametrize("total", [0, -1, -0.5])
def test_zero_or_negative_budget_is_already_spent(clock: FakeClock, total: float) -> None:
    # As for Future.result(timeout=-1): a negative time limit has already passed.
    budget = Budget(total, clock=clock)
    assert budget.total == 0.0
    assert budget.remaining == 0.0
    assert budget.expired is True
    with pytest.raises(BudgetExceeded):
        budget.check()


@pytest.mark.parametrize(
    ("total", "error"),
    [(math.nan, ValueError), ("5", TypeError), (True, TypeError), ([5], TypeError)],
    ids=["nan", "str", "bool", "list"],
)
def test_invalid_total_is_rejected(total: object, error: type) -> None:
    with pytest.raises(error, match="Budget total"):
        Budget(total)  # type: ignore[arg-type]


def test_default_clock_is_monotonic() -> None:
    before = time.monotonic()
    budget = Budget(10)
    after = time.monotonic()
    assert budget.deadline is not None
    assert before + 10 <= budget.deadline <= after + 10


@pytest.mark.parametrize(
    ("spent", "cap", "expected"),
    [
        (0, None, 5.0),
        (0, 2, 2.0),
        (0, 7, 5.0),
        (4, 2, 1.0),
        (0, 0, 0.0),
        (0, -3, 0.0),
        (0, math.inf, 5.0),
    ],
)
def test_timeout_is_remaining_time_capped(
    clock: FakeClock, spent: float, cap: Optional[float], expected: float
) -> None:
    budget = Budget(5, clock=clock)
    clock.advance(spent)
    assert budget.timeout(cap) == expected


def test_timeout_rejects_nan_cap() -> None:
    with pytest.raises(ValueError, match="cap"):
        Budget(5).timeout(math.nan)


# -- phases and checks -----------------------------------------------------------------------------


def test_phase_within_budget_does_not_raise(clock: FakeClock) -> None:
    budget = Budget(5, clock=clock)
    with budget.phase("convert") as entered:
        clock.advance(4.9)
    assert entered is budget


def test_phase_that_spends_the_budget_raises_naming_the_phase(clock: FakeClock) -> None:
    budget = Budget(5, clock=clock)
    with budget.phase("convert"):
        clock.advance(2)
    with pytest.raises(BudgetExceeded) as caught:
        with budget.phase("build"):
            clock.advance(3)
    exc = caught.value
    assert exc.phase == "build"
    assert exc.total == 5.0
    assert exc.elapsed == 5.0
    assert str(exc) == "timeout budget of 5s exceeded in phase 'build' (5.000s elapsed)"
    assert isinstance(exc, TimeoutError)


def test_phase_keeps_a_custom_message(clock: FakeClock) -> None:
    budget = Budget(1, clock=clock)
    with pytest.raises(BudgetExceeded) as caught:
        with budget.phase("convert", message="Timeout exceeded after convert phase!"):
            clock.advance(1)
    assert str(caught.value) == "Timeout exceeded after convert phase!"
    assert caught.value.phase == "convert"


def test_phase_lets_the_blocks_own_exception_through(clock: FakeClock) -> None:
    budget = Budget(1, clock=clock)
    failure = ValueError("from the block")
    with pytest.raises(ValueError) as caught:
        with budget.phase("convert"):
            clock.advance(10)  # spent, but the block's error is the one to report
            raise failure
    assert caught.value is failure


def test_check(clock: FakeClock) -> None:
    budget = Budget(2, clock=clock)
    budget.check()
    budget.check("early")
    clock.advance(2)
    with pytest.raises(BudgetExceeded, match=r"^timeout budget of 2s exceeded \(2.000s"):
        budget.check()
    with pytest.raises(BudgetExceeded, match="in phase 'late'") as caught:
        budget.check("late")
    assert caught.value.phase == "late"
    with pytest.raises(BudgetExceeded, match="^custom$"):
        budget.check("late", message="custom")


def test_rewrite_of_manual_bookkeeping_behaves_like_the_original(
    make_clock: Callable[[], FakeClock],
) -> None:
    """SPEC §2 TL401: the hand-written version and the Budget version agree step by step."""
    Steps = List[Tuple[str, float]]

    def original(timeout: float, now: FakeClock, takes: Tuple[float, float], seen: Steps) -> None:
        remaining = timeout
        start = now()
        seen.append(("convert", remaining))  # convert(timeout=remaining)
        now.advance(takes[0])
        remaining -= now() - start
        if remaining <= 0:
            raise TimeoutError("Timeout exceeded after convert phase!")
        start = now()
        seen.append(("build", remaining))  # build(timeout=remaining)
        now.advance(takes[1])
        remaining -= now() - start
        if remaining <= 0:
            raise TimeoutError("Timeout exceeded after build phase!")

    def rewritten(timeout: float, now: FakeClock, takes: Tuple[float, float], seen: Steps) -> None:
        budget = Budget(timeout, clock=now)
        with budget.phase("convert", message="Timeout exceeded after convert phase!"):
            seen.append(("convert", budget.remaining or 0.0))
            now.advance(takes[0])
        with budget.phase("build", message="Timeout exceeded after build phase!"):
            seen.append(("build", budget.remaining or 0.0))
            now.advance(takes[1])

    for takes in [(1, 2), (2, 3), (5, 1), (6, 0), (0, 0), (4.5, 0.25), (0.5, 4.5)]:
        outcomes = []
        for version in (original, rewritten):
            seen: Steps = []
            error = None
            try:
                version(5, make_clock(), takes, seen)
            except TimeoutError as exc:
                error = str(exc)  # both raise a TimeoutError (BudgetExceeded is one)
            outcomes.append((seen, error))
        assert outcomes[0] == outcomes[1], takes


# -- children --------------------------------------------------------------------------------------


@pytest.mark.parametrize("seconds", [0, 1, 2.5, 3, 4, 100, None])
@pytest.mark.parametrize("parent_spent", [0, 2, 5, 7])
def test_child_never_outlives_its_parent(
    clock: FakeClock, seconds: Optional[float], parent_spent: float
) -> None:
    parent = Budget(5, clock=clock)
    clock.advance(parent_spent)
    child = parent.child(seconds)
    assert child.deadline is not None and parent.deadline is not None
    assert child.deadline <= parent.deadline
    assert child.remaining is not None and parent.remaining is not None
    assert child.remaining <= parent.remaining
    if seconds is not None:
        assert child.remaining <= seconds
    # At every later moment the child is spent no later than the parent.
    for step in (0.5, 1, 1, 2, 10):
        clock.advance(step)
        assert not (parent.expired and not child.expired)
        assert (child.remaining or 0.0) <= (parent.remaining or 0.0)


def test_child_shorter_than_parent_keeps_its_own_deadline(clock: FakeClock) -> None:
    parent = Budget(10, clock=clock)
    child = parent.child(3)
    assert child.total == 3.0
    assert child.remaining == 3.0
    clock.advance(3)
    assert child.expired and not parent.expired


def test_child_of_unlimited_parent(clock: FakeClock) -> None:
    parent = Budget(None, clock=clock)
    assert parent.child(None).remaining is None
    assert parent.child(4).remaining == 4.0


def test_child_longer_than_parent_is_capped_and_says_so(clock: FakeClock) -> None:
    parent = Budget(5, clock=clock)
    clock.advance(2)
    child = parent.child(10)
    assert child.total == 3.0
    assert child.deadline == parent.deadline
    clock.advance(3)
    with pytest.raises(BudgetExceeded, match="budget of 3s exceeded in phase 'step'"):
        child.check("step")


def test_grandchild_is_bounded_by_every_ancestor(clock: FakeClock) -> None:
    root = Budget(10, clock=clock)
    middle = root.child(4)
    leaf = middle.child(8)
    assert leaf.deadline == middle.deadline == clock.now + 4


# -- the exception, repr, sharing ------------------------------------------------------------------


def test_budget_exceeded_is_a_timeout_error_and_pickles() -> None:
    exc = BudgetExceeded("out of time", phase="build", total=5.0, elapsed=5.5)
    assert isinstance(exc, TimeoutError)
    copy = pickle.loads(pickle.dumps(exc))
    assert type(copy) is BudgetExceeded
    assert str(copy) == "out of time"
    assert (copy.phase, copy.total, copy.elapsed) == ("build", 5.0, 5.5)


def test_repr(clock: FakeClock) -> None:
    budget = Budget(5, clock=clock)
    clock.advance(1.25)
    assert repr(budget) == "<Budget total=5s elapsed=1.250s remaining=3.750s>"
    clock.advance(10)
    assert repr(budget) == "<Budget total=5s elapsed=11.250s remaining=0.000s expired>"
    assert repr(Budget(None, clock=clock)) == "<Budget unlimited elapsed=0.000s>"
    assert "'convert'" in repr(budget.phase("convert"))
    assert "'fetch'" in repr(budget.async_timeout("fetch"))


def test_budget_is_immutable() -> None:
    budget = Budget(5)
    with pytest.raises(AttributeError):
        budget.remaining = 10  # type: ignore[misc]
    with pytest.raises(AttributeError):
        budget.extra = 1  # type: ignore[attr-defined]


def test_one_budget_shared_by_many_threads() -> None:
    budget = Budget(60)
    barrier = threading.Barrier(64)
    errors: List[BaseException] = []

    def worker() -> None:
        try:
            barrier.wait(timeout=60)
            for _ in range(200):
                remaining = budget.remaining
                assert remaining is not None and 0 <= remaining <= 60
                child = budget.child(30)
                assert child.deadline is not None and budget.deadline is not None
                assert child.deadline <= budget.deadline
                with budget.phase("shared"):
                    budget.check()
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(64)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    assert errors == []
