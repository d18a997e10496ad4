"""Unbounded waits (TL3xx): blocking calls with no timeout."""
