"""The command line: a thin click layer over ``api``, ``config`` and ``output``.

Exit codes: 0 nothing left to report; 1 findings remain, a file could not be read or
parsed, or ``--diff`` has a diff; 2 usage error, bad config, or internal error.
"""

from __future__ import annotations

import difflib
import json
import os
import sys
from pathlib import Path
from typing import Any, Optional, Sequence

import click

from timeoutlint import __version__
from timeoutlint.output import FORMATS
from timeoutlint.settings import SUPPORTED_TARGETS, format_target

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
TARGETS = tuple(format_target(version) for version in SUPPORTED_TARGETS)


def _fail(message: str) -> "click.exceptions.Exit":
    click.echo(f"timeoutlint: error: {message}", err=True)
    return click.exceptions.Exit(EXIT_ERROR)


def _use_color(choice: str, stream: Any) -> bool:
    if choice == "always":
        return True
    if choice == "never" or os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return bool(getattr(stream, "isatty", lambda: False)())


# click >= 8.2 raises this (a UsageError) for a bare `timeoutlint`: the help is the message.
_NoArgsIsHelpError = getattr(click.exceptions, "NoArgsIsHelpError", ())


class _Group(click.Group):
    def main(  # type: ignore[override]
        self,
        args: Optional[Sequence[str]] = None,
        prog_name: Optional[str] = None,
        complete_var: Optional[str] = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        """A usage error is exit 2 with one line on stderr (never click's three-line block,
        never a traceback); an interrupt is exit 130."""
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, False, **extra)
        try:
            code = super().main(args, prog_name, complete_var, False, **extra)
        except _NoArgsIsHelpError as exc:
            exc.show()
            sys.exit(exc.exit_code)
        except click.UsageError as exc:
            message = " ".join(exc.format_message().split())
            hint = f" (see '{exc.ctx.command_path} --help')" if exc.ctx is not None else ""
            click.echo(f"timeoutlint: error: {message}{hint}", err=True)
            sys.exit(EXIT_ERROR)
        except click.ClickException as exc:
            exc.show()
            sys.exit(exc.exit_code)
        except (click.Abort, KeyboardInterrupt) as exc:
            if isinstance(exc, KeyboardInterrupt) or isinstance(exc.__cause__, KeyboardInterrupt):
                click.echo("timeoutlint: interrupted", err=True)
                sys.exit(130)
            click.echo("Aborted!", err=True)
            sys.exit(1)
        sys.exit(code if isinstance(code, int) else 0)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", "-V", prog_name="timeoutlint", message="%(prog)s %(version)s")
