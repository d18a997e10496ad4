"""What ``timeoutlint check`` does, once click has parsed the options."""

from __future__ import annotations

import difflib
import os
import sys
import time
from pathlib import Path
from typing import Any, Callable, Optional

import click

from timeoutlint.api import FileOutcome, RunOptions, check_paths, fix_text, lint_source
from timeoutlint.cli import EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS, _use_color
from timeoutlint.baseline import BaselineError, anchor, load_baseline, new_findings, write_baseline
from timeoutlint.config import CliOverrides, ConfigError
from timeoutlint.discovery import discover, is_excluded
from timeoutlint.fixes import is_applicable
from timeoutlint.ftypes import Diagnostic, FileResult, LintError
from timeoutlint.noqa_writer import NoqaError, add_noqa
from timeoutlint.output import Report, render, render_statistics
from timeoutlint.output.summary import summary_lines
from timeoutlint.progress import Progress
from timeoutlint.projects import SettingsResolver
from timeoutlint.settings import Settings, format_target
from timeoutlint.show import show_settings
from timeoutlint.sourcefile import SourceError, decode_source, read_source, write_atomically



def _codes(values: Any) -> Optional[tuple[str, ...]]:
    if not values:
        return None
    return tuple(code.strip().upper() for value in values for code in value.split(",") if code.strip())


def _error(message: str) -> int:
    click.echo(f"timeoutlint: error: {message}", err=True)
    return EXIT_ERROR


def _diff(path: str, before: str, after: str) -> str:
    lines = difflib.unified_diff(
        before.splitlines(keepends=True), after.splitlines(keepends=True), fromfile=f"a/{path}", tofile=f"b/{path}"
    )
    text = "".join(line if line.endswith(("\n", "\r")) else line + "\n\\ No newline at end of file\n" for line in lines)
    return text


def _discover(paths: list[str], resolver: SettingsResolver, force_exclude: bool) -> tuple[list[str], list[LintError]]:
    files, errors = discover(paths, resolver.default, resolver)
    if force_exclude:
        named = {os.path.abspath(path) for path in paths if os.path.isfile(path)}
        files = [
            file for file in files if os.path.abspath(file) not in named or not is_excluded(file, resolver.for_path(file))
        ]
    return files, errors


def _flag(name: str) -> str:
    return "--" + name.replace("_", "-")


def _conflicting(options: dict[str, Any]) -> Optional[str]:
    """Options that cannot go together, as one line."""
    modes = [name for name in ("add_noqa", "show_settings", "show_files", "watch") if options[name]]
    writers = [name for name in ("fix", "fix_only", "diff", "write_baseline") if options[name]]
    flag = _flag
    if len(modes) > 1:
        return f"{flag(modes[0])} and {flag(modes[1])} cannot be used together"
    if modes and modes[0] != "watch" and writers:
        return f"{flag(modes[0])} and {flag(writers[0])} cannot be used together"
    if modes and options["stdin_filename"] is not None or modes and tuple(options["paths"]) == ("-",):
        return f"{flag(modes[0])} works on files, not on stdin"
    return None


def _say_configs(resolver: SettingsResolver, options: dict[str, Any]) -> None:
    """``-v``: every config file the run used, and where each target version came from."""
    if not options["verbose"]:
        return
    for used in resolver.used():
        where = used.config_path or "no config file (defaults)"
        target = format_target(used.target_version)
        click.echo(f"timeoutlint: config {where}: target-version {target} from {used.target_source}", err=True)


