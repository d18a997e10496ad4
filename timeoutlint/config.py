"""Build :class:`~timeoutlint.settings.Settings` from the config file and the command line.

The config lives in ``[tool.timeoutlint]`` of the nearest ``pyproject.toml`` (walking up), or
top-level in a ``.timeoutlint.toml`` / ``timeoutlint.toml`` (like ``ruff.toml``), or in the
file named by ``--config``. Every key is checked: an unknown key, a value of the wrong type
or an unknown rule code raises :class:`ConfigError` with a one-line message naming the file,
the key and a suggestion (the CLI turns it into exit 2).
"""

from __future__ import annotations

import difflib
import keyword
import math
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Dict, Optional, Tuple

import pathspec
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

from timeoutlint.rule import all_rules
from timeoutlint.settings import SUPPORTED_TARGETS, Settings, format_target, parse_target

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python < 3.11 only
    import tomli as tomllib

PYPROJECT = "pyproject.toml"
# In one directory these win over pyproject.toml, first one first (as .ruff.toml/ruff.toml).
STANDALONE_NAMES = (".timeoutlint.toml", "timeoutlint.toml")
DEFAULT_TARGET = SUPPORTED_TARGETS[0]


class ConfigError(Exception):
    """A bad config file or CLI value; the message is one line naming where and what."""


@dataclass(frozen=True)
class CliOverrides:
    """What the command line says; None (or empty) means "not given"."""

    select: Optional[Tuple[str, ...]] = None
    extend_select: Optional[Tuple[str, ...]] = None
    ignore: Optional[Tuple[str, ...]] = None
    fixable: Optional[Tuple[str, ...]] = None
    unfixable: Optional[Tuple[str, ...]] = None
    target_version: Optional[str] = None
    unsafe_fixes: Optional[bool] = None
    default_timeout: Optional[float] = None
    extend_exclude: Tuple[str, ...] = ()
    respect_gitignore: Optional[bool] = None


def known_rules() -> Dict[str, Any]:
    """Registered rule classes by code, read at call time (tests may monkeypatch this)."""
    return {rule.code: rule for rule in all_rules()}


# -- finding and reading files ------------------------------------------------------------


