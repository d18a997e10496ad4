"""Fixture files (flake8-async style): expected findings are comments in the code.

Every ``fixtures/*.py`` that is not a twin is linted and its findings compared with its
``# error: TLxxx`` comments; ``--fix --unsafe-fixes`` must turn it into its twin
``<name>.fixed.py`` byte for byte, or leave it unchanged when it has none. Twins lint with
no applicable fix left and are stable under a second fix. ``pytest --update-fixtures``
rewrites the twins from the current output instead (review the diff before committing).
The conventions are written up in ``fixtures/README.md``.
"""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import sys
import tokenize
from collections import Counter
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple

import pytest

from timeoutlint.api import fix_text, lint_source, module_name_for
from timeoutlint.fixes import is_applicable
from timeoutlint.ftypes import Diagnostic, FileResult
from timeoutlint.settings import Settings
from timeoutlint.sourcefile import SourceText, decode_source

REPO_ROOT = Path(__file__).resolve().parent.parent
FIXTURES = REPO_ROOT / "fixtures"
TWIN_SUFFIX = ".fixed.py"

FIXTURE_NAME_RE = re.compile(r"^(TL\d{3})(?:_[a-z0-9_]+)?\.py$")
HEADER_MARKER = "timeoutlint-fixture:"
HEADER_RE = re.compile(r"^#\s*timeoutlint-fixture:\s*(?P<json>\{.*\})\s*$")
ERROR_RE = re.compile(r"#\s*error:\s*(?P<codes>TL\d{3}(?:\s*,\s*TL\d{3})*)")

Finding = Tuple[int, str]  # (first line, code)


# -- reading fixtures -----------------------------------------------------------------------


def fixture_files() -> List[Path]:
    """The fixtures proper (not their twins), sorted."""
    return sorted(path for path in FIXTURES.glob("*.py") if not path.name.endswith(TWIN_SUFFIX))


def twin_files() -> List[Path]:
    return sorted(FIXTURES.glob(f"*{TWIN_SUFFIX}"))


def twin_of(path: Path) -> Path:
    return path.with_name(path.name[: -len(".py")] + TWIN_SUFFIX)


def original_of(twin: Path) -> Path:
    return twin.with_name(twin.name[: -len(TWIN_SUFFIX)] + ".py")


def fixture_code(path: Path) -> Optional[str]:
    """``TL303`` for ``TL303.py``, ``TL303_negative.py``, ``TL303.fixed.py``..."""
    name = path.name.replace(TWIN_SUFFIX, ".py")
    match = FIXTURE_NAME_RE.match(name)
    return match.group(1) if match else None


def read(path: Path) -> Tuple[bytes, SourceText]:
    data = path.read_bytes()
    return data, decode_source(data)


def _comments(source: str) -> List[Tuple[int, str]]:
    """Real comments only (an ``# error:`` inside a string does not count)."""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, SyntaxError):
        # This Python's tokenizer rejects syntax of a newer target: take each line's tail.
        lines = enumerate(source.splitlines(), start=1)
        return [(number, line[line.index("#") :]) for number, line in lines if "#" in line]
    return [(token.start[0], token.string) for token in tokens if token.type == tokenize.COMMENT]


def fixture_header(source: str) -> Dict[str, Any]:
    """The JSON config of a ``# timeoutlint-fixture: {...}`` comment among the leading
    comment lines (``{}`` when there is none)."""
    for number, line in enumerate(source.splitlines(), start=1):
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            break
        match = HEADER_RE.match(stripped)
        if match:
            table = json.loads(match.group("json"))
            assert isinstance(table, dict), f"line {number}: the fixture header must hold a JSON object"
            return table
        assert HEADER_MARKER not in stripped, f"line {number}: malformed fixture header {stripped!r}"
    assert HEADER_MARKER not in source, f"the '# {HEADER_MARKER} {{...}}' header must come first in the file"
    return {}


def expected_findings(source: str) -> Counter[Finding]:
    """``# error: TL303`` (or ``# error: TL303, TL305``) comments, as (line, code) counts:
    a code listed twice on a line expects two findings there."""
    expected: Counter[Finding] = Counter()
    for line, comment in _comments(source):
        for match in ERROR_RE.finditer(comment):
            for code in re.split(r"\s*,\s*", match.group("codes").strip()):
                expected[(line, code)] += 1
    return expected