def run_check(options: dict[str, Any]) -> int:
    started = time.perf_counter()
    if options["fix_only"]:
        options = {**options, "fix": True}
    overrides = CliOverrides(
        select=_codes(options["select"]),
        extend_select=_codes(options["extend_select"]),
        ignore=_codes(tuple(options["ignore"]) + tuple(options["extend_ignore"])),
        target_version=options["target_version"],
        unsafe_fixes=options["unsafe_fixes"],
    )
    try:
        resolver = SettingsResolver(Path.cwd(), options["config_file"], options["isolated"], overrides)
    except ConfigError as exc:
        return _error(str(exc))
    settings = resolver.default
    if options["verbose"]:
        where = settings.config_path or "no config file (defaults)"
        click.echo(f"timeoutlint {__import__('timeoutlint').__version__}: using {where}", err=True)
    conflict = _conflicting(options)
    if conflict:
        return _error(conflict)
    known = None
    if options["baseline"] is not None:
        # Read it before linting: a bad baseline must stop the run before --fix writes.
        try:
            known = load_baseline(options["baseline"])
        except BaselineError as exc:
            return _error(str(exc))
    if tuple(options["paths"]) == ("-",):  # ``-`` is stdin (named by --stdin-filename, if given)
        options = {**options, "paths": (), "stdin_filename": options["stdin_filename"] or "-"}
    if options["stdin_filename"] is not None:
        if options["paths"]:
            return _error("--stdin-filename reads stdin; do not give PATHS as well")
        if options["write_baseline"] is not None:
            return _error("--write-baseline records a whole run; it cannot be used with --stdin-filename")
        try:
            stdin_settings = resolver.for_path(options["stdin_filename"])
        except ConfigError as exc:
            return _error(str(exc))
        _say_configs(resolver, options)
        return _check_stdin(options, stdin_settings, known)

    try:
        files, errors = _discover(list(options["paths"]) or ["."], resolver, options["force_exclude"])
        groups = resolver.group(files)
    except ConfigError as exc:
        return _error(str(exc))
    if options["show_files"]:
        click.echo("".join(f"{file}\n" for file in files), nl=False)
        return EXIT_CLEAN
    if options["show_settings"]:
        click.echo(show_settings(files[0] if files else ".", groups[0][0] if groups else settings), nl=False)
        return EXIT_CLEAN
    _say_configs(resolver, options)
    if options["watch"]:
        from timeoutlint.watch import watch

        return watch(lambda: run_check({**options, "watch": False}), list(options["paths"]) or ["."])
    out_stream = sys.stdout if options["output_file"] is None else None
    run_options = RunOptions(
        fix=options["fix"],
        diff=options["diff"],
        use_cache=not options["no_cache"],
        cache_dir=options["cache_dir"],
        jobs=options["jobs"],
    )
    with Progress.for_run(enabled=not options["quiet"], total=len(files)) as progress:
        outcomes = []
        for group_settings, group_files in groups:
            outcomes.extend(check_paths(group_files, group_settings, run_options, progress.group(len(group_files))))
    order = {file: index for index, file in enumerate(files)}
    outcomes.sort(key=lambda outcome: order.get(outcome.path, len(order)))
    errors = errors + [error for outcome in outcomes for error in outcome.result.errors]
    diagnostics = [d for outcome in outcomes for d in outcome.result.diagnostics]

    if options["add_noqa"]:
        return _add_noqa(outcomes, diagnostics, known, errors, options)
    if options["write_baseline"] is not None:
        target = options["write_baseline"]
        try:
            write_baseline(target, diagnostics, anchor(target))
        except OSError as exc:
            return _error(f"{target}: cannot write the baseline: {exc.strerror or exc}")
        noun = "finding" if len(diagnostics) == 1 else "findings"
        click.echo(f"Wrote {len(diagnostics)} {noun} to the baseline {target}.", err=True)
        return EXIT_CLEAN if not _internal(errors) else EXIT_ERROR
    hidden = 0
    if known is not None:
        before = len(diagnostics)
        diagnostics = new_findings(diagnostics, known, anchor(options["baseline"]))
        hidden = before - len(diagnostics)

    if options["verbose"]:
        took = time.perf_counter() - started
        cached = sum(outcome.result.from_cache for outcome in outcomes)
        click.echo(f"timeoutlint: checked {len(files)} files ({cached} from cache) in {took:.2f}s", err=True)
        if known is not None:
            noun = "finding" if hidden == 1 else "findings"
            click.echo(f"timeoutlint: the baseline {options['baseline']} hid {hidden} {noun}", err=True)

    if options["fix_only"]:
        return _report_fix_only(outcomes, errors, options)

    if options["diff"]:
        return _report_diff(outcomes, errors, options)

    report = Report(
        diagnostics=diagnostics,
        errors=errors,
        files_checked=len(files),
        fixed={o.path: o.result.fixed_codes for o in outcomes if o.result.fixed_codes},
        unsafe_fixes=settings.unsafe_fixes,
        fixable_codes=frozenset(d.code for d in diagnostics if settings.is_fixable(d.code)),
        show_fixes=options["show_fixes"],
        sources={o.path: o.source for o in outcomes if o.source is not None},
        color=_use_color(options["color"], out_stream) if out_stream else False,
    )
    failed = _emit(report, options)
    if failed is not None:
        return failed
    return _exit_code(diagnostics, errors, bool(report.fixed), options)


