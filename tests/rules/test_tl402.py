"""TL402 wall-clock-timeout: which readings of ``time.time()`` are a timeout, and when the
fix to ``time.monotonic()`` is made."""

from __future__ import annotations

import textwrap
from typing import List, Optional

import pytest

from timeoutlint.api import fix_text, lint_source
from timeoutlint.ftypes import Diagnostic
from timeoutlint.settings import Settings

SETTINGS = Settings(select=("TL402",), unsafe_fixes=True)


def _code(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def findings(source: str) -> List[Diagnostic]:
    result = lint_source(_code(source), "example.py", SETTINGS)
    assert not result.errors, result.errors
    return [d for d in result.diagnostics if d.code == "TL402"]


def lines(source: str) -> List[int]:
    return [d.line for d in findings(source)]


def fixed(source: str) -> str:
    outcome = fix_text(_code(source), "example.py", SETTINGS)
    assert not outcome.errors, outcome.errors
    return outcome.source


def assert_fixes(source: str, expected: str) -> None:
    result = fixed(source)
    assert result == _code(expected)
    # the fixed text lints clean, and fixing it again changes nothing
    assert findings(result) == []
    assert fixed(result) == result


def assert_reported_without_fix(source: str, expected_lines: Optional[List[int]] = None) -> None:
    found = findings(source)
    assert found, "expected findings"
    if expected_lines is not None:
        assert [d.line for d in found] == expected_lines
    assert all(d.fix is None for d in found)
    assert fixed(source) == _code(source)


# -- does nothing ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "source",
    [
        pytest.param("import time\nrecord = {'ts': time.time()}\n", id="timestamp-in-dict"),
        pytest.param(
            """
            import time
            def handle(event):
                event["received"] = time.time()
                return event
            """,
            id="timestamp-stored",
        ),
        pytest.param(
            """
            import datetime, time
            def stamp():
                return datetime.datetime.fromtimestamp(time.time())
            """,
            id="timestamp-converted",
        ),
        pytest.param(
            """
            import logging, time
            def timed(job):
                start = time.time()
                job()
                logging.info("took %.1fs", time.time() - start)
            """,
            id="duration-logged",
        ),
        pytest.param(
            """
            import time
            def timed(job):
                start = time.time()
                job()
                return time.time() - start
            """,
            id="duration-returned",
        ),
        pytest.param(
            """
            import time
            def rate(n, job):
                start = time.time()
                job()
                elapsed = time.time() - start
                if elapsed > 0:
                    return n / elapsed
            """,
            id="zero-guard-before-division",
        ),
        pytest.param(
            """
            import time
            class Job:
                def overdue(self, timeout):
                    return time.time() - self.start > timeout
            """,
            id="attribute-set-elsewhere",
        ),
        pytest.param(
            """
            import time
            class Lease:
                def expired(self):
                    return time.time() > self.deadline
            """,
            id="compared-with-attribute",
        ),
        pytest.param(
            """
            import time
            def wait(start, timeout):
                while time.time() - start < timeout:
                    pass
            """,
            id="parameter-of-unknown-origin",
        ),
        pytest.param(
            """
            import os, time
            def stale(path, max_age):
                return time.time() - os.path.getmtime(path) > max_age
            """,
            id="file-modification-time",
        ),
        pytest.param(
            """
            import time
            def old(entries, max_age):
                cutoff = time.time() - max_age
                return [e for e in entries if e.created < cutoff]
            """,
            id="cutoff-for-stored-timestamps",
        ),
        pytest.param(
            """
            import time
            def cookie(max_age):
                expires = time.time() + max_age
                return {"expires": int(expires)}
            """,
            id="absolute-expiry-sent-away",
        ),
        pytest.param(
            """
            import time
            def backwards(previous):
                now = time.time()
                return now < previous or now < time.time()
            """,
            id="reading-against-reading",
        ),
        pytest.param(
            """
            import time
            def f(time):
                start = time.time()
                while time.time() - start < 5:
                    pass
            """,
            id="time-is-a-parameter",
        ),
        pytest.param(
            """
            from datetime import time
            def f():
                start = time()
                while time() - start < 5:
                    pass
            """,
            id="datetime-time",
        ),
        pytest.param(
            """
            import time
            def f(job, timeout):
                start = time.time()
                job()
                start = job.started
                return time.time() - start > timeout
            """,
            id="name-reassigned-unknown",
        ),
        pytest.param(
            """
            import time
            def test_redirect_after(request):
                t = time.time()
                request("/x?date=" + str(t + 2))
                delta = time.time() - t
                assert delta >= 1
            """,
            id="instant-sent-as-a-timestamp",
        ),
        pytest.param(
            """
            import time
            from datetime import datetime
            def expiry(ttl, log):
                deadline = time.time() + ttl
                log(f"expires at {datetime.fromtimestamp(deadline)}")
                return deadline - time.time()
            """,
            id="deadline-shown-as-a-date",
        ),
        pytest.param(
            """
            import time
            def outer(deadline):
                def due():
                    return time.time() > deadline
                return due
            """,
            id="closure-compares-with-a-parameter",
        ),
        pytest.param(
            """
            import time
            def outer(timeout):
                def due(deadline):
                    return time.time() > deadline
                deadline = time.time() + timeout
                return due
            """,
            id="nested-parameter-shadows-the-deadline",
        ),
        pytest.param(
            """
            import time
            def f(timeout):
                deadline = time.monotonic() + timeout
                while time.monotonic() < deadline:
                    pass
            """,
            id="already-monotonic",
        ),
        pytest.param(
            """
            import time
            def f(timeout):
                start = time.time_ns()
                while time.time_ns() - start < timeout:
                    pass
            """,
            id="time-ns-not-covered",
        ),
    ],
)
def test_does_nothing(source: str) -> None:
    assert findings(source) == []


