"""The shared pass itself: recursion depth, fix construction, name clashes."""

from __future__ import annotations

import textwrap

from timeoutlint.api import fix_text, lint_source
from timeoutlint.settings import Settings


def test_long_implicit_string_concatenation_is_analysed() -> None:
    # pydoc_data/topics.py has strings of hundreds of implicitly concatenated pieces:
    # libcst nests them, deeper than Python's default recursion limit.
    pieces = "\n".join(f'    "piece {i}"' for i in range(2500))
    source = f"import time\nTEXT = (\n{pieces}\n)\ndeadline = time.time() + 5\nwhile time.time() < deadline:\n    pass\n"
    result = lint_source(source, "deep.py", Settings())
    assert result.errors == []
    assert [d.code for d in result.diagnostics] == ["TL402", "TL402"]


def test_a_docstring_mentioning_a_name_does_not_block_its_import() -> None:
    source = textwrap.dedent(
        '''\
        """Waits with monotonic deadlines (the docstring says monotonic)."""
        from time import time


        def wait(ready, timeout):
            deadline = time() + timeout
            while time() < deadline:
                if ready():
                    return True
            return False
        '''
    )
    outcome = fix_text(source, "wait.py", Settings())
    # The fix imports monotonic (joining the from-import; `time` is no longer used, so it goes).
    assert outcome.source.startswith('"""Waits with monotonic deadlines (the docstring says monotonic)."""\nfrom time import monotonic\n\n\n')
    assert "deadline = monotonic() + timeout" in outcome.source
    assert outcome.result.diagnostics == []


def test_a_name_bound_in_code_blocks_an_import_of_the_same_name() -> None:
    source = textwrap.dedent(
        """\
        from time import time


        def wait(ready, timeout, monotonic=None):
            deadline = time() + timeout
            while time() < deadline:
                if ready():
                    return True
            return False
        """
    )
    outcome = fix_text(source, "wait.py", Settings())
    assert "monotonic()" not in outcome.source  # `monotonic` is taken: no import, no fix
    assert {d.code for d in outcome.result.diagnostics} == {"TL402"}
    assert all(d.fix is None for d in outcome.result.diagnostics)


def test_findings_sharing_one_fix_carry_the_same_edits() -> None:
    source = "import time\ndef poll():\n    start = time.time()\n    while time.time() - start < 5:\n        pass\n"
    result = lint_source(source, "poll.py", Settings())
    fixes = {d.fix for d in result.diagnostics}
    assert len(result.diagnostics) == 2 and len(fixes) == 1 and None not in fixes


def test_valid_python_that_libcst_rejects_is_not_called_a_syntax_error() -> None:
    import libcst
    import pytest

    source = "import time\ndef f():\n    (no_such_global): int\n    print(no_such_global)\n"
    compile(source, "annotated.py", "exec")  # valid Python
    try:
        libcst.parse_module(source)
    except libcst.ParserSyntaxError:
        pass
    else:  # pragma: no cover - a libcst release that reads it
        pytest.skip("this libcst parses parenthesized annotation targets")
    result = lint_source(source, "annotated.py", Settings())
    assert len(result.errors) == 1
    assert result.errors[0].message.startswith("could not parse: libcst rejects code that Python accepts")
