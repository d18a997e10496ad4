"""What ``timeoutlint check`` does, once click has parsed the options."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Any, Optional

import click

from timeoutlint.api import RunOptions, check_paths
from timeoutlint.baseline import Baselined, BaselineError, anchor, load_baseline, new_findings, write_baseline
from timeoutlint.check_report import emit, error, exit_code, internal, report_diff, report_fix_only, write_noqa
from timeoutlint.cli import EXIT_CLEAN, EXIT_ERROR, _use_color
from timeoutlint.config import CliOverrides, ConfigError
from timeoutlint.discovery import discover, is_excluded
from timeoutlint.ftypes import LintError
from timeoutlint.output import Report
from timeoutlint.progress import Progress
from timeoutlint.projects import SettingsResolver
from timeoutlint.settings import format_target
from timeoutlint.show import show_settings
from timeoutlint.stdin_check import check_stdin


def _codes(values: Any) -> Optional[tuple[str, ...]]:
    if not values:
        return None
    return tuple(code.strip().upper() for value in values for code in value.split(",") if code.strip())


def _discover(paths: list[str], resolver: SettingsResolver, force_exclude: bool) -> tuple[list[str], list[LintError]]:
    files, errors = discover(paths, resolver.default, resolver)
    if force_exclude:
        named = {os.path.abspath(path) for path in paths if os.path.isfile(path)}
        files = [
            file for file in files if os.path.abspath(file) not in named or not is_excluded(file, resolver.for_path(file))
        ]
    return files, errors


def _kept(known: Optional[set[tuple[str, str, str, int]]], options: dict[str, Any]) -> Optional[Baselined]:
    """With --baseline, --fix and --diff leave the baseline's findings alone, unless
    --fix-baselined says to fix them too."""
    if known is None or options["fix_baselined"] or not (options["fix"] or options["diff"]):
        return None
    return frozenset(known), str(anchor(options["baseline"]))


def _flag(name: str) -> str:
    return "--" + name.replace("_", "-")


def _conflicting(options: dict[str, Any]) -> Optional[str]:
    """Options that cannot go together, as one line."""
    modes = [name for name in ("add_noqa", "show_settings", "show_files", "watch") if options[name]]
    writers = [name for name in ("fix", "fix_only", "diff", "write_baseline") if options[name]]
    if len(modes) > 1:
        return f"{_flag(modes[0])} and {_flag(modes[1])} cannot be used together"
    if modes and modes[0] != "watch" and writers:
        return f"{_flag(modes[0])} and {_flag(writers[0])} cannot be used together"
    if modes and (options["stdin_filename"] is not None or tuple(options["paths"]) == ("-",)):
        return f"{_flag(modes[0])} works on files, not on stdin"
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
        return error(str(exc))
    settings = resolver.default
    if options["verbose"]:
        where = settings.config_path or "no config file (defaults)"
        click.echo(f"timeoutlint {__import__('timeoutlint').__version__}: using {where}", err=True)
    if options["fix_baselined"] and options["baseline"] is None:
        return error("--fix-baselined fixes the findings a baseline records: give --baseline FILE")
    conflict = _conflicting(options)
    if conflict:
        return error(conflict)
    known = None
    if options["baseline"] is not None:
        # Read it before linting: a bad baseline must stop the run before --fix writes.
        try:
            known = load_baseline(options["baseline"])
        except BaselineError as exc:
            return error(str(exc))
    if tuple(options["paths"]) == ("-",):  # ``-`` is stdin (named by --stdin-filename, if given)
        options = {**options, "paths": (), "stdin_filename": options["stdin_filename"] or "-"}
    if options["stdin_filename"] is not None:
        if options["paths"]:
            return error("--stdin-filename reads stdin; do not give PATHS as well")
        if options["write_baseline"] is not None:
            return error("--write-baseline records a whole run; it cannot be used with --stdin-filename")
        try:
            stdin_settings = resolver.for_path(options["stdin_filename"])
        except ConfigError as exc:
            return error(str(exc))
        _say_configs(resolver, options)
        return check_stdin(options, stdin_settings, known, _kept(known, options))

    try:
        files, errors = _discover(list(options["paths"]) or ["."], resolver, options["force_exclude"])
        groups = resolver.group(files)
    except ConfigError as exc:
        return error(str(exc))
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
        keep=_kept(known, options),
    )
    with Progress.for_run(enabled=not options["quiet"], total=len(files)) as progress:
        outcomes = []
        for group_settings, group_files in groups:
            outcomes.extend(check_paths(group_files, group_settings, run_options, progress.group(len(group_files))))
    problem = next((outcome.cache_problem for outcome in outcomes if outcome.cache_problem), None)
    if problem is not None and not options["quiet"]:
        click.echo(f"timeoutlint: warning: the result cache did not serve: {problem}; linting went on without it", err=True)
    order = {file: index for index, file in enumerate(files)}
    outcomes.sort(key=lambda outcome: order.get(outcome.path, len(order)))
    errors = errors + [error for outcome in outcomes for error in outcome.result.errors]
    diagnostics = [d for outcome in outcomes for d in outcome.result.diagnostics]

    if options["add_noqa"]:
        return write_noqa(outcomes, diagnostics, known, errors, options)
    if options["write_baseline"] is not None:
        target = options["write_baseline"]
        try:
            write_baseline(target, diagnostics, anchor(target))
        except OSError as exc:
            return error(f"{target}: cannot write the baseline: {exc.strerror or exc}")
        noun = "finding" if len(diagnostics) == 1 else "findings"
        click.echo(f"Wrote {len(diagnostics)} {noun} to the baseline {target}.", err=True)
        return EXIT_CLEAN if not internal(errors) else EXIT_ERROR
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
        return report_fix_only(outcomes, errors, options)

    if options["diff"]:
        return report_diff(outcomes, errors, options)

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
    failed = emit(report, options)
    if failed is not None:
        return failed
    return exit_code(diagnostics, errors, bool(report.fixed), options)