def fixture_table(path: Path, source: str) -> Dict[str, Any]:
    """The config a fixture is linted with: its header; unless the header says ``select``,
    only the fixture's own rule and the codes its ``# error:`` comments name are enabled,
    so that a rule added later does not change the outcome of every other fixture."""
    table = dict(fixture_header(source))
    if "select" not in table:
        codes = {fixture_code(path)} | {code for _, code in expected_findings(source)}
        table["select"] = sorted(code for code in codes if code)
    return table


def found_findings(diagnostics: List[Diagnostic]) -> Counter[Finding]:
    return Counter((d.line, d.code) for d in diagnostics)


def _explain(source: str, expected: Counter[Finding], found: Counter[Finding], result: FileResult) -> str:
    lines = source.splitlines()
    messages = {(d.line, d.code): d.message for d in result.diagnostics}
    report = []
    for (line, code), count in sorted((expected - found).items()):
        report.append(f"  missing    {line}: {code} x{count}  | {lines[line - 1].strip()}")
    for (line, code), count in sorted((found - expected).items()):
        report.append(f"  unexpected {line}: {code} x{count}  {messages[(line, code)]}  | {lines[line - 1].strip()}")
    return "\n".join(report)


def _relative(path: Path) -> str:
    return path.relative_to(REPO_ROOT).as_posix()


def _ids(paths: List[Path]) -> List[str]:
    return [path.name for path in paths]


FIXTURE_FILES = fixture_files()
TWIN_FILES = twin_files()


@pytest.fixture
def settings_for(make_settings: Callable[..., Settings]) -> Callable[[Path, str], Settings]:
    def build(path: Path, source: str) -> Settings:
        return make_settings(fixture_table(path, source), unsafe_fixes=True)

    return build


# -- the API path ---------------------------------------------------------------------------


@pytest.mark.parametrize("path", FIXTURE_FILES, ids=_ids(FIXTURE_FILES))
def test_fixture_findings(path: Path, settings_for: Callable[[Path, str], Settings]) -> None:
    assert fixture_code(path), f"{path.name}: fixture names are <CODE>.py or <CODE>_<what>.py"
    _, decoded = read(path)
    settings = settings_for(path, decoded.text)
    result = lint_source(decoded.text, _relative(path), settings, module_name=module_name_for(str(path)))
    assert not result.errors, [error.describe() for error in result.errors]
    expected = expected_findings(decoded.text)
    found = found_findings(result.diagnostics)
    assert found == expected, f"{path.name}: findings differ from the # error: comments\n" + _explain(
        decoded.text, expected, found, result
    )


@pytest.mark.parametrize("path", FIXTURE_FILES, ids=_ids(FIXTURE_FILES))
def test_fixture_fix(path: Path, settings_for: Callable[[Path, str], Settings], update_fixtures: bool) -> None:
    data, decoded = read(path)
    settings = settings_for(path, decoded.text)
    outcome = fix_text(decoded.text, _relative(path), settings, module_name=module_name_for(str(path)))
    assert not outcome.errors, [error.describe() for error in outcome.errors]
    fixed = decoded.encode(outcome.source)
    twin = twin_of(path)
    if update_fixtures:
        if fixed != data:
            twin.write_bytes(fixed)
        elif twin.exists():
            twin.unlink()
        return
    if twin.exists():
        assert fixed != data, f"{path.name}: nothing is fixed, so {twin.name} should not exist (--update-fixtures)"
        assert fixed == twin.read_bytes(), f"{path.name}: --fix --unsafe-fixes does not produce {twin.name} (--update-fixtures)"
    else:
        assert fixed == data, f"{path.name} has no twin, yet fixing changes it (create it with --update-fixtures)"