# -- reports and fixes ----------------------------------------------------------------------


def test_polling_loop() -> None:
    source = """
        import time
        def poll(check, timeout):
            start = time.time()
            while time.time() - start < timeout:
                check()
    """
    assert lines(source) == [3, 4]
    assert_fixes(
        source,
        """
        import time
        def poll(check, timeout):
            start = time.monotonic()
            while time.monotonic() - start < timeout:
                check()
        """,
    )


def test_message_names_the_call_and_its_replacement() -> None:
    (first, _) = findings(
        """
        import time as t
        def f(timeout):
            deadline = t.time() + timeout
            while t.time() < deadline:
                pass
        """
    )
    assert first.message == "`t.time()` measures a timeout: the wall clock can jump; use `t.monotonic()`"
    assert first.fix is not None and first.fix.applicability.value == "safe"


def test_deadline_with_alias() -> None:
    assert_fixes(
        """
        import time as t
        def f(timeout):
            deadline = t.time() + timeout
            while t.time() < deadline:
                pass
        """,
        """
        import time as t
        def f(timeout):
            deadline = t.monotonic() + timeout
            while t.monotonic() < deadline:
                pass
        """,
    )


def test_from_import_adds_monotonic() -> None:
    # `time` is no longer used: the fix's import takes its place.
    assert_fixes(
        """
        from time import time
        def left(timeout):
            deadline = time() + timeout
            return deadline - time()
        """,
        """
        from time import monotonic
        def left(timeout):
            deadline = monotonic() + timeout
            return deadline - monotonic()
        """,
    )


def test_from_import_reuses_module_binding() -> None:
    # ... and the alias the fix leaves unused goes.
    assert_fixes(
        """
        import time
        from time import time as now
        def left(timeout):
            deadline = now() + timeout
            return deadline - now()
        """,
        """
        import time
        def left(timeout):
            deadline = time.monotonic() + timeout
            return deadline - time.monotonic()
        """,
    )


def test_from_import_without_a_free_name_is_not_fixed() -> None:
    # `monotonic` and `time` are both taken: no import can be added
    assert_reported_without_fix(
        """
        from time import time
        def monotonic():
            return 0
        def f(timeout):
            deadline = time() + timeout
            while time() < deadline:
                pass
        """,
        [5, 6],
    )


def test_remaining_budget_phases() -> None:
    source = """
        import time
        def phases(convert, build, timeout):
            remaining = timeout
            start = time.time()
            convert(timeout=remaining)
            remaining -= time.time() - start
            if remaining <= 0:
                raise TimeoutError("convert")
            start = time.time()
            build(timeout=remaining)
            remaining -= time.time() - start
            if remaining <= 0:
                raise TimeoutError("build")
    """
    assert lines(source) == [4, 6, 9, 11]
    assert fixed(source).count("time.monotonic()") == 4
    assert "time.time()" not in fixed(source)


def test_remaining_passed_as_timeout() -> None:
    source = """
        import time
        def read_all(sock, timeout):
            deadline = time.time() + timeout
            sock.settimeout(deadline - time.time())
            return sock.recv(1024)
    """
    assert lines(source) == [3, 4]


def test_optional_deadline() -> None:
    assert_fixes(
        """
        import time
        def retry(call, timeout=None):
            deadline = None if timeout is None else time.time() + timeout
            while True:
                try:
                    return call()
                except OSError:
                    if deadline and time.time() > deadline:
                        raise
        """,
        """
        import time
        def retry(call, timeout=None):
            deadline = None if timeout is None else time.monotonic() + timeout
            while True:
                try:
                    return call()
                except OSError:
                    if deadline and time.monotonic() > deadline:
                        raise
        """,
    )


