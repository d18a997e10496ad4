"""Normalisation of "seconds" arguments shared by the runtime idioms.

Every public entry point accepts the same spellings a timeout has in the stdlib, and reads them
the same way: ``None`` and ``math.inf`` mean "no limit", a negative number means "already
expired" (as ``Future.result(timeout=-1)`` does), NaN and non-numbers are errors.
"""

from __future__ import annotations

import math
import numbers


def normalize_seconds(value: float | None, what: str) -> float | None:
    """Return ``value`` as a finite float >= 0, or ``None`` for "no limit".

    Raises ``TypeError`` for non-numbers (``bool`` included: ``timeout=True`` is a bug) and
    ``ValueError`` for NaN, naming ``what`` in the message.
    """
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{what} must be a number of seconds or None, not {type(value).__name__}")
    seconds = float(value)
    if math.isnan(seconds):
        raise ValueError(f"{what} must be a number of seconds or None, not NaN")
    if seconds == math.inf:
        return None
    return max(seconds, 0.0)
