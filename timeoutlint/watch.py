"""``check --watch``: lint, then lint again whenever a Python or config file changes.

Polling (twice a second) over the files a walk finds: no dependency, works on every file
system, and a project of thousands of files costs a few milliseconds a round. Ctrl-C ends
it (exit 130)."""

from __future__ import annotations

import os
import sys
import time
from typing import Callable, Dict, Iterable, Sequence, Tuple

import click

_CONFIGS = ("pyproject.toml", ".timeoutlint.toml", "timeoutlint.toml")
_SKIP_DIRS = {"__pycache__", "node_modules", ".timeoutlint_cache"}
INTERVAL = 0.5

Snapshot = Dict[str, Tuple[int, int]]


def _watched(paths: Sequence[str]) -> Iterable[str]:
    for top in paths:
        if os.path.isfile(top):
            yield top
            continue
        for directory, folders, files in os.walk(top):
            folders[:] = [f for f in folders if not f.startswith(".") and f not in _SKIP_DIRS]
            for name in files:
                if name.endswith((".py", ".pyi")) or name in _CONFIGS:
                    yield os.path.join(directory, name)


def snapshot(paths: Sequence[str]) -> Snapshot:
    """(mtime, size) of every watched file."""
    found: Snapshot = {}
    for path in _watched(paths):
        try:
            status = os.stat(path)
        except OSError:
            continue
        found[path] = (status.st_mtime_ns, status.st_size)
    return found


def _stamp(message: str) -> None:
    if sys.stdout.isatty():
        click.echo("\x1b[2J\x1b[H", nl=False)  # a clear screen for each round, as Ruff does
    click.echo(f"[{time.strftime('%H:%M:%S')}] {message}")


def watch(run: Callable[[], int], paths: Sequence[str]) -> int:
    _stamp("Starting timeoutlint in watch mode...")
    before = snapshot(paths)
    run()
    while True:
        time.sleep(INTERVAL)
        now = snapshot(paths)
        if now != before:
            before = now
            _stamp("File change detected...")
            run()
            sys.stdout.flush()