def _without_summary(text: str, report: Report) -> str:
    """The human formats end with the summary block (and a blank line before it when
    anything precedes it); --quiet prints the findings only."""
    summary = "\n".join(summary_lines(report)) + "\n"
    if text.endswith(summary):
        text = text[: len(text) - len(summary)]
    return text[:-1] if text.endswith("\n\n") else text


def _emit(report: Report, options: dict[str, Any]) -> Optional[int]:
    """Print or write the report; an exit code when that failed."""
    if options["statistics"]:
        text = render_statistics(report, "json" if options["output_format"] == "json" else "text")
    elif options["quiet"] and options["output_format"] in ("text", "full"):
        text = _without_summary(render(options["output_format"], report), report)
    else:
        text = render(options["output_format"], report)
    if options["output_file"]:
        try:
            target = Path(options["output_file"])
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        except OSError as exc:
            return _error(f"{options['output_file']}: cannot write the report: {exc.strerror or exc}")
    else:
        # click strips ANSI codes when stdout is not a terminal unless told otherwise:
        # --color always must survive a pipe.
        click.echo(text, nl=False, color=True if report.color else None)
    return None


def _internal(errors: list[LintError]) -> bool:
    return any(error.message.startswith("internal error") for error in errors)


def _exit_code(diagnostics: list[Diagnostic], errors: list[LintError], fixed: bool, options: dict[str, Any]) -> int:
    if _internal(errors):
        return EXIT_ERROR
    if options["exit_zero"]:
        return EXIT_CLEAN
    if diagnostics or errors:
        return EXIT_FINDINGS
    if fixed and options["exit_non_zero_on_fix"]:
        return EXIT_FINDINGS
    return EXIT_CLEAN


def _report_diff(outcomes: list[FileOutcome], errors: list[LintError], options: dict[str, Any]) -> int:
    chunks = [_diff(o.path, o.source or "", o.fixed) for o in outcomes if o.fixed is not None]
    count = sum(o.result.fixes_applied for o in outcomes if o.fixed is not None)
    for error in errors:
        click.echo(f"{error.describe()}", err=True)
    click.echo("".join(chunks), nl=False)
    if not options["quiet"]:
        noun = "fix" if count == 1 else "fixes"
        click.echo(f"Would apply {count} {noun}." if count else "No fixes available.", err=True)
    if _internal(errors):
        return EXIT_ERROR
    return EXIT_FINDINGS if chunks or errors else EXIT_CLEAN


def _add_noqa(
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
                write_atomically(path, current.encode(text))
            added += changed
        except (SourceError, NoqaError, OSError, UnicodeEncodeError) as exc:
            errors.append(LintError(path, f"could not add noqa: {exc}"))
    for error in errors:
        click.echo(error.describe(), err=True)
    if not options["quiet"]:
        noun = "directive" if added == 1 else "directives"
        click.echo(f"Added {added} noqa {noun}.", err=True)
    if _internal(errors):
        return EXIT_ERROR
    return EXIT_FINDINGS if errors else EXIT_CLEAN


def _report_fix_only(outcomes: list[FileOutcome], errors: list[LintError], options: dict[str, Any]) -> int:
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
    if _internal(errors):
        return EXIT_ERROR
    if errors or (count and options["exit_non_zero_on_fix"]):
        return EXIT_FINDINGS
    return EXIT_CLEAN


def _binary(stream: Any) -> Any:
    """The byte stream under a text stream (click.get_binary_stream is deprecated)."""
    return getattr(stream, "buffer", stream)


def _check_stdin(options: dict[str, Any], settings: Settings, known: Optional[set[tuple[str, str, str, int]]]) -> int:
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
        outcome = fix_text(text, name, settings, first=result)
        result = outcome.result
        result.errors = outcome.errors + result.errors
        text = outcome.source
        if outcome.applied:
            fixed[name] = outcome.applied
    if options["diff"]:
        diff = _diff(name, source_text or "", text or "") if text != source_text else ""
        click.echo(diff, nl=False)
        return EXIT_ERROR if _internal(result.errors) else (EXIT_FINDINGS if diff or result.errors else EXIT_CLEAN)
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
        failed = _emit(report, options)
        if failed is not None:
            return failed
    return _exit_code(result.diagnostics, result.errors, bool(fixed), options)
