"""``check -`` and ``check --stdin-filename NAME``: one source read from stdin, as editors
and Ruff users pipe it; with ``--fix`` the fixed code goes to stdout, the report to stderr."""

from __future__ import annotations

import sys
from typing import Any, Optional

import click

from timeoutlint.api import fix_text, lint_source
from timeoutlint.baseline import Baselined, anchor, new_findings
from timeoutlint.check_report import diff_text, emit, exit_code, internal
from timeoutlint.cli import EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS
from timeoutlint.discovery import is_excluded
from timeoutlint.fixes import is_applicable
from timeoutlint.ftypes import FileResult, LintError
from timeoutlint.output import Report, render
from timeoutlint.settings import Settings
from timeoutlint.sourcefile import SourceError, decode_source


def _binary(stream: Any) -> Any:
    """The byte stream under a text stream (click.get_binary_stream is deprecated)."""
    return getattr(stream, "buffer", stream)


def check_stdin(
    options: dict[str, Any],
    settings: Settings,
    known: Optional[set[tuple[str, str, str, int]]],
    keep: Optional[Baselined] = None,
) -> int:
    name = options["stdin_filename"]
    data = _binary(sys.stdin).read()
    if options["force_exclude"] and is_excluded(name, settings):
        if options["fix"]:  # an editor replaces the buffer with stdout: give it back unchanged
            _binary(sys.stdout).write(data)
            _binary(sys.stdout).flush()
        return EXIT_CLEAN
    try:
        source = decode_source(data)
    except SourceError as exc:
        result = FileResult(name, errors=[LintError(name, str(exc))])
        text = source_text = None
    else:
        source_text = source.text
        result = lint_source(source_text, name, settings)
        text = source_text
    fixed: dict[str, dict[str, int]] = {}
    if text is not None and (options["fix"] or options["diff"]) and any(is_applicable(d, settings) for d in result.diagnostics):
        outcome = fix_text(text, name, settings, first=result, keep=keep)
        result = outcome.result
        result.errors = outcome.errors + result.errors
        text = outcome.source
        if outcome.applied:
            fixed[name] = outcome.applied
    if options["diff"]:
        diff = diff_text(name, source_text or "", text or "") if text != source_text else ""
        click.echo(diff, nl=False)
        return EXIT_ERROR if internal(result.errors) else (EXIT_FINDINGS if diff or result.errors else EXIT_CLEAN)
    if known is not None:
        result.diagnostics = new_findings(result.diagnostics, known, anchor(options["baseline"]))
    report = Report(
        diagnostics=result.diagnostics,
        errors=result.errors,
        files_checked=1,
        fixed=fixed,
        unsafe_fixes=settings.unsafe_fixes,
        fixable_codes=frozenset(d.code for d in result.diagnostics if settings.is_fixable(d.code)),
        show_fixes=options["show_fixes"],
        sources={name: text} if text is not None else {},
    )
    if options["fix"]:
        # Editors replace the buffer with stdout: always give back the code, as bytes in
        # its own encoding (BOM, coding cookie), unchanged when it could not be decoded.
        stdout = _binary(sys.stdout)
        stdout.write(source.encode(text) if text is not None else data)
        stdout.flush()
        if not options["quiet"]:
            click.echo(render(options["output_format"], report), nl=False, err=True)
    else:
        failed = emit(report, options)
        if failed is not None:
            return failed
    return exit_code(result.diagnostics, result.errors, bool(fixed), options)