def _read_toml(path: Path, label: str) -> Dict[str, Any]:
    try:
        with open(path, "rb") as handle:
            return tomllib.load(handle)
    except OSError as error:
        raise ConfigError(f"{label}: cannot read config file: {error.strerror or error}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ConfigError(f"{label}: invalid TOML: {error}") from None


def _pyproject_has_table(path: Path, label: str) -> Optional[Dict[str, Any]]:
    """The parsed pyproject when it has ``[tool.timeoutlint]``; a broken file is skipped
    unless it mentions timeoutlint (then the user meant it, and hears why it fails)."""
    try:
        data = _read_toml(path, label)
    except ConfigError:
        try:
            mentions = b"timeoutlint" in path.read_bytes()
        except OSError:
            mentions = False
        if mentions:
            raise
        return None
    tool = data.get("tool")
    return data if isinstance(tool, dict) and "timeoutlint" in tool else None


def _find(start: Path, cwd: Path) -> Optional[Tuple[Path, Dict[str, Any]]]:
    for directory in (start, *start.parents):
        for name in STANDALONE_NAMES:
            candidate = directory / name
            if candidate.is_file():
                return candidate, _read_toml(candidate, _label(candidate, cwd))
        candidate = directory / PYPROJECT
        if candidate.is_file():
            data = _pyproject_has_table(candidate, _label(candidate, cwd))
            if data is not None:
                return candidate, data
    return None


def find_config(start: Path, cwd: Optional[Path] = None) -> Optional[Path]:
    """The nearest config file at or above ``start`` (the one that governs the files of
    that folder), or None; ``cwd`` is where a broken file's name is shown from."""
    start = Path(os.path.abspath(start))
    found = _find(start, cwd or start)
    return found[0] if found else None


def _label(path: Path, cwd: Path) -> str:
    try:
        return path.relative_to(cwd).as_posix()
    except ValueError:
        return str(path)


# -- target version from requires-python -------------------------------------------------


def target_from_requires_python(text: str) -> Tuple[int, int]:
    """The lowest supported ``(3, minor)`` some patch release of which satisfies ``text``;
    py39 when the spec does not parse or admits nothing in range."""
    try:
        spec = SpecifierSet(text)
    except InvalidSpecifier:
        return DEFAULT_TARGET
    for major, minor in SUPPORTED_TARGETS:
        patches = {0, 99}
        for specifier in spec:
            try:
                release = Version(specifier.version.replace(".*", "")).release
            except InvalidVersion:
                continue
            if release[:2] == (major, minor) and len(release) > 2:
                patches.update((release[2], release[2] + 1))
        if any(spec.contains(f"{major}.{minor}.{patch}", prereleases=True) for patch in patches):
            return (major, minor)
    return DEFAULT_TARGET


def _requires_python(data: Dict[str, Any]) -> Optional[str]:
    project = data.get("project")
    value = project.get("requires-python") if isinstance(project, dict) else None
    return value if isinstance(value, str) else None


def _inferred_target(config: Optional[Path], data: Dict[str, Any], cwd: Path) -> Tuple[Tuple[int, int], str]:
    """The target version implied by ``requires-python`` and where it was read."""
    if config is not None and config.name == PYPROJECT and _requires_python(data):
        text = _requires_python(data) or ""
        return target_from_requires_python(text), f"requires-python {text!r} of {_label(config, cwd)}"
    start = config.parent if config is not None else cwd
    for directory in (start, *start.parents):
        candidate = directory / PYPROJECT
        if candidate.is_file():
            try:
                text = _requires_python(_read_toml(candidate, str(candidate)))
            except ConfigError:
                continue  # not our file: a broken unrelated pyproject is not our error
            if text is not None:
                return target_from_requires_python(text), f"requires-python {text!r} of {_label(candidate, cwd)}"
    return DEFAULT_TARGET, "the default (no requires-python found)"


# -- checking values -----------------------------------------------------------------------


def _suggest(word: str, candidates: Any, cutoff: float = 0.6) -> str:
    matches = difflib.get_close_matches(word, sorted(candidates), n=1, cutoff=cutoff)
    return f"; did you mean '{matches[0]}'?" if matches else ""


def _suggest_code(code: str, codes: Any) -> str:
    """The code sharing the longest prefix with ``code``, then the most similar, then the
    numerically nearest, then the first."""

    def score(candidate: str) -> Tuple[int, float, int]:
        numeric = code[2:].isdigit() and candidate[2:].isdigit()
        distance = abs(int(code[2:]) - int(candidate[2:])) if numeric else 0
        ratio = difflib.SequenceMatcher(None, code, candidate).ratio()
        return (len(os.path.commonprefix([code, candidate])), ratio, -distance)

    best = max(sorted(codes), key=score, default=None)
    if best is None or (score(best)[0] < 2 and score(best)[1] < 0.6):
        return ""
    return f"; did you mean '{best}'?"


_FAMILY_NAMES = {"executors": "executors", "aio": "asyncio", "waits": "unbounded waits", "budgets": "budgets"}


def _families(codes: Dict[str, Any]) -> str:
    """``TL1 (executors), TL2 (asyncio), ...``: the families that have rules, named by the
    package their rules live in."""
    named: Dict[str, str] = {}
    for code, rule in sorted(codes.items()):
        package = getattr(rule, "__module__", "").split(".")[-2:-1]
        named.setdefault(code[:3], _FAMILY_NAMES.get(package[0], package[0]) if package else "")
    return ", ".join(f"{family} ({name})" if name else family for family, name in named.items())


_TYPE_NAMES = {
    bool: "boolean", int: "integer", float: "float", str: "string", list: "list", tuple: "list", dict: "table"
}


def _got(value: Any) -> str:
    """``string 'x'``: the type and a short repr of a wrong value, for messages."""
    text = repr(value)
    text = text if len(text) <= 60 else text[:57] + "..."
    return f"{_TYPE_NAMES.get(type(value), type(value).__name__)} {text}"


class _Checker:
    """Checks values of one source (a config table or the command line) and names it in errors."""

    def __init__(self, label: str, table: str = "") -> None:
        self.label = label  # "pyproject.toml", or "" for the command line
        self.table = table  # "[tool.timeoutlint]", or "" for top-level keys / the command line

    def fail(self, key: str, problem: str) -> ConfigError:
        where = f"{self.label}: " if self.label else ""
        where += f"{self.table} " if self.table else ""
        return ConfigError(f"{where}{key}: {problem}")

    def wrong_type(self, key: str, value: Any, expected: str, example: str) -> ConfigError:
        return self.fail(key, f"expected {expected}, got {_got(value)}; e.g. {example}")

    def strings(self, key: str, value: Any, example: str) -> Tuple[str, ...]:
        if not isinstance(value, (list, tuple)) or not all(isinstance(item, str) for item in value):
            raise self.wrong_type(key, value, "a list of strings", example)
        return tuple(value)

    def code(self, key: str, code: str) -> str:
        codes = known_rules()
        normalized = "TL" if code == "ALL" else code
        if normalized.startswith("TL") and (normalized == "TL" or any(c.startswith(normalized) for c in codes)):
            return normalized
        if code.upper() != code and code.upper() in ("ALL", "TL", *codes):
            hint = f"; did you mean '{code.upper()}'?"
        elif codes and re.fullmatch(r"TL[0-9].*", code) and not any(c.startswith(code[:3]) for c in codes):
            hint = f"; there is no {code[:3]} family: {_families(codes)}"
        elif codes and re.fullmatch(r"TL[0-9].*", code):
            hint = _suggest_code(code, [c for c in codes if c.startswith(code[:3])])
        else:
            hint = _suggest_code(code, codes or ["TL"]) or (
                "; expected 'ALL', 'TL', a rule code or a code prefix such as 'TL3'"
            )
        raise self.fail(key, f"unknown rule code {code!r}{hint}")

    def codes(self, key: str, value: Any) -> Tuple[str, ...]:
        return tuple(self.code(key, code) for code in self.strings(key, value, f'{key} = ["TL3"]'))

    def patterns(self, key: str, value: Any) -> Tuple[str, ...]:
        patterns = self.strings(key, value, f'{key} = ["fixtures/"]')
        for pattern in patterns:
            try:
                pathspec.GitIgnoreSpec.from_lines([pattern])
            except Exception as error:  # pathspec raises assorted errors for bad patterns
                raise self.fail(key, f"invalid gitignore pattern {pattern!r}: {error}") from None
        return patterns

    def boolean(self, key: str, value: Any) -> bool:
        if not isinstance(value, bool):
            raise self.wrong_type(key, value, "a boolean", f"{key} = true")
        return value

    def target(self, key: str, value: Any) -> Tuple[int, int]:
        choices = [format_target(version) for version in SUPPORTED_TARGETS]
        if not isinstance(value, str):
            raise self.wrong_type(key, value, f"a string, one of {', '.join(choices)}", f'{key} = "py310"')
        version = parse_target(value)
        if version is None:
            hint = _suggest(value.replace(".", ""), choices) or f"; expected one of {', '.join(choices)}"
            raise self.fail(key, f"unknown target version {value!r}{hint}")
        return version

    def timeout(self, key: str, value: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.wrong_type(key, value, "a positive number of seconds", f"{key} = 30")
        if not math.isfinite(value) or value <= 0:
            problem = f"expected a positive, finite number of seconds, got {value!r}; e.g. {key} = 30"
            raise self.fail(key, problem)
        return float(value)

    def module(self, key: str, value: Any) -> str:
        example = f'{key} = "mypackage.timeouts"'
        if not isinstance(value, str):
            raise self.wrong_type(key, value, "a dotted module name", example)
        parts = value.split(".")
        if not all(part.isidentifier() and not keyword.iskeyword(part) for part in parts):
            raise self.fail(key, f"{value!r} is not a dotted module name; e.g. {example}")
        return value

    def per_file_ignores(self, key: str, value: Any) -> Tuple[Tuple[str, Tuple[str, ...]], ...]:
        if not isinstance(value, dict):
            raise self.wrong_type(key, value, "a table of glob -> list of codes", '"tests/*" = ["TL3"]')
        return tuple((glob, self.codes(f"{key} {glob!r}", codes)) for glob, codes in value.items())

    def rules(self, key: str, value: Any) -> Tuple[Tuple[str, Tuple[Tuple[str, Any], ...]], ...]:
        if not isinstance(value, dict):
            raise self.wrong_type(key, value, "a table of rule code -> options", "[tool.timeoutlint.rules.TL303]")
        rules = known_rules()
        result = []
        for code, options in value.items():
            where = f"{key}.{code}"
            if code not in rules:
                hint = _suggest_code(code, rules) or "; options go under a full rule code such as TL303"
                raise self.fail(key, f"unknown rule code {code!r}{hint}")
            if not isinstance(options, dict):
                raise self.wrong_type(where, options, "a table of options", f"[tool.timeoutlint.rules.{code}]")
            # A rule's ``options`` maps each option to its type(s), or to a function that
            # returns what is wrong with a value; a rule without options takes none.
            schema = getattr(rules[code], "options", None) or {}
            for name, option in options.items():
                if name not in schema:
                    takes = ", ".join(sorted(schema)) or "no options"
                    hint = _suggest(name, schema) or f"; {code} takes {takes}"
                    raise self.fail(where, f"unknown option {name!r}{hint}")
                expected_kind = schema[name]
                if callable(expected_kind) and not isinstance(expected_kind, type):
                    problem = expected_kind(option)
                    if problem:
                        raise self.fail(f"{where}.{name}", problem)
                elif not _is_instance(option, expected_kind):
                    expected = " or ".join(_expected_name(kind) for kind in _types(expected_kind))
                    raise self.fail(f"{where}.{name}", f"expected {expected}, got {_got(option)}")
            result.append((code, tuple(sorted((name, _freeze(option)) for name, option in options.items()))))
        return tuple(sorted(result))


def _types(expected: Any) -> Tuple[type, ...]:
    return expected if isinstance(expected, tuple) else (expected,)


def _is_instance(value: Any, expected: Any) -> bool:
    types = _types(expected)
    if isinstance(value, bool):
        return bool in types
    if isinstance(value, int) and float in types:
        return True
    if isinstance(value, list) and (list in types or tuple in types):
        return True
    return isinstance(value, types)


def _expected_name(kind: Any) -> str:
    return "number" if kind is float else _TYPE_NAMES.get(kind, getattr(kind, "__name__", str(kind)))


def _freeze(value: Any) -> Any:
    """TOML lists/tables as tuples, so that Settings stays hashable."""
    if isinstance(value, (list, tuple)):
        return tuple(_freeze(item) for item in value)
    if isinstance(value, dict):
        return tuple(sorted((key, _freeze(item)) for key, item in value.items()))
    return value


_KEYS: Dict[str, Tuple[str, Callable[[_Checker, str, Any], Any]]] = {
    "select": ("select", _Checker.codes),
    "extend-select": ("extend_select", _Checker.codes),
    "ignore": ("ignore", _Checker.codes),
    "per-file-ignores": ("per_file_ignores", _Checker.per_file_ignores),
    "exclude": ("exclude", _Checker.patterns),
    "extend-exclude": ("extend_exclude", _Checker.patterns),
    "respect-gitignore": ("respect_gitignore", _Checker.boolean),
    "target-version": ("target_version", _Checker.target),
    "unsafe-fixes": ("unsafe_fixes", _Checker.boolean),
    "fixable": ("fixable", _Checker.codes),
    "unfixable": ("unfixable", _Checker.codes),
    "default-timeout": ("default_timeout", _Checker.timeout),
    "budget-import": ("budget_import", _Checker.module),
    "executor-import": ("executor_import", _Checker.module),
    "rules": ("rule_options", _Checker.rules),
}


def _parse_table(table: Dict[str, Any], checker: _Checker) -> Dict[str, Any]:
    values: Dict[str, Any] = {}
    for key, value in table.items():
        if key not in _KEYS:
            where = f" in {checker.table}" if checker.table else ""
            hint = _suggest(key.replace("_", "-"), _KEYS) or f"; known keys: {', '.join(_KEYS)}"
            raise ConfigError(f"{checker.label}: unknown key {key!r}{where}{hint}")
        field_name, check = _KEYS[key]
        values[field_name] = check(checker, key, value)
    return values


def settings_from_table(table: Dict[str, Any], *, root: Optional[Path] = None, label: str = "settings") -> Settings:
    """``Settings`` from keys as written in ``[tool.timeoutlint]`` (for the API, editors and
    tests), validated exactly as a config file is: a bad key or value is a ConfigError."""
    values = _parse_table(dict(table), _Checker(label, ""))
    return Settings(**values, root=root or Path.cwd())


def _config_table(path: Path, data: Dict[str, Any], label: str) -> Tuple[Dict[str, Any], str]:
    if path.name != PYPROJECT:
        return data, ""
    tool = data.get("tool", {})
    table = tool.get("timeoutlint", {}) if isinstance(tool, dict) else {}
    if not isinstance(table, dict):
        raise ConfigError(f"{label}: tool.timeoutlint must be a table; write [tool.timeoutlint]")
    return table, "[tool.timeoutlint]"


def _split(codes: Optional[Tuple[str, ...]]) -> Optional[Tuple[str, ...]]:
    """CLI values may come comma-separated (``--select TL3,TL4``)."""
    if codes is None:
        return None
    return tuple(part.strip() for item in codes for part in item.split(",") if part.strip())


def _apply_overrides(values: Dict[str, Any], overrides: CliOverrides) -> None:
    cli = _Checker("")
    if overrides.select is not None:
        values["select"] = cli.codes("--select", _split(overrides.select))
        values["extend_select"] = ()  # a later select starts afresh, as in Ruff
    if overrides.extend_select:
        extra = cli.codes("--extend-select", _split(overrides.extend_select))
        values["extend_select"] = values.get("extend_select", ()) + extra
    if overrides.ignore:
        values["ignore"] = values.get("ignore", ()) + cli.codes("--ignore", _split(overrides.ignore))
    if overrides.fixable is not None:
        values["fixable"] = cli.codes("--fixable", _split(overrides.fixable))
    if overrides.unfixable is not None:
        values["unfixable"] = cli.codes("--unfixable", _split(overrides.unfixable))
    if overrides.target_version is not None:
        values["target_version"] = cli.target("--target-version", overrides.target_version)
    if overrides.unsafe_fixes is not None:
        values["unsafe_fixes"] = overrides.unsafe_fixes
    if overrides.default_timeout is not None:
        values["default_timeout"] = cli.timeout("--default-timeout", overrides.default_timeout)
    if overrides.extend_exclude:
        extra = cli.patterns("--extend-exclude", overrides.extend_exclude)
        values["extend_exclude"] = values.get("extend_exclude", ()) + extra
    if overrides.respect_gitignore is not None:
        values["respect_gitignore"] = overrides.respect_gitignore


def load_settings(
    *,
    cwd: Path,
    config_file: Optional[Path] = None,
    isolated: bool = False,
    overrides: CliOverrides = CliOverrides(),
) -> Settings:
    """Defaults, then the config file (unless ``isolated``), then the command line."""
    cwd = Path(os.path.abspath(cwd))
    if isolated and config_file is not None:
        raise ConfigError("--config and --isolated cannot be used together; drop one of them")
    path: Optional[Path] = None
    data: Dict[str, Any] = {}
    if config_file is not None:
        path = Path(os.path.abspath(cwd / config_file))
        if path.is_dir():
            raise ConfigError(f"{_label(path, cwd)}: is a directory; --config takes a .toml file")
        data = _read_toml(path, _label(path, cwd))
    elif not isolated:
        found = _find(cwd, cwd)
        if found is not None:
            path, data = found
    values: Dict[str, Any] = {}
    if path is not None:
        label = _label(path, cwd)
        table, table_name = _config_table(path, data, label)
        values = _parse_table(table, _Checker(label, table_name))
    if path is not None and "target_version" in values:
        target_source = f"target-version of {_label(path, cwd)}"
    elif isolated:
        target_source = "the default (--isolated)"
    else:
        values["target_version"], target_source = _inferred_target(path, data, cwd)
    if overrides.target_version is not None:
        target_source = "--target-version"
    _apply_overrides(values, overrides)
    root = path.parent if path is not None else cwd
    return Settings(**values, root=root, config_path=path, target_source=target_source)
