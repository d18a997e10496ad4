"""Helpers several rule families share."""

from __future__ import annotations

from typing import Optional

import libcst as cst

from timeoutlint.analysis.callargs import format_seconds, with_keyword
from timeoutlint.context import PendingFix
from timeoutlint.ftypes import Applicability
from timeoutlint.rule import Rule


def callee_label(rule: Rule, call: cst.Call) -> str:
    """How a message names the callee: its qualified name when known, else its text."""
    qualname = rule.ctx.qualified_name(call.func)
    if qualname is not None:
        return f"{qualname}()"
    return f"{rule.ctx.module.code_for_node(call.func)}()"


def default_timeout_fix(rule: Rule, call: cst.Call, name: str = "timeout") -> Optional[PendingFix]:
    """Insert ``timeout=<default-timeout>``; only when the user configured the value (a fix
    never invents a timeout)."""
    seconds = rule.ctx.settings.default_timeout
    if seconds is None:
        return None
    value = cst.parse_expression(format_seconds(seconds))
    return PendingFix(
        title=f"Pass `{name}={format_seconds(seconds)}` (the configured default-timeout)",
        applicability=Applicability.UNSAFE,
        replacements=[(call, with_keyword(call, name, value))],
    )
