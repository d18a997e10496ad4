"""Output formats: ``render(fmt, report)`` turns a :class:`Report` into the text of one format.

One small module a format; they all read the same :class:`Report` and never touch the file
system or the terminal (the CLI writes what they return).
"""

from __future__ import annotations

from importlib import import_module

from timeoutlint.output.report import Report

__all__ = ["FORMATS", "Report", "render", "render_statistics"]

FORMATS = ("text", "full", "json", "sarif", "github", "junit", "gitlab")
_MODULES = {"json": "json_"}


def render(fmt: str, report: Report) -> str:
    """The whole output of one run in format ``fmt`` (one of :data:`FORMATS`), newline-terminated."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown output format {fmt!r}; expected one of {', '.join(FORMATS)}")
    module = import_module(f"{__name__}.{_MODULES.get(fmt, fmt)}")
    return module.render(report)  # type: ignore[no-any-return]


def render_statistics(report: Report, fmt: str = "text") -> str:
    """Ruff-style ``--statistics`` table (count, code, ``[*]`` when fixable, name), most
    frequent first; ``fmt="json"`` gives a list of ``{code, name, count, fixable}``."""
    from timeoutlint.output.statistics import render as render_table

    return render_table(report, fmt)
