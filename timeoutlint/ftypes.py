"""The plain data the engine passes around: edits, fixes, diagnostics, errors, results.

Every type here is a frozen dataclass that round-trips through ``to_dict``/``from_dict``
(the result cache and the JSON output both rely on that). Positions are 1-based lines and
1-based columns counted in characters, as users see them in every output format.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any, Optional, Tuple


class Applicability(str, enum.Enum):
    """How far a fix can be trusted (the same three levels as Ruff)."""

    SAFE = "safe"
    UNSAFE = "unsafe"
    DISPLAY_ONLY = "display-only"


@dataclass(frozen=True, order=True)
class Edit:
    """Replace the text between two positions (end exclusive) with ``content``."""

    line: int
    column: int
    end_line: int
    end_column: int
    content: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "line": self.line,
            "column": self.column,
            "end_line": self.end_line,
            "end_column": self.end_column,
            "content": self.content,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Edit:
        return cls(data["line"], data["column"], data["end_line"], data["end_column"], data["content"])


@dataclass(frozen=True)
class Fix:
    applicability: Applicability
    title: str
    edits: Tuple[Edit, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "applicability": self.applicability.value,
            "title": self.title,
            "edits": [edit.to_dict() for edit in self.edits],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Fix:
        return cls(
            Applicability(data["applicability"]),
            data["title"],
            tuple(Edit.from_dict(edit) for edit in data["edits"]),
        )


@dataclass(frozen=True)
class Diagnostic:
    code: str
    name: str
    message: str
    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    fix: Optional[Fix] = None
    # Lines of the statement holding the finding: noqa may sit on its last line, and the
    # baseline keys a finding by the statement's normalized text.
    statement_lines: Tuple[int, int] = (0, 0)
    statement_hash: str = ""
    # The function whose callers may bound the finding (``Rule.caller_bounded`` in the
    # project pass drops it when every call site of that function is bounded); "" if none.
    scope: str = ""

    @property
    def url(self) -> str:
        from timeoutlint.rule import rule_url

        return rule_url(self.code)

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.path, self.line, self.column, self.code)

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "message": self.message,
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "end_line": self.end_line,
            "end_column": self.end_column,
            "url": self.url,
            "fix": self.fix.to_dict() if self.fix else None,
        }

    def to_cache(self) -> dict[str, Any]:
        data = self.to_dict()
        data["statement_lines"] = list(self.statement_lines)
        data["statement_hash"] = self.statement_hash
        data["scope"] = self.scope
        return data

    @classmethod
    def from_cache(cls, data: dict[str, Any], path: str) -> Diagnostic:
        return cls(
            code=data["code"],
            name=data["name"],
            message=data["message"],
            path=path,
            line=data["line"],
            column=data["column"],
            end_line=data["end_line"],
            end_column=data["end_column"],
            fix=Fix.from_dict(data["fix"]) if data["fix"] else None,
            statement_lines=tuple(data["statement_lines"]),  # type: ignore[arg-type]
            statement_hash=data["statement_hash"],
            scope=data.get("scope", ""),
        )


@dataclass(frozen=True)
class LintError:
    """A file that could not be read, decoded or parsed, or an internal error on it."""

    path: str
    message: str
    line: Optional[int] = None
    column: Optional[int] = None

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "message": self.message}

    def describe(self) -> str:
        where = self.path
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return f"{where}: {self.message}"


@dataclass
class FileResult:
    """What linting (and maybe fixing) one file produced."""

    path: str
    diagnostics: list[Diagnostic] = field(default_factory=list)
    errors: list[LintError] = field(default_factory=list)
    # Per-file facts for project-wide rules (JSON-serializable, cached with the result).
    facts: dict[str, Any] = field(default_factory=dict)
    fixed_source: Optional[str] = None  # the new text, when fixes were applied
    fixes_applied: int = 0
    fixed_codes: dict[str, int] = field(default_factory=dict)  # code -> fixes applied
    from_cache: bool = False