def test_walrus_and_min_max() -> None:
    assert_fixes(
        """
        import time
        def drain(q, timeout):
            end = time.time() + timeout
            while (now := time.time()) < end:
                q.get(timeout=max(0, min(1.0, end - now)))
        """,
        """
        import time
        def drain(q, timeout):
            end = time.monotonic() + timeout
            while (now := time.monotonic()) < end:
                q.get(timeout=max(0, min(1.0, end - now)))
        """,
    )


def test_timestamp_beside_a_timeout_is_left_alone() -> None:
    source = """
        import time
        def wait(job, timeout, log):
            log(time.time())
            start = time.time()
            while time.time() - start < timeout:
                job.step()
    """
    assert lines(source) == [4, 5]
    assert fixed(source) == _code(
        """
        import time
        def wait(job, timeout, log):
            log(time.time())
            start = time.monotonic()
            while time.monotonic() - start < timeout:
                job.step()
        """
    )


def test_elapsed_scaled_to_milliseconds() -> None:
    assert lines(
        """
        import time
        def f(job, timeout_ms):
            start = time.time()
            job()
            if (time.time() - start) * 1000 > timeout_ms:
                raise TimeoutError
        """
    ) == [3, 5]


# -- reported without a fix: a value escapes ------------------------------------------------


@pytest.mark.parametrize(
    ("source", "expected_lines"),
    [
        pytest.param(
            """
            import time
            class W:
                def wait(self, timeout):
                    self.started = start = time.time()
                    while time.time() - start < timeout:
                        pass
            """,
            [4, 5],
            id="stored-on-self",
        ),
        pytest.param(
            """
            import time
            def run(send, timeout):
                deadline = time.time() + timeout
                send({"deadline": deadline})
                while time.time() < deadline:
                    pass
            """,
            [3, 5],
            id="sent-in-a-container",
        ),
        pytest.param(
            """
            import time
            def run(timeout):
                deadline = time.time() + timeout
                while time.time() < deadline:
                    pass
                return deadline
            """,
            [3, 4],
            id="returned",
        ),
        pytest.param(
            """
            import time
            def run(self, timeout):
                now = time.time()
                if now > self.deadline or now - self.start_of(now) > timeout:
                    pass
                start = now
                while time.time() - start < timeout:
                    pass
            """,
            [3, 7],
            id="compared-with-unknown",
        ),
        pytest.param(
            """
            import time
            def outer(timeout):
                deadline = time.time() + timeout
                def expired():
                    return deadline
                while time.time() < deadline:
                    pass
                return expired
            """,
            [3, 6],
            id="captured-by-nested-function",
        ),
        pytest.param(
            """
            import time
            deadline = time.time() + 30
            while time.time() < deadline:
                pass
            """,
            [2, 3],
            id="module-level-name-importable",
        ),
    ],
)
def test_reported_without_fix(source: str, expected_lines: List[int]) -> None:
    assert_reported_without_fix(source, expected_lines)


def test_noqa_on_one_reading_holds_the_whole_group_back() -> None:
    # The fix of the other reading would switch the silenced one too (the clocks of a group
    # never get mixed): it is withdrawn, and the code stays as it is.
    source = """
        import time
        def poll(check, timeout):
            start = time.time()  # noqa: TL402
            while time.time() - start < timeout:
                check()
    """
    assert lines(source) == [4]
    assert fixed(source) == _code(source)
    assert_reported_without_fix(source, [4])


def test_independent_groups_are_fixed_independently() -> None:
    source = """
        import time
        def f(timeout, send):
            start = time.time()
            while time.time() - start < timeout:
                pass
            deadline = time.time() + timeout
            send(deadline)
            while time.time() < deadline:
                pass
    """
    found = findings(source)
    assert [(d.line, d.fix is not None) for d in found] == [(3, True), (4, True), (6, False), (8, False)]
    assert fixed(source) == _code(
        """
        import time
        def f(timeout, send):
            start = time.monotonic()
            while time.monotonic() - start < timeout:
                pass
            deadline = time.time() + timeout
            send(deadline)
            while time.time() < deadline:
                pass
        """
    )


def test_comments_and_layout_are_kept() -> None:
    assert_fixes(
        """
        import time
        def f(timeout):
            deadline = (
                time.time()  # now
                + timeout
            )
            while time . time() < deadline:  # odd spacing
                pass
        """,
        """
        import time
        def f(timeout):
            deadline = (
                time.monotonic()  # now
                + timeout
            )
            while time . monotonic() < deadline:  # odd spacing
                pass
        """,
    )


# -- nested functions read the enclosing deadline -------------------------------------------


