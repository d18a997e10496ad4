"""The flake8 plugin: ``flake8 --select TL`` reports what ``timeoutlint check`` reports.

flake8 loads :class:`TimeoutlintChecker` through the ``flake8.extension`` entry point ``TL``
(pyproject.toml) and calls it once per file that CPython parses (flake8 reports E999 for
the others itself and calls no plugin on them). The checker lints the text flake8 read (its
``lines``, so ``flake8 -`` on stdin works) with timeoutlint's own engine
(:func:`~timeoutlint.api.lint_source`) and the settings ``timeoutlint check`` would use for
the file: one engine, one configuration, the same findings.

- Rules: those timeoutlint's configuration enables for the file (``select``, ``ignore``,
  ``per-file-ignores``), less those flake8's ``--select``/``--ignore`` throw away anyway
  (they are not run at all). flake8 narrows what ``[tool.timeoutlint]`` enables but never
  widens it, so a project's configuration means the same under both tools.
- Files: one that timeoutlint's ``exclude``/``extend-exclude`` (or a ``.gitignore``) keeps
  out of its walk gets no finding, even when named to flake8, as with the pre-commit hooks'
  ``--force-exclude``.
- ``# noqa``: timeoutlint applies its own suppressions (the comments ``timeoutlint check``
  honours) before flake8 sees a finding, so a ``# noqa: TL303`` suppresses exactly once and
  means the same to both tools; flake8 then applies its own on top.
- Project rules see only the one file flake8 hands over (``lint_source`` treats it as a
  project of one file), so chains across modules are not followed (docs/flake8.md).

Nothing here imports flake8 at import time: flake8 is no dependency of timeoutlint. The
plugin reaches into flake8 only when flake8 runs it (its options, its error type).
"""

from __future__ import annotations

import argparse
import ast
import functools
import logging
import os
from pathlib import Path
from typing import Any, ClassVar, Iterator, List, Optional, Sequence, Tuple

import timeoutlint
from timeoutlint.api import lint_source
from timeoutlint.config import ConfigError
from timeoutlint.discovery import is_excluded
from timeoutlint.engine import enabled_rules
from timeoutlint.projects import SettingsResolver
from timeoutlint.rule import all_rules
from timeoutlint.settings import Settings

# Files timeoutlint cannot analyse are named on stderr (logging's last-resort handler when
# nothing is configured), never reported as findings.
LOG = logging.getLogger(__name__)

# What flake8 takes from a tree plugin: 1-based line, 0-based column, "CODE message", type.
Flake8Finding = Tuple[int, int, str, type]


class TimeoutlintChecker:
    """flake8's view of timeoutlint: one instance per file, its findings from :meth:`run`."""

    name = "timeoutlint"
    version = timeoutlint.__version__

    # The TL codes flake8's --select/--ignore keep; None when flake8 did not say (or its
    # decision engine could not be asked): then every code timeoutlint enables runs.
    flake8_selected: ClassVar[Optional[frozenset[str]]] = None

    def __init__(self, tree: ast.AST, filename: str, lines: Sequence[str]) -> None:
        # Taking ``tree`` makes this a tree plugin (flake8 requires one of tree,
        # logical_line or physical_line); timeoutlint parses the text itself, with libcst.
        # For stdin, ``filename`` is flake8's --stdin-display-name (or "stdin").
        self.filename = _as_check_shows(filename)
        self.lines = lines

    @classmethod
    def parse_options(cls, options: argparse.Namespace) -> None:
        cls.flake8_selected = _flake8_selection(options)

    def run(self) -> Iterator[Flake8Finding]:
        settings = settings_for(self.filename)  # a broken config stops flake8 here
        try:
            findings = self._findings(settings)
        except Exception as exc:  # lint_source turns bad input into errors: this is a bug
            LOG.warning("timeoutlint: %s: internal error: %s: %s (please report this)", self.filename, type(exc).__name__, exc)
            return
        yield from findings

    def _findings(self, settings: Settings) -> List[Flake8Finding]:
        rules = [rule for rule in enabled_rules(settings, self.filename) if self._wanted(rule.code)]
        if not rules or is_excluded(self.filename, settings):
            return []
        result = lint_source("".join(self.lines), self.filename, settings, rules=rules)
        for error in result.errors:
            # A syntax error is flake8's E999 (no plugin runs then); anything else, code
            # timeoutlint could not analyse, is said on stderr and costs no finding.
            if not error.message.startswith("SyntaxError"):
                LOG.warning("timeoutlint: %s", error.describe())
        # timeoutlint's columns are 1-based; flake8 takes 0-based ones (and adds 1 to show).
        return [(d.line, d.column - 1, f"{d.code} {d.message}", type(self)) for d in result.diagnostics]

    def _wanted(self, code: str) -> bool:
        return self.flake8_selected is None or code in self.flake8_selected


def _as_check_shows(path: str) -> str:
    """``./pkg/a.py`` (flake8 walking ``.``) as ``pkg/a.py``, as ``timeoutlint check`` shows
    it: messages that name a file (TL101's chains) then read the same."""
    separators = ("/", os.sep)
    while path[:1] == "." and path[1:2] in separators and path[2:].strip("".join(separators)):
        path = path[2:].lstrip("".join(separators))
    return path


def settings_for(filename: str) -> Settings:
    """timeoutlint's settings for a file, found as ``timeoutlint check`` finds them (the
    nearest config file above the file's folder, else the one found from the current
    directory; for stdin, the folder of ``--stdin-display-name``)."""
    try:
        return _resolver(os.getcwd()).for_path(filename)
    except ConfigError as exc:
        raise _config_error(f"timeoutlint configuration: {exc}") from None


# flake8 checks many files in few folders of fewer projects: ``check``'s own resolver looks
# each folder up once and reads each config file once, per process (flake8's workers each
# keep their own). A ConfigError is not cached: it stops the run.
@functools.lru_cache(maxsize=None)
def _resolver(cwd: str) -> SettingsResolver:
    return SettingsResolver(Path(cwd))


def _config_error(problem: str) -> Exception:
    """A broken timeoutlint configuration stops flake8, as it stops ``timeoutlint check``
    (exit 2), rather than checking the project with settings it did not ask for: flake8
    prints its ``ExecutionError`` as one clean message and exits 1, also when a worker
    process raises it."""
    from flake8.exceptions import ExecutionError  # type: ignore[import-untyped]

    return ExecutionError(problem)


def _flake8_selection(options: Any) -> Optional[frozenset[str]]:
    """The TL codes flake8 would report, by flake8's own decision engine (``--select``,
    ``--extend-select``, ``--ignore``, ``--extend-ignore``, the default selection); None
    when that engine cannot be asked (another flake8): then nothing is left out."""
    try:
        from flake8.style_guide import Decision, DecisionEngine  # type: ignore[import-untyped]

        engine = DecisionEngine(options)
        return frozenset(rule.code for rule in all_rules() if engine.decision_for(rule.code) is Decision.Selected)
    except Exception:  # a change in flake8's internals may cost speed, never findings
        return None
