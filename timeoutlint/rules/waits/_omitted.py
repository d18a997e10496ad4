"""What TL301-TL304 share: a call of a blocking API of the rule's own kind (the shared table
in ``timeoutlint.analysis.waits``, plus the user's ``blocking-calls``) with its timeout
omitted."""

from __future__ import annotations

from typing import Any, ClassVar

import libcst as cst

from timeoutlint.analysis.waits import (
    BLOCKING_CALLS_OPTION,
    Wait,
    check_blocking_calls,
    connects,
    does_not_block,
    find_wait,
    may_carry_timeout,
    user_triggers,
)
from timeoutlint.rule import Rule
from timeoutlint.rules.waits._fixes import default_timeout_fix

# The per-rule option every TL30x rule takes (validated when the configuration loads).
BLOCKING_CALLS: dict[str, Any] = {BLOCKING_CALLS_OPTION: check_blocking_calls}



class OmittedTimeout(Rule):
    """A blocking call with no timeout, reported by the rule whose code the table names."""

    abstract = True
    options: ClassVar[dict[str, Any]] = BLOCKING_CALLS

    @classmethod
    def triggers_for(cls, settings: Any) -> tuple[str, ...]:
        return cls.triggers + user_triggers(settings, (cls.code,))

    def visit_Call(self, node: cst.Call) -> None:
        wait = find_wait(self.ctx, node)
        if wait is None or wait.rule != self.code or not wait.omission:
            return
        if may_carry_timeout(wait, node) or does_not_block(wait, node) or not connects(wait, node):
            return
        if self.exempt(node, wait):
            return
        fix = None if wait.status else default_timeout_fix(self, node, wait.timeout)
        self.report(node, self.message.format(callee=wait.label), fix)

    def exempt(self, call: cst.Call, wait: Wait) -> bool:
        """Cases the rule deliberately leaves alone."""
        return False
