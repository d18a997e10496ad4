"""Executor rules (TL1xx): pools per call, nested pools, lost contextvars, futures left running."""
