"""Unbounded waits (TL3xx): blocking calls whose timeout is omitted."""

from __future__ import annotations

from typing import Any, ClassVar

import libcst as cst

from timeoutlint.analysis.waits import Wait
from timeoutlint.ftypes import Applicability
from timeoutlint.rule import FixAvailability, Invalid, Valid, Word
from timeoutlint.rules.waits._interactive import INTERACTIVE, check_command_names, owns_the_terminal
from timeoutlint.rules.waits._omitted import BLOCKING_CALLS, OmittedTimeout

_DEFAULT = {"default-timeout": 30}
# Calls that start a child and wait for it; a stopped child's wait only reaps it.
_RUNS = frozenset({"run", "call", "check_call"})
_STOPS = ("kill", "terminate")


class SubprocessWithoutTimeout(OmittedTimeout):
    """
    ## What it does
    Checks for `subprocess.run()`, `call()`, `check_call()`, `check_output()` and the
    `wait()`/`communicate()` methods of a known `subprocess.Popen` object called without a
    `timeout`.

    ## Why is this bad?
    These calls wait for the child process to exit. A child that hangs (a network mount, a
    prompt for input, a deadlock) blocks the caller forever: the thread, the worker or the
    whole CI job stalls with no error to tell why. With `timeout=`, the call raises
    `subprocess.TimeoutExpired` instead (and `run()` kills the child).

    ## Example
    ```python
    import subprocess

    subprocess.run(["git", "fetch"], check=True)
    proc = subprocess.Popen(["server"])
    proc.wait()
    ```

    ## Use instead
    ```python
    import subprocess

    subprocess.run(["git", "fetch"], check=True, timeout=60)
    proc = subprocess.Popen(["server"])
    proc.wait(timeout=60)
    ```

    ## Fix safety
    The fix inserts `timeout=<default-timeout>` and is offered only when `default-timeout`
    is set in the configuration (a fix never invents a value). It is unsafe: a call that
    used to wait as long as it took now raises `subprocess.TimeoutExpired` after that many
    seconds.

    Left alone, as their maintainers would close them as noise:

    - `p.wait()` or `p.communicate()` after `p.kill()` or `p.terminate()` earlier in the
      same block (also inside a `with suppress(OSError):`): it only reaps the child it just
      stopped (the idiom the `subprocess` docs show); and one after a `p.wait()` or
      `p.communicate()` that returned (the child is gone).
    - A child that owns the terminal: a known interactive program (an editor such as `vi`,
      `nano`, `emacs` or `$EDITOR`/`$VISUAL`, a pager such as `less`, `more` or `$PAGER`,
      an interactive shell, `ssh`, `top`) run with its output not redirected (no `stdout=`,
      no `capture_output=`): it runs as long as the person at the terminal wants, and a
      timeout would kill their editor. The option `interactive-commands` names more such
      programs.
    - A wait in the body of `if timeout is None:` on a parameter named for a timeout: the
      caller chose to wait as long as it takes.

    An explicit `timeout=None` is reported by TL305, not here. A call with `**kwargs` may
    carry a timeout and is not reported; a `wait()` on an object not known to be a
    `Popen` is not reported either.

    ## Options
    - `default-timeout` (top-level setting): the number of seconds the fix inserts.
    - `interactive-commands` (in `[tool.timeoutlint.rules.TL303]`): more programs that own
      the terminal, by name (`["mytui", "pgcli"]`), left alone like the editors above.
    - `blocking-calls` (in `[tool.timeoutlint.rules.TL303]`): more callables that wait, as
      `[{name = "mypkg.procs.run_tool", timeout = "timeout", position = 1}]` (`name` is a
      qualified function name or `module.Class.method`; `position` is optional).

    ## References
    - [subprocess — Using the subprocess module](https://docs.python.org/3/library/subprocess.html#using-the-subprocess-module)
    - [Popen.communicate](https://docs.python.org/3/library/subprocess.html#subprocess.Popen.communicate)
    """

    code = "TL303"
    name = "subprocess-without-timeout"
    message = "{callee} waits for a child process with no timeout: a hung child blocks forever"
    fix_title = "Pass `timeout=<default-timeout>`"
    fix_availability = FixAvailability.SOMETIMES
    applicability = Applicability.UNSAFE
    triggers = (Word("subprocess"), Word("Popen"), Word("check_output"), Word("check_call"))

    VALID = [
        Valid("import subprocess\nsubprocess.run(['ls'], timeout=10)\n", why="timeout given"),
        Valid("import subprocess\nsubprocess.run(['ls'], **options)\n", why="**kwargs may carry one"),
        Valid("import subprocess\nsubprocess.run(['ls'], timeout=None)\n", why="explicit None is TL305"),
        Valid("import subprocess\np = subprocess.Popen(['ls'])\np.wait(5)\n", why="positional timeout"),
        Valid("import subprocess\np = subprocess.Popen(['ls'])\np.communicate(b'', 5)\n", why="positional timeout"),
        Valid("def f(p):\n    p.wait()\n", why="p is not known to be a Popen"),
        Valid("import subprocess\np = subprocess.Popen(['ls'])\np.poll()\n", why="poll() does not wait"),
        Valid("from mylib import run\nrun(['ls'])\n", why="not subprocess.run"),
        Valid("import subprocess\ndef f(subprocess):\n    subprocess.run(['ls'])\n", why="shadowed by a parameter"),
        Valid("import subprocess\np = subprocess.Popen(['ls'])\np = object()\np.wait()\n", why="rebound"),
        Valid("import subprocess\np = subprocess.Popen(['ls'])\np.kill()\np.wait()\n", why="reaps a killed child"),
        Valid("import subprocess\np = subprocess.Popen(['srv'])\np.terminate()\np.wait()\n", why="reaps a terminated child"),
        Valid("import subprocess\ndef edit(path):\n    subprocess.call(['vim', path])\n", why="an editor owns the terminal"),
        Valid(
            "import os, subprocess\ndef edit(path):\n    subprocess.run([os.environ.get('EDITOR', 'vi'), path], check=True)\n",
            why="$EDITOR owns the terminal",
        ),
        Valid("import subprocess\ndef page(text):\n    subprocess.run(['less', '-R'], input=text, text=True)\n", why="a pager"),
        Valid(
            "import subprocess\nfrom contextlib import suppress\np = subprocess.Popen(['ls'])\nwith suppress(OSError):\n"
            "    p.kill()\np.wait()\n",
            why="killed inside a with block",
        ),
        Valid(
            "import subprocess\np = subprocess.Popen(['ls'])\nout, err = p.communicate(timeout=5)\nif p.wait() != 0:\n    pass\n",
            why="communicate() already waited: wait() returns at once",
        ),
        Valid(
            "import subprocess\ndef run(args, timeout=None):\n    p = subprocess.Popen(args)\n    if timeout is None:\n"
            "        return p.wait()\n    return p.wait(timeout)\n",
            why="the caller chose no timeout",
        ),
    ]
    INVALID = [
        Invalid(
            "import subprocess\nsubprocess.run(['ls'], check=True)\n",
            fixed="import subprocess\nsubprocess.run(['ls'], check=True, timeout=30)\n",
            settings=_DEFAULT,
        ),
        Invalid("import subprocess\nsubprocess.run(['ls'])\n", why="no default-timeout: no fix"),
        Invalid(
            "import subprocess as sp\nout = sp.check_output(\n    ['ls'],\n    text=True,\n)\n",
            fixed="import subprocess as sp\nout = sp.check_output(\n    ['ls'],\n    text=True,\n    timeout=30,\n)\n",
            settings=_DEFAULT,
        ),
        Invalid(
            "from subprocess import call\ncall('ls')\n",
            fixed="from subprocess import call\ncall('ls', timeout=30)\n",
            settings=_DEFAULT,
        ),
        Invalid(
            "import subprocess\nwith subprocess.Popen(['ls']) as p:\n    p.communicate()\n",
            fixed="import subprocess\nwith subprocess.Popen(['ls']) as p:\n    p.communicate(timeout=30)\n",
            settings=_DEFAULT,
        ),
        Invalid(
            "import subprocess\n\nclass Server:\n    def __init__(self):\n        self.proc = subprocess.Popen(['srv'])\n\n"
            "    def stop(self):\n        self.proc.wait()\n",
            fixed="import subprocess\n\nclass Server:\n    def __init__(self):\n        self.proc = subprocess.Popen(['srv'])\n\n"
            "    def stop(self):\n        self.proc.wait(timeout=30)\n",
            settings=_DEFAULT,
        ),
        Invalid(
            "import subprocess\ndef diff(path):\n    return subprocess.run(['vim', '-d', path], capture_output=True)\n",
            why="an editor whose output is captured does not own the terminal",
        ),
        Invalid(
            "from subprocess import Popen\ndef stop(p: Popen) -> None:\n    p.wait()\n",
            fixed="from subprocess import Popen\ndef stop(p: Popen) -> None:\n    p.wait(timeout=30)\n",
            settings=_DEFAULT,
        ),
    ]

    options: ClassVar[dict[str, Any]] = {**BLOCKING_CALLS, "interactive-commands": check_command_names}

    def exempt(self, call: cst.Call, wait: Wait) -> bool:
        func = call.func
        if wait.label.startswith("subprocess.") and wait.label.rstrip("()").split(".")[-1] in _RUNS:
            return owns_the_terminal(call, self._interactive())
        if not isinstance(func, cst.Attribute) or wait.label.startswith("subprocess."):
            return False
        return self._reaps_killed(func.value)

    def _interactive(self) -> frozenset[str]:
        extra = self.ctx.settings.options_for(self.code).get("interactive-commands", ())
        return INTERACTIVE | frozenset(extra)

    def _reaps_killed(self, receiver: cst.BaseExpression) -> bool:
        """``p.kill()`` / ``p.terminate()`` earlier in the same block (also inside a ``with suppress(...):``),
        or an earlier ``p.wait()`` / ``p.communicate()`` that returned: this wait only reaps
        a child that is already gone (the idiom of the ``subprocess`` docs)."""
        stack = self.ctx.stack
        statement = next(
            (n for n in reversed(stack) if isinstance(n, (cst.SimpleStatementLine, cst.BaseCompoundStatement))), None
        )
        block = stack[stack.index(statement) - 1] if statement is not None else None
        if not isinstance(block, (cst.IndentedBlock, cst.Module)):
            return False
        code = self.ctx.module.code_for_node(receiver)
        for earlier in block.body[: block.body.index(statement)]:  # type: ignore[arg-type]
            if isinstance(earlier, cst.With) and isinstance(earlier.body, cst.IndentedBlock):
                lines = [line for line in earlier.body.body if isinstance(line, cst.SimpleStatementLine)]
                if any(self._calls(line, code, _STOPS) for line in lines):
                    return True
            elif isinstance(earlier, cst.SimpleStatementLine) and self._calls(earlier, code, (*_STOPS, "wait", "communicate")):
                return True
        return False

    def _calls(self, line: cst.SimpleStatementLine, receiver: str, methods: tuple[str, ...]) -> bool:
        """One of the line's statements calls ``<receiver>.<method>(...)`` (alone or as the
        value assigned)."""
        for small in line.body:
            call = small.value if isinstance(small, (cst.Expr, cst.Assign, cst.AnnAssign)) else None
            if (
                isinstance(call, cst.Call)
                and isinstance(call.func, cst.Attribute)
                and call.func.attr.value in methods
                and self.ctx.module.code_for_node(call.func.value) == receiver
            ):
                return True
        return False
