"""timeoutlint: find timeout anti-patterns in Python code and rewrite them to sound idioms.

This module stays light on purpose: ``import timeoutlint.runtime`` must not pull in
libcst, click or any linter module.
"""

__version__ = "0.1.0"