@pytest.mark.parametrize("twin", TWIN_FILES, ids=_ids(TWIN_FILES))
def test_twin_is_fixed_and_stable(twin: Path, settings_for: Callable[[Path, str], Settings]) -> None:
    original = original_of(twin)
    assert original.exists(), f"{twin.name} is the twin of {original.name}, which does not exist"
    data, decoded = read(twin)
    settings = settings_for(original, read(original)[1].text)
    result = lint_source(decoded.text, _relative(twin), settings)
    assert not result.errors, [error.describe() for error in result.errors]
    left = [f"{d.line}: {d.code} {d.message}" for d in result.diagnostics if is_applicable(d, settings)]
    assert not left, f"{twin.name} still has applicable fixes: {left}"
    again = fix_text(decoded.text, _relative(twin), settings)
    assert decoded.encode(again.source) == data, f"fixing {twin.name} again changes it"


# -- the CLI path ---------------------------------------------------------------------------

# Keys the ``check`` command takes as flags; any other key goes to a config file.
_FLAGS = {"select": "--select", "extend-select": "--extend-select", "ignore": "--ignore", "target-version": "--target-version"}


def _cli_config(table: Dict[str, Any], folder: Path) -> List[str]:
    """Command-line options that configure a run as ``table`` does: flags alone when
    they can (``--isolated``), else a ``timeoutlint.toml`` (``--config``)."""
    if set(table) <= set(_FLAGS):
        options = ["--isolated"]
        for key, value in table.items():
            options += [_FLAGS[key], ",".join(value) if isinstance(value, list) else str(value)]
        return options
    folder.mkdir(parents=True, exist_ok=True)
    config = folder / "timeoutlint.toml"
    # JSON scalars and lists of strings are valid TOML values; pin the target so that no
    # pyproject.toml around the temporary folder can change it.
    table = {"target-version": "py39", **table}
    config.write_text("".join(f"{key} = {json.dumps(value)}\n" for key, value in table.items()), encoding="utf-8")
    return ["--config", str(config)]


def _run_cli(args: List[str], cwd: Path) -> Tuple[int, Dict[str, Any], str]:
    command = [sys.executable, "-m", "timeoutlint", "check", "--no-cache", "--output-format", "json", *args]
    completed = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=120)
    assert completed.returncode in (0, 1), f"exit {completed.returncode}: {completed.stderr}"
    try:
        report = json.loads(completed.stdout)
    except json.JSONDecodeError:
        pytest.fail(f"not JSON: {completed.stdout!r}\n{completed.stderr}")
    return completed.returncode, report, completed.stderr


@pytest.mark.parametrize("path", FIXTURE_FILES, ids=_ids(FIXTURE_FILES))
def test_fixture_findings_cli(path: Path, tmp_path: Path) -> None:
    _, decoded = read(path)
    options = _cli_config(fixture_table(path, decoded.text), tmp_path / "config")
    status, report, stderr = _run_cli([*options, _relative(path)], cwd=REPO_ROOT)
    assert report["errors"] == [], report["errors"]
    assert {d["path"] for d in report["diagnostics"]} <= {_relative(path)}
    expected = expected_findings(decoded.text)
    found = Counter((d["line"], d["code"]) for d in report["diagnostics"])
    assert found == expected, f"{path.name}: the CLI reports {sorted(found.elements())}, expected {sorted(expected.elements())}"
    assert status == (1 if expected else 0), stderr


@pytest.mark.parametrize("path", FIXTURE_FILES, ids=_ids(FIXTURE_FILES))
def test_fixture_fix_cli(path: Path, tmp_path: Path, update_fixtures: bool) -> None:
    if update_fixtures:
        pytest.skip("--update-fixtures: the twins are being rewritten")
    data, decoded = read(path)
    options = _cli_config(fixture_table(path, decoded.text), tmp_path / "config")
    work = tmp_path / "work"
    work.mkdir()
    copy = work / path.name
    shutil.copyfile(path, copy)
    _, report, _ = _run_cli([*options, "--fix", "--unsafe-fixes", path.name], cwd=work)
    assert report["errors"] == [], report["errors"]
    twin = twin_of(path)
    expected = twin.read_bytes() if twin.exists() else data
    assert copy.read_bytes() == expected, f"`check --fix --unsafe-fixes {path.name}` does not produce {twin.name if twin.exists() else 'the file unchanged'}"
