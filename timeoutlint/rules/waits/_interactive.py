"""Children that own the terminal (TL303 leaves them alone): an editor, a pager, an
interactive shell, run with their output going to the terminal. Such a child runs as long
as the person at the keyboard wants; a timeout would kill their editor."""

from __future__ import annotations

import os
from typing import Any, FrozenSet, Optional

import libcst as cst

from timeoutlint.analysis.callargs import argument, keyword

# Programs that are interactive however they are called.
INTERACTIVE: FrozenSet[str] = frozenset(
    {
        # editors
        "vi", "vim", "nvim", "gvim", "view", "nano", "pico", "emacs", "emacsclient", "ed", "joe", "mcedit",
        "micro", "hx", "kak",
        # pagers
        "less", "more", "most", "pager",
        # full-screen programs
        "top", "htop", "btop", "watch", "man", "info", "fzf", "tig", "ranger", "mc", "tmux", "screen",
    }  # fmt: skip
)
# Interactive only when given nothing to run: ``["bash"]``, ``["bash", "-l"]``, ``["ssh",
# host]``; ``["bash", "-c", script]`` and ``["ssh", host, "uptime"]`` are scripts.
_SESSIONS = frozenset({"ssh", "mosh", "telnet", "su"})
_SHELLS = frozenset({"sh", "bash", "zsh", "fish", "ksh", "csh", "tcsh", "dash"}) | _SESSIONS
# Environment variables that name the user's editor or pager.
_PROGRAM_VARIABLES = frozenset({"EDITOR", "VISUAL", "PAGER", "GIT_EDITOR", "GIT_PAGER", "MANPAGER", "SHELL"})
# Keyword arguments that take the child's output away from the terminal.
_REDIRECTS = ("stdout", "capture_output")


def check_command_names(value: Any) -> Optional[str]:
    """The problem with an ``interactive-commands`` option value, or None."""
    if not isinstance(value, list) or not all(isinstance(item, str) and item.strip() for item in value):
        return 'expected a list of program names, e.g. interactive-commands = ["mytui", "pgcli"]'
    return None


def _string(node: cst.BaseExpression) -> Optional[str]:
    if isinstance(node, cst.SimpleString):
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    return None


def _environment_program(node: cst.BaseExpression) -> bool:
    """``os.environ["EDITOR"]``, ``os.environ.get("EDITOR", ...)``, ``os.getenv("PAGER")``."""
    if isinstance(node, cst.BooleanOperation):  # os.environ.get("EDITOR") or "vi"
        return _environment_program(node.left) or _program(node.right) is not None
    if isinstance(node, cst.Subscript) and len(node.slice) == 1:
        index = node.slice[0].slice
        return isinstance(index, cst.Index) and _string(index.value) in _PROGRAM_VARIABLES
    if isinstance(node, cst.Call) and node.args:
        func = node.func
        name = func.attr.value if isinstance(func, cst.Attribute) else func.value if isinstance(func, cst.Name) else ""
        return name in ("get", "getenv") and _string(node.args[0].value) in _PROGRAM_VARIABLES
    return False


def _program(node: cst.BaseExpression) -> Optional[str]:
    """The program a command names, as far as the code says: the first word of a string,
    the basename of a literal path, a variable called ``editor`` or ``pager``."""
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Add):
        return _program(node.left)  # "vim " + path
    if isinstance(node, cst.FormattedString):  # f"vim {path}"
        head = node.parts[0] if node.parts else None
        text = head.value if isinstance(head, cst.FormattedStringText) else ""
        # the program's name is whole only when a space ends it before the first {...}
        return os.path.basename(text.split()[0]) if " " in text.strip(" ") or text.endswith(" ") else None
    text = _string(node)
    if text is not None:
        words = text.split()
        return os.path.basename(words[0]) if words else None
    if isinstance(node, cst.Name) and (node.value.lower().endswith(("editor", "pager"))):
        return "editor"
    if isinstance(node, cst.Attribute) and node.attr.value.lower().endswith(("editor", "pager")):
        return "editor"
    if _environment_program(node):
        return "editor"
    return None


def owns_the_terminal(call: cst.Call, interactive: FrozenSet[str]) -> bool:
    """``call`` (``subprocess.run``/``call``/``check_call``) runs a known interactive
    program with its output left on the terminal."""
    if any(keyword(call, name) is not None for name in _REDIRECTS):
        return False
    command = argument(call, "args", 0)
    if command is None:
        return False
    value = command.value
    rest: list[cst.BaseExpression] = []
    if isinstance(value, (cst.List, cst.Tuple)):
        if not value.elements or any(isinstance(element, cst.StarredElement) for element in value.elements):
            return False
        first, rest = value.elements[0].value, [element.value for element in value.elements[1:]]
    else:
        first = value
    program = _program(first)
    if program is None:
        return False
    if program == "editor" or program in interactive:
        return True
    if program in _SHELLS and isinstance(value, (cst.List, cst.Tuple)):
        words = [_string(item) for item in rest]
        if "-c" in words:
            return False
        # what is not an option: a variable, or a word not starting with "-"
        operands = [word for word in words if word is None or not word.startswith("-")]
        return len(operands) <= (1 if program in _SESSIONS else 0)  # a host (ssh), a user (su)
    return False
