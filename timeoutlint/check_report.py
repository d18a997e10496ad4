"""What ``check`` prints and how it exits: the report, the diff, ``--fix-only`` and
``--add-noqa`` summaries, and the exit code (SPEC §3)."""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional

import click

from timeoutlint.baseline import anchor, new_findings
from timeoutlint.cli import EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS
from timeoutlint.ftypes import Diagnostic, LintError
from timeoutlint.noqa_writer import NoqaError, add_noqa
from timeoutlint.output import Report, render, render_statistics
from timeoutlint.output.summary import summary_lines
from timeoutlint.sourcefile import SourceError, read_source, write_atomically

if TYPE_CHECKING:
    from timeoutlint.api import FileOutcome


def error(message: str) -> int:
    click.echo(f"timeoutlint: error: {message}", err=True)
    return EXIT_ERROR


def diff_text(path: str, before: str, after: str) -> str:
    lines = difflib.unified_diff(
        before.splitlines(keepends=True), after.splitlines(keepends=True), fromfile=f"a/{path}", tofile=f"b/{path}"
    )
    text = "".join(line if line.endswith(("\n", "\r")) else line + "\n\\ No newline at end of file\n" for line in lines)
    return text


def without_summary(text: str, report: Report) -> str:
    """The human formats end with the summary block (and a blank line before it when
    anything precedes it); --quiet prints the findings only."""
    summary = "\n".join(summary_lines(report)) + "\n"
    if text.endswith(summary):
        text = text[: len(text) - len(summary)]
    return text[:-1] if text.endswith("\n\n") else text


def emit(report: Report, options: dict[str, Any]) -> Optional[int]:
    """Print or write the report; an exit code when that failed."""
    if options["statistics"]:
        text = render_statistics(report, "json" if options["output_format"] == "json" else "text")
    elif options["quiet"] and options["output_format"] in ("text", "full"):
        text = without_summary(render(options["output_format"], report), report)
    else:
        text = render(options["output_format"], report)
    if options["output_file"]:
        try:
            target = Path(options["output_file"])
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        except OSError as exc:
            return error(f"{options['output_file']}: cannot write the report: {exc.strerror or exc}")
    else:
        # click strips ANSI codes when stdout is not a terminal unless told otherwise:
        # --color always must survive a pipe.
        click.echo(text, nl=False, color=True if report.color else None)
    return None


def internal(errors: list[LintError]) -> bool:
    return any(error.message.startswith("internal error") for error in errors)


def exit_code(diagnostics: list[Diagnostic], errors: list[LintError], fixed: bool, options: dict[str, Any]) -> int:
    if internal(errors):
        return EXIT_ERROR
    if options["exit_zero"]:
        return EXIT_CLEAN
    if diagnostics or errors:
        return EXIT_FINDINGS
    if fixed and options["exit_non_zero_on_fix"]:
        return EXIT_FINDINGS
    return EXIT_CLEAN


def report_diff(outcomes: list[FileOutcome], errors: list[LintError], options: dict[str, Any]) -> int:
    chunks = [diff_text(o.path, o.source or "", o.fixed) for o in outcomes if o.fixed is not None]
    count = sum(o.result.fixes_applied for o in outcomes if o.fixed is not None)
    for error in errors:
        click.echo(f"{error.describe()}", err=True)
    click.echo("".join(chunks), nl=False)
    if not options["quiet"]:
        noun = "fix" if count == 1 else "fixes"
        click.echo(f"Would apply {count} {noun}." if count else "No fixes available.", err=True)
    if internal(errors):
        return EXIT_ERROR
    return EXIT_FINDINGS if chunks or errors else EXIT_CLEAN


def write_noqa(
    outcomes: list[FileOutcome],
    diagnostics: list[Diagnostic],
    known: Optional[set[tuple[str, str, str, int]]],
    errors: list[LintError],
    options: dict[str, Any],
) -> int:
    """Write a ``# noqa`` for every finding (only the new ones, with --baseline)."""
    if known is not None:
        diagnostics = new_findings(diagnostics, known, anchor(options["baseline"]))
    by_path: dict[str, list[Diagnostic]] = {}
    for diagnostic in diagnostics:
        by_path.setdefault(diagnostic.path, []).append(diagnostic)
    sources = {outcome.path: outcome.source for outcome in outcomes}
    added = 0
    for path, found in by_path.items():
        try:
            current = read_source(path)
            if current.text != sources.get(path):
                raise NoqaError("the file changed while it was checked; run again")
            text, changed = add_noqa(current.text, [(d.line, d.code) for d in found])
            if changed:
                write_atomically(path, current.encode(text), expected=current.encode(current.text))
            added += changed
        except (SourceError, NoqaError, OSError, UnicodeEncodeError) as exc:
            errors.append(LintError(path, f"could not add noqa: {exc}"))
    for error in errors:
        click.echo(error.describe(), err=True)
    if not options["quiet"]:
        noun = "directive" if added == 1 else "directives"
        click.echo(f"Added {added} noqa {noun}.", err=True)
    if internal(errors):
        return EXIT_ERROR
    return EXIT_FINDINGS if errors else EXIT_CLEAN


def report_fix_only(outcomes: list[FileOutcome], errors: list[LintError], options: dict[str, Any]) -> int:
    """--fix-only: say what was fixed, never what is left."""
    count = sum(outcome.result.fixes_applied for outcome in outcomes if outcome.fixed is not None)
    for error in errors:
        click.echo(error.describe(), err=True)
    if options["show_fixes"] and not options["quiet"]:
        for outcome in outcomes:
            for code, number in sorted(outcome.result.fixed_codes.items()):
                click.echo(f"{outcome.path}: {number} x {code}")
    if not options["quiet"]:
        noun = "fix" if count == 1 else "fixes"
        click.echo(f"Applied {count} {noun}." if count else "No fixes applied.", err=True)
    if internal(errors):
        return EXIT_ERROR
    if errors or (count and options["exit_non_zero_on_fix"]):
        return EXIT_FINDINGS
    return EXIT_CLEAN