def test_closure_compares_the_enclosing_start() -> None:
    source = """
        import time
        def outer(interval):
            start = time.time()
            def due():
                return time.time() - start > interval
            return due
    """
    assert lines(source) == [3, 5]
    assert_fixes(
        source,
        """
        import time
        def outer(interval):
            start = time.monotonic()
            def due():
                return time.monotonic() - start > interval
            return due
        """,
    )


def test_deadline_compared_in_a_lambda_and_a_nested_function() -> None:
    source = """
        import time
        def wait(cond, timeout):
            deadline = time.time() + timeout
            expired = lambda: time.time() >= deadline
            def left():
                return max(0.0, deadline - time.time())
            while not expired():
                cond.wait(left())
    """
    assert lines(source) == [3, 4, 6]
    assert_fixes(
        source,
        """
        import time
        def wait(cond, timeout):
            deadline = time.monotonic() + timeout
            expired = lambda: time.monotonic() >= deadline
            def left():
                return max(0.0, deadline - time.monotonic())
            while not expired():
                cond.wait(left())
        """,
    )


def test_nonlocal_deadline_set_in_a_nested_function() -> None:
    source = """
        import time
        def run(step, timeout):
            deadline = None
            def arm():
                nonlocal deadline
                deadline = time.time() + timeout
            arm()
            while time.time() < deadline:
                step()
    """
    assert lines(source) == [6, 8]


def test_nested_reading_that_escapes_has_no_fix() -> None:
    assert_reported_without_fix(
        """
        import time
        def outer(timeout, log):
            deadline = time.time() + timeout
            def check():
                log(deadline)
                return time.time() > deadline
            return check
        """,
        [3, 6],
    )


def test_global_in_a_nested_function_is_not_the_local() -> None:
    source = """
        import time
        def outer(timeout):
            deadline = 5
            def arm():
                global deadline
                deadline = time.time() + timeout
            arm()
            return time.time() > deadline
    """
    assert lines(source) == []


def test_every_shape_tl401_sees_is_a_wall_clock_timeout() -> None:
    """TL401's fixture on the wall clock: every reading of every hand-kept budget (spent in
    a local, a parameter or an attribute; recomputed; a deadline re-read) is TL402's too."""
    from pathlib import Path

    fixture = Path(__file__).resolve().parents[2] / "fixtures" / "TL401.py"
    source = fixture.read_text(encoding="utf-8")
    for clock in ("time.monotonic()", "time.perf_counter()"):
        source = source.replace(clock, "time.time()")
    result = lint_source(source, "shapes.py", SETTINGS)
    reported = sorted(d.line for d in result.diagnostics if d.code == "TL402")
    readings = sorted(
        number for number, line in enumerate(source.splitlines(), 1) for _ in range(line.count("time.time()"))
    )
    assert readings and reported == readings


def test_timestamp_through_a_name_is_not_a_timeout() -> None:
    assert findings(
        """
        import time
        def test_retry_after_past(pool):
            t = time.time()
            stamp = t - 1
            pool.request("GET", "/redirect_after?date=" + str(stamp))
            delta = time.time() - t
            assert delta < 1
        """
    ) == []


# -- only a value that bounds a wait, a loop or a raise is a timeout ----------------------------


@pytest.mark.parametrize(
    "source",
    [
        pytest.param(
            """
            import time
            def copy(chunks, write, report):
                last = time.time()
                for chunk in chunks:
                    write(chunk)
                    if time.time() - last > 0.5:
                        report()
                        last = time.time()
            """,
            id="progress-throttling",
        ),
        pytest.param(
            """
            import time
            def poll(items, log):
                started = time.time()
                for item in items:
                    if time.time() - started > 60:
                        log.warning("slow: %s", item)
            """,
            id="a-warning-when-slow",
        ),
    ],
)
def test_a_comparison_that_only_decides_what_to_print_is_not_a_timeout(source: str) -> None:
    assert findings(source) == []


@pytest.mark.parametrize(
    "body, expected",
    [
        pytest.param("raise TimeoutError()", [3, 5], id="raise"),
        pytest.param("break", [3, 5], id="break"),
        pytest.param("return None", [3, 5], id="return"),
        pytest.param("task.cancel()", [3, 5], id="a-cancel"),
        pytest.param("log('tick')\n                else:\n                    return None", [3, 5], id="leaves-in-the-else"),
    ],
)
def test_a_comparison_whose_if_leaves_or_stops_is_a_timeout(body: str, expected: List[int]) -> None:
    source = f"""
        import time
        def run(task, log, timeout):
            start = time.time()
            while True:
                if time.time() - start > timeout:
                    {body}
    """
    assert lines(source) == expected
