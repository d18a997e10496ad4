"""The idioms timeoutlint's fixes rewrite to: a time ``Budget`` and managed executors.

Stdlib only, and importing it imports nothing from the linter (nor libcst or click), so it is
safe to use in production code::

    from timeoutlint.runtime import Budget, BudgetExceeded, run_with_timeout, shared_executor

See docs/runtime.md for the API and the rewrites that target it.
"""

from timeoutlint.runtime.budget import Budget, BudgetExceeded
from timeoutlint.runtime.executor import (
    RUN_WITH_TIMEOUT_POOL,
    run_with_timeout,
    shared_executor,
    shutdown_shared_executors,
)

__all__ = [
    "RUN_WITH_TIMEOUT_POOL",
    "Budget",
    "BudgetExceeded",
    "run_with_timeout",
    "shared_executor",
    "shutdown_shared_executors",
]
