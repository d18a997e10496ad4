"""What TL301-TL304 share: a call of a blocking API of the rule's own kind (the shared table
in ``timeoutlint.analysis.waits``, plus the user's ``blocking-calls``) with its timeout
omitted."""

from __future__ import annotations

from typing import Any, ClassVar

import libcst as cst

from timeoutlint.analysis.definitions import all_params
from timeoutlint.analysis.testrunner import test_timeout
from timeoutlint.analysis.waits import (
    USER_RULES,
    WAIT_MODULES,
    user_modules,
    BLOCKING_CALLS_OPTION,
    MINUS_ONE,
    NONE,
    ZERO,
    Wait,
    check_blocking_calls,
    connects,
    does_not_block,
    find_wait,
    literal_kind,
    may_carry_timeout,
    user_triggers,
)
from timeoutlint.rule import Rule
from timeoutlint.rules.waits._fixes import default_timeout_fix

# The per-rule option every TL30x rule takes (validated when the configuration loads).
BLOCKING_CALLS: dict[str, Any] = {BLOCKING_CALLS_OPTION: check_blocking_calls}
# Bounds that interrupt a blocking call. Not ``analysis.bounds``' scopes: an asyncio scope
# (or tornado's ``gen_test``) cancels at the next ``await`` and cannot stop a thread blocked
# in ``t.join()``.
_GREEN_TIMEOUTS = frozenset({"eventlet.Timeout", "eventlet.timeout.Timeout", "gevent.Timeout", "gevent.timeout.Timeout"})
_TEST_TIMEOUTS = frozenset({"pytest.mark.timeout"})


class OmittedTimeout(Rule):
    """A blocking call with no timeout, reported by the rule whose code the table names."""

    abstract = True
    options: ClassVar[dict[str, Any]] = BLOCKING_CALLS

    requires = WAIT_MODULES

    @classmethod
    def triggers_for(cls, settings: Any) -> tuple[str, ...]:
        return cls.triggers + user_triggers(settings, (cls.code,))

    @classmethod
    def requires_for(cls, settings: Any) -> tuple[str, ...]:
        return cls.requires + user_modules(settings, USER_RULES)

    def visit_Call(self, node: cst.Call) -> None:
        wait = find_wait(self.ctx, node)
        if wait is None or wait.rule != self.code or not wait.omission:
            return
        if may_carry_timeout(wait, node) or does_not_block(wait, node) or not connects(wait, node):
            return
        if self._chosen_by_caller(node) or self._under_outer_bound() or self.exempt(node, wait):
            return
        fix = None if wait.status else default_timeout_fix(self, node, wait.timeout)
        self.report(node, self.message.format(callee=wait.label), fix)

    def exempt(self, call: cst.Call, wait: Wait) -> bool:
        """Cases the rule deliberately leaves alone, beyond those every TL30x rule leaves
        (a wait the caller chose through the function's own timeout parameter, a wait under
        an outer bound)."""
        return False

    def _under_outer_bound(self) -> bool:
        """Inside ``with eventlet.Timeout(5):`` / ``gevent.Timeout(5)`` (a green timeout
        interrupts the wait), or in a test marked ``@pytest.mark.timeout(...)`` or run
        under pytest-timeout's configured ``timeout`` (the plugin ends the test)."""
        if test_timeout(self.ctx.path) is not None:
            return True
        for node in reversed(self.ctx.stack):
            if isinstance(node, cst.With) and any(self._names(item.item, _GREEN_TIMEOUTS) for item in node.items):
                return True
            if isinstance(node, (cst.FunctionDef, cst.ClassDef)):
                if any(self._names(decorator.decorator, _TEST_TIMEOUTS) for decorator in node.decorators):
                    return True
        return False

    def _names(self, node: cst.BaseExpression, names: frozenset[str]) -> bool:
        return isinstance(node, cst.Call) and node.args != () and self.ctx.qualified_name(node.func) in names

    def _chosen_by_caller(self, call: cst.Call) -> bool:
        """In the branch taken when the function's own timeout parameter says "forever"
        (``if timeout is None:``, ``lock.acquire() if timeout == -1 else ...``): the caller
        asked to wait as long as it takes."""
        stack = self.ctx.stack
        for index in range(len(stack) - 1, 0, -1):
            parent, child = stack[index - 1], stack[index]
            if isinstance(parent, (cst.FunctionDef, cst.Lambda, cst.ClassDef)):
                return False
            if isinstance(parent, (cst.If, cst.IfExp)) and child is parent.body and self._says_forever(parent.test):
                return True
            if isinstance(parent, cst.IfExp) and child is parent.orelse and self._says_forever(parent.test, negated=True):
                return True
        return False

    def _says_forever(self, test: cst.BaseExpression, negated: bool = False) -> bool:
        """``<param> is None`` / ``== -1`` / ``< 0`` (``is not None`` / ``>= 0`` when
        ``negated``, for the ``else`` of a conditional expression) on a parameter of this
        function named for a timeout."""
        if not (
            isinstance(test, cst.Comparison)
            and isinstance(test.left, cst.Name)
            and "timeout" in test.left.value.lower()
            and len(test.comparisons) == 1
        ):
            return False
        operator, value = test.comparisons[0].operator, test.comparisons[0].comparator
        kind = literal_kind(value)
        if negated:
            forever = (isinstance(operator, cst.IsNot) and kind == NONE) or (isinstance(operator, cst.NotEqual) and kind == MINUS_ONE)
        else:
            forever = (
                (isinstance(operator, (cst.Is, cst.Equal)) and kind in (NONE, MINUS_ONE))
                or (isinstance(operator, cst.LessThan) and kind == ZERO)
            )
        if not forever:
            return False
        function = self.ctx.current_function()
        return function is not None and test.left.value in {param.name.value for param in all_params(function.params)}