def main() -> None:
    """Find timeout anti-patterns in Python code and rewrite them to sound idioms."""


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=str))
@click.option("--fix/--no-fix", default=False, help="Apply fixes (safe ones; unsafe ones too with --unsafe-fixes).")
@click.option("--unsafe-fixes/--no-unsafe-fixes", "unsafe_fixes", default=None, help="Also apply (and count) unsafe fixes.")
@click.option("--diff", is_flag=True, help="Print the fixes as a unified diff instead of writing them (exit 1 if any).")
@click.option("--fix-only", is_flag=True, help="Apply fixes, but do not report (or exit 1 for) what is left. Implies --fix.")
@click.option("--show-fixes", is_flag=True, help="List the fixes that were applied, per file.")
@click.option("--select", multiple=True, metavar="CODES", help="Rule codes or prefixes to enable (replaces the config's).")
@click.option("--extend-select", multiple=True, metavar="CODES", help="Rule codes or prefixes to enable in addition.")
@click.option("--ignore", multiple=True, metavar="CODES", help="Rule codes or prefixes to disable.")
@click.option("--extend-ignore", multiple=True, metavar="CODES", help="Rule codes or prefixes to disable in addition.")
@click.option("--output-format", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option("--output-file", "-o", type=click.Path(dir_okay=False, path_type=str), help="Write the report to FILE.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when findings remain.")
@click.option("--exit-non-zero-on-fix", is_flag=True, help="Exit 1 when fixes were applied, even if none remain.")
@click.option("--statistics", is_flag=True, help="Count findings per rule instead of listing them.")
@click.option("--config", "config_file", type=click.Path(dir_okay=False, path_type=Path), help="Use this config file.")
@click.option("--isolated", is_flag=True, help="Ignore all configuration files.")
@click.option("--target-version", type=click.Choice(TARGETS), help="The oldest Python the code must run on.")
@click.option("--stdin-filename", metavar="NAME", help="Read the source from stdin and report it as NAME.")
@click.option(
    "--force-exclude",
    is_flag=True,
    help="Apply exclude/extend-exclude/.gitignore even to files named on the command line.",
)
@click.option("--baseline", type=click.Path(dir_okay=False, path_type=Path), help="Report only findings not in FILE.")
@click.option(
    "--fix-baselined",
    is_flag=True,
    help="With --baseline and --fix (or --diff): fix the findings the baseline records too (left alone otherwise).",
)
@click.option("--write-baseline", type=click.Path(dir_okay=False, path_type=Path), help="Record the current findings in FILE.")
@click.option("--add-noqa", is_flag=True, help="Add a `# noqa: TLxxx` comment on every current finding (with --baseline: every new one).")
@click.option("--show-settings", is_flag=True, help="Print the settings the first file is linted with, and exit.")
@click.option("--show-files", is_flag=True, help="Print the files that would be linted, and exit.")
@click.option("--watch", "-w", is_flag=True, help="Lint again whenever a Python or config file changes (Ctrl-C ends it).")
@click.option("--jobs", "-j", type=click.IntRange(min=0), default=0, help="Worker processes (0: one per core).")
@click.option("--no-cache", is_flag=True, help="Do not read or write the result cache.")
@click.option("--cache-dir", type=click.Path(file_okay=False, path_type=Path), help="Where the result cache lives.")
@click.option("--quiet", "-q", is_flag=True, help="Print findings only: no summary, no progress.")
@click.option("--verbose", "-v", is_flag=True, help="Say which config files are used, where target-version came from, what the baseline hid and how long things took.")
@click.option("--color", type=click.Choice(("auto", "always", "never")), default="auto", show_default=True)
def check(**options: Any) -> None:
    """Lint PATHS (default: the current directory)."""
    from timeoutlint.check_command import run_check

    raise click.exceptions.Exit(run_check(options))


@main.command()
@click.argument("code", required=False)
@click.option("--all", "show_all", is_flag=True, help="Explain every rule.")
@click.option("--output-format", type=click.Choice(("text", "json")), default="text", show_default=True)
def rule(code: Optional[str], show_all: bool, output_format: str) -> None:
    """Explain a rule: what it finds, why it matters, how to fix it."""
    from timeoutlint.rule import all_rules, get_rule

    if show_all == bool(code):
        raise _fail("give a rule CODE or --all (not both)")
    if show_all:
        rules = all_rules()
    else:
        found = get_rule(code.upper()) if code else None
        if found is None:
            known = [r.code for r in all_rules()] + [r.name for r in all_rules()]
            by_name = [r for r in all_rules() if r.name == code]
            if by_name:
                found = by_name[0]
            else:
                hint = difflib.get_close_matches(code or "", known, n=1)
                suffix = f"; did you mean {hint[0]}?" if hint else ""
                raise _fail(f"unknown rule {code!r}{suffix} (see `timeoutlint rule --all`)")
        rules = [found]
    if output_format == "json":
        data = [r.metadata() for r in rules]
        click.echo(json.dumps(data if show_all else data[0], indent=2))
    else:
        click.echo("\n".join(r.documentation() for r in rules), nl=False)


@main.command()
@click.option("--cache-dir", type=click.Path(file_okay=False, path_type=Path), help="The cache to remove (default: the project's).")
@click.option("--config", "config_file", type=click.Path(dir_okay=False, path_type=Path), help="Use this config file.")
def clean(cache_dir: Optional[Path], config_file: Optional[Path]) -> None:
    """Remove the result cache (every version's)."""
    import shutil

    from timeoutlint.config import ConfigError, load_settings

    if cache_dir is None:
        try:
            cache_dir = load_settings(cwd=Path.cwd(), config_file=config_file).root / ".timeoutlint_cache"
        except ConfigError as exc:
            raise _fail(str(exc))
    if not cache_dir.exists():
        click.echo(f"no cache at {cache_dir}")
        return
    if not (cache_dir / ".gitignore").is_file():
        raise _fail(f"{cache_dir} does not look like a timeoutlint cache (no .gitignore written by timeoutlint); not removed")
    shutil.rmtree(cache_dir)
    click.echo(f"removed {cache_dir}")


@main.command()
@click.option("--stdio", is_flag=True, help="Talk over stdin/stdout (the only transport; accepted for clients that pass it).")
def server(stdio: bool) -> None:
    """Run the Language Server on stdio, for editors (needs the `lsp` extra; see docs/editors.md)."""
    try:
        from timeoutlint.lsp.server import serve
    except ImportError as exc:
        if (exc.name or "").partition(".")[0] not in ("pygls", "lsprotocol", "cattrs", "attrs"):
            raise
        raise _fail("`timeoutlint server` needs pygls: pip install 'timeoutlint[lsp]'")
    serve()


if __name__ == "__main__":  # pragma: no cover
    main()
