from __future__ import annotations

import math
from pathlib import Path
from typing import Any, Dict

import pytest

from timeoutlint import config
from timeoutlint.config import CliOverrides, ConfigError, find_config, load_settings, target_from_requires_python
from timeoutlint.settings import DEFAULT_EXCLUDES, Settings


class _FakeRule:
    options: Any = None

    def __init__(self, code: str, options: Any = None) -> None:
        self.code = code
        self.options = options


CODES = ("TL101", "TL102", "TL201", "TL301", "TL303", "TL305", "TL401")


@pytest.fixture(autouse=True)
def fake_rules(monkeypatch: pytest.MonkeyPatch) -> Dict[str, Any]:
    """Validation must read the registered codes at call time; these stand in for them."""
    rules: Dict[str, Any] = {code: _FakeRule(code) for code in CODES}
    rules["TL303"] = _FakeRule("TL303", {"extra-callables": list, "max-seconds": float, "strict": bool})
    rules["TL201"] = _FakeRule("TL201", {"a": int, "b": int})
    rules["TL301"] = _FakeRule("TL301", {"limit": lambda value: None if value in (1, 2) else f"expected 1 or 2, got {value!r}"})
    monkeypatch.setattr(config, "known_rules", lambda: rules)
    return rules


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def settings_from(tmp_path: Path, body: str, **kwargs: Any) -> Settings:
    write(tmp_path / "pyproject.toml", "[tool.timeoutlint]\n" + body)
    return load_settings(cwd=tmp_path, **kwargs)


def config_error(tmp_path: Path, body: str, **kwargs: Any) -> str:
    with pytest.raises(ConfigError) as info:
        settings_from(tmp_path, body, **kwargs)
    message = str(info.value)
    assert "\n" not in message
    return message


# -- each key --------------------------------------------------------------------------------


def test_defaults_without_any_config(tmp_path: Path) -> None:
    settings = load_settings(cwd=tmp_path)
    assert settings == Settings()
    assert settings.root == tmp_path
    assert settings.config_path is None


def test_every_key_is_parsed(tmp_path: Path) -> None:
    settings = settings_from(
        tmp_path,
        """
select = ["TL3", "TL101"]
extend-select = ["TL4"]
ignore = ["TL305"]
fixable = ["TL30"]
unfixable = ["TL303"]
exclude = ["generated/"]
extend-exclude = ["fixtures/", "!fixtures/keep.py"]
respect-gitignore = false
target-version = "py312"
unsafe-fixes = true
default-timeout = 30
budget-import = "mypkg.timeouts"
executor-import = "mypkg._pool"

[tool.timeoutlint.per-file-ignores]
"tests/*" = ["TL3"]
"scripts/run.py" = ["TL101", "TL2"]

[tool.timeoutlint.rules.TL303]
extra-callables = ["mylib.run", "mylib.call"]
max-seconds = 5
""",
    )
    assert settings.select == ("TL3", "TL101")
    assert settings.extend_select == ("TL4",)
    assert settings.ignore == ("TL305",)
    assert settings.fixable == ("TL30",)
    assert settings.unfixable == ("TL303",)
    assert settings.exclude == ("generated/",)
    assert settings.extend_exclude == ("fixtures/", "!fixtures/keep.py")
    assert settings.respect_gitignore is False
    assert settings.target_version == (3, 12)
    assert settings.unsafe_fixes is True
    assert settings.default_timeout == 30.0 and isinstance(settings.default_timeout, float)
    assert settings.budget_import == "mypkg.timeouts"
    assert settings.executor_import == "mypkg._pool"
    assert settings.per_file_ignores == (("tests/*", ("TL3",)), ("scripts/run.py", ("TL101", "TL2")))
    assert settings.options_for("TL303") == {"extra-callables": ("mylib.run", "mylib.call"), "max-seconds": 5}
    assert settings.root == tmp_path
    assert settings.config_path == tmp_path / "pyproject.toml"
    hash(settings)  # rule options are frozen so Settings stays hashable


def test_exclude_replaces_defaults_and_extend_exclude_adds(tmp_path: Path) -> None:
    assert settings_from(tmp_path, 'extend-exclude = ["gen"]').exclude == DEFAULT_EXCLUDES
    assert settings_from(tmp_path, 'exclude = ["gen"]').exclude == ("gen",)


def test_all_is_a_synonym_for_tl(tmp_path: Path) -> None:
    assert settings_from(tmp_path, 'select = ["ALL"]').select == ("TL",)


def test_float_default_timeout(tmp_path: Path) -> None:
    assert settings_from(tmp_path, "default-timeout = 2.5").default_timeout == 2.5


def test_rules_without_options_reject_any(tmp_path: Path) -> None:
    message = config_error(tmp_path, "[tool.timeoutlint.rules.TL101]\nflag = true\n")
    assert message == "pyproject.toml: [tool.timeoutlint] rules.TL101: unknown option 'flag'; TL101 takes no options"


def test_rule_options_are_sorted(tmp_path: Path) -> None:
    settings = settings_from(
        tmp_path, "[tool.timeoutlint.rules.TL303]\nstrict = true\n[tool.timeoutlint.rules.TL201]\nb = 1\na = 2\n"
    )
    assert settings.rule_options == (("TL201", (("a", 2), ("b", 1))), ("TL303", (("strict", True),)))


# -- errors ------------------------------------------------------------------------------------


def test_unknown_key_suggests_the_closest(tmp_path: Path) -> None:
    message = config_error(tmp_path, 'selct = ["TL3"]')
    assert message == "pyproject.toml: unknown key 'selct' in [tool.timeoutlint]; did you mean 'select'?"


def test_snake_case_key_suggests_kebab_case(tmp_path: Path) -> None:
    assert "did you mean 'extend-select'?" in config_error(tmp_path, 'extend_select = ["TL3"]')


def test_unknown_key_without_close_match_lists_the_keys(tmp_path: Path) -> None:
    message = config_error(tmp_path, "zzzzzz = 1")
    assert "unknown key 'zzzzzz'" in message and "select" in message and "default-timeout" in message


def test_unknown_code_suggests_a_registered_code(tmp_path: Path) -> None:
    message = config_error(tmp_path, 'ignore = ["TL304"]')
    assert message == "pyproject.toml: [tool.timeoutlint] ignore: unknown rule code 'TL304'; did you mean 'TL303'?"
    # Ties go to the code sharing the longest prefix, then the numerically nearest.
    assert "'TL309'; did you mean 'TL305'?" in config_error(tmp_path, 'ignore = ["TL309"]')
    # A family with no rules is named as such (not "did you mean" a code of another family).
    assert "'TL999'; there is no TL9 family: TL1" in config_error(tmp_path, 'ignore = ["TL999"]')
    assert "'TL3O3'; did you mean 'TL303'?" in config_error(tmp_path, 'ignore = ["TL3O3"]')


def test_unknown_code_with_no_rules_registered(tmp_path: Path, fake_rules: Dict[str, Any]) -> None:
    fake_rules.clear()
    assert "'TL303'; did you mean 'TL'?" in config_error(tmp_path, 'select = ["TL303"]')
    assert settings_from(tmp_path, 'select = ["ALL"]\nignore = ["TL"]').ignore == ("TL",)


def test_unknown_prefix_is_rejected(tmp_path: Path) -> None:
    assert "unknown rule code 'TL9'" in config_error(tmp_path, 'select = ["TL9"]')
    assert "unknown rule code 'E501'" in config_error(tmp_path, 'select = ["E501"]')
    assert "unknown rule code ''" in config_error(tmp_path, 'select = [""]')


def test_lowercase_code_suggests_uppercase(tmp_path: Path) -> None:
    assert "did you mean 'TL303'?" in config_error(tmp_path, 'select = ["tl303"]')


@pytest.mark.parametrize("key", ["select", "extend-select", "ignore", "fixable", "unfixable"])
def test_codes_are_checked_in_every_code_key(tmp_path: Path, key: str) -> None:
    assert f"{key}: unknown rule code 'TL999'" in config_error(tmp_path, f'{key} = ["TL999"]')


def test_codes_in_per_file_ignores_are_checked(tmp_path: Path) -> None:
    message = config_error(tmp_path, '[tool.timeoutlint.per-file-ignores]\n"tests/*" = ["TL3O3"]\n')
    assert "per-file-ignores 'tests/*': unknown rule code 'TL3O3'; did you mean 'TL303'?" in message


def test_prefixes_of_registered_codes_are_valid(tmp_path: Path) -> None:
    assert settings_from(tmp_path, 'select = ["TL", "TL3", "TL30", "TL303"]').select == ("TL", "TL3", "TL30", "TL303")


def test_codes_are_read_at_call_time(tmp_path: Path, fake_rules: Dict[str, Any]) -> None:
    config_error(tmp_path, 'select = ["TL501"]')
    fake_rules["TL501"] = _FakeRule("TL501")
    assert settings_from(tmp_path, 'select = ["TL5"]').select == ("TL5",)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ('select = "TL3"', "select: expected a list of strings, got string 'TL3'"),
        ("select = [3]", "select: expected a list of strings"),
        ("extend-select = 1", "extend-select: expected a list of strings, got integer"),
        ("ignore = {a = 1}", "ignore: expected a list of strings, got table"),
        ("fixable = true", "fixable: expected a list of strings, got boolean"),
        ("unfixable = 1.5", "unfixable: expected a list of strings, got float"),
        ('exclude = "build"', "exclude: expected a list of strings"),
        ("extend-exclude = [1]", "extend-exclude: expected a list of strings"),
        ('respect-gitignore = "yes"', "respect-gitignore: expected a boolean, got string"),
        ("unsafe-fixes = 1", "unsafe-fixes: expected a boolean, got integer"),
        ("target-version = 310", "target-version: expected a string, one of py39"),
        ('target-version = "py38"', "target-version: unknown target version 'py38'"),
        ('target-version = "py3.10"', "target-version: unknown target version 'py3.10'; did you mean 'py310'?"),
        ('default-timeout = "30"', "default-timeout: expected a positive number of seconds, got string"),
        ("default-timeout = true", "default-timeout: expected a positive number of seconds, got boolean"),
        ("default-timeout = 0", "default-timeout: expected a positive, finite number"),
        ("default-timeout = -5", "default-timeout: expected a positive, finite number"),
        ("default-timeout = inf", "default-timeout: expected a positive, finite number"),
        ("default-timeout = nan", "default-timeout: expected a positive, finite number"),
        ("budget-import = 1", "budget-import: expected a dotted module name, got integer"),
        ('budget-import = "my-pkg.x"', "budget-import: 'my-pkg.x' is not a dotted module name"),
        ('executor-import = "pkg..x"', "executor-import: 'pkg..x' is not a dotted module name"),
        ('executor-import = "pkg.class"', "executor-import: 'pkg.class' is not a dotted module name"),
        ('per-file-ignores = ["tests/*"]', "per-file-ignores: expected a table of glob -> list of codes"),
        ('per-file-ignores = {"tests/*" = "TL3"}', "per-file-ignores 'tests/*': expected a list of strings"),
        ('rules = ["TL303"]', "rules: expected a table of rule code -> options"),
        ("rules = {TL303 = 1}", "rules.TL303: expected a table of options, got integer"),
        ("rules.TL304.x = 1", "rules: unknown rule code 'TL304'; did you mean 'TL303'?"),
        ("rules.TL3.x = 1", "rules: unknown rule code 'TL3'"),
        ("rules.TL303.extra-callable = []", "rules.TL303: unknown option 'extra-callable'; did you mean 'extra-callables'?"),
        ("rules.TL303.zzz = []", "rules.TL303: unknown option 'zzz'; TL303 takes extra-callables, max-seconds, strict"),
        ('rules.TL303.extra-callables = "a.b"', "rules.TL303.extra-callables: expected list, got string 'a.b'"),
        ('rules.TL303.max-seconds = "5"', "rules.TL303.max-seconds: expected number, got string"),
        ("rules.TL303.strict = 1", "rules.TL303.strict: expected boolean, got integer"),
        ("rules.TL303.max-seconds = true", "rules.TL303.max-seconds: expected number, got boolean"),
    ],
)
def test_bad_values_name_the_key_and_the_expectation(tmp_path: Path, body: str, expected: str) -> None:
    message = config_error(tmp_path, body + "\n")
    assert message.startswith("pyproject.toml: ")
    assert expected in message


def test_tool_timeoutlint_must_be_a_table(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", "[tool]\ntimeoutlint = 1\n")
    with pytest.raises(ConfigError, match="^pyproject.toml: tool.timeoutlint must be a table"):
        load_settings(cwd=tmp_path)


def test_errors_name_a_file_outside_cwd_by_its_path(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[tool.timeoutlint]\nselct = ["TL3"]\n')
    (tmp_path / "sub").mkdir()
    with pytest.raises(ConfigError) as info:
        load_settings(cwd=tmp_path / "sub")
    assert str(info.value).startswith(f"{tmp_path / 'pyproject.toml'}: unknown key 'selct'")


def test_invalid_toml_in_a_timeoutlint_pyproject_is_an_error(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", "[tool.timeoutlint]\nselect = [\n")
    with pytest.raises(ConfigError, match="^pyproject.toml: invalid TOML"):
        load_settings(cwd=tmp_path)


def test_invalid_unrelated_pyproject_is_skipped(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[tool.timeoutlint]\nselect = ["TL3"]\n')
    write(tmp_path / "sub" / "pyproject.toml", "[project\nname = 'x'\n")
    settings = load_settings(cwd=tmp_path / "sub")
    assert settings.select == ("TL3",)


# -- requires-python -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "target"),
    [
        (">=3.10", (3, 10)),
        (">=3.9,<4", (3, 9)),
        ("~=3.12", (3, 12)),
        ("==3.11.*", (3, 11)),
        (">=3.10.4", (3, 10)),
        (">3.10", (3, 10)),  # 3.10.1 satisfies it
        ("==3.13.2", (3, 13)),
        (">=3.8", (3, 9)),
        ("", (3, 9)),
        (">=3.15", (3, 9)),  # nothing in range: the default
        ("<3.9", (3, 9)),
        ("not a spec", (3, 9)),
        (">=3.11,!=3.11.*", (3, 12)),
    ],
)
def test_target_from_requires_python(spec: str, target: tuple) -> None:
    assert target_from_requires_python(spec) == target


def test_target_version_defaults_from_requires_python(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[project]\nrequires-python = ">=3.11"\n[tool.timeoutlint]\n')
    assert load_settings(cwd=tmp_path).target_version == (3, 11)


def test_explicit_target_version_wins_over_requires_python(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[project]\nrequires-python = ">=3.11"\n[tool.timeoutlint]\ntarget-version = "py313"\n')
    assert load_settings(cwd=tmp_path).target_version == (3, 13)


def test_requires_python_without_timeoutlint_config(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[project]\nname = "x"\nrequires-python = ">=3.12"\n')
    (tmp_path / "src" / "pkg").mkdir(parents=True)
    settings = load_settings(cwd=tmp_path / "src" / "pkg")
    assert settings.config_path is None
    assert settings.root == tmp_path / "src" / "pkg"
    assert settings.target_version == (3, 12)


def test_requires_python_next_to_a_timeoutlint_toml(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[project]\nrequires-python = ">=3.10"\n')
    write(tmp_path / "timeoutlint.toml", 'select = ["TL3"]\n')
    settings = load_settings(cwd=tmp_path)
    assert settings.config_path == tmp_path / "timeoutlint.toml"
    assert settings.target_version == (3, 10)


def test_unparsable_requires_python_falls_back(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[project]\nrequires-python = "three"\n[tool.timeoutlint]\n')
    assert load_settings(cwd=tmp_path).target_version == (3, 9)


# -- finding the config --------------------------------------------------------------------


def test_nearest_config_walking_up(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[tool.timeoutlint]\nselect = ["TL1"]\n')
    write(tmp_path / "a" / "pyproject.toml", '[tool.timeoutlint]\nselect = ["TL2"]\n')
    write(tmp_path / "a" / "b" / "pyproject.toml", '[project]\nname = "no-table"\n')
    (tmp_path / "a" / "b" / "c").mkdir()
    assert find_config(tmp_path / "a" / "b" / "c") == tmp_path / "a" / "pyproject.toml"
    settings = load_settings(cwd=tmp_path / "a" / "b" / "c")
    assert settings.select == ("TL2",)
    assert settings.root == tmp_path / "a"
    assert find_config(tmp_path) == tmp_path / "pyproject.toml"


def test_no_config_found(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[project]\nname = "x"\n[tool.black]\nline-length = 1\n')
    assert find_config(tmp_path) is None


def test_timeoutlint_toml_takes_precedence_in_the_same_dir(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[tool.timeoutlint]\nselect = ["TL1"]\n')
    write(tmp_path / "timeoutlint.toml", 'select = ["TL2"]\n')
    assert find_config(tmp_path) == tmp_path / "timeoutlint.toml"
    assert load_settings(cwd=tmp_path).select == ("TL2",)
    write(tmp_path / ".timeoutlint.toml", 'select = ["TL3"]\n')
    assert find_config(tmp_path) == tmp_path / ".timeoutlint.toml"
    assert load_settings(cwd=tmp_path).select == ("TL3",)


def test_nearer_pyproject_beats_farther_timeoutlint_toml(tmp_path: Path) -> None:
    write(tmp_path / "timeoutlint.toml", 'select = ["TL1"]\n')
    write(tmp_path / "sub" / "pyproject.toml", '[tool.timeoutlint]\nselect = ["TL2"]\n')
    assert load_settings(cwd=tmp_path / "sub").select == ("TL2",)


def test_standalone_file_errors_have_no_table_name(tmp_path: Path) -> None:
    write(tmp_path / "timeoutlint.toml", 'selct = ["TL3"]\nignore = ["TL999"]\n')
    with pytest.raises(ConfigError) as info:
        load_settings(cwd=tmp_path)
    assert str(info.value) == "timeoutlint.toml: unknown key 'selct'; did you mean 'select'?"
    write(tmp_path / "timeoutlint.toml", 'ignore = ["TL304"]\n')
    with pytest.raises(ConfigError) as info:
        load_settings(cwd=tmp_path)
    assert str(info.value) == "timeoutlint.toml: ignore: unknown rule code 'TL304'; did you mean 'TL303'?"


# -- --config and --isolated ---------------------------------------------------------------


def test_explicit_config_file(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[tool.timeoutlint]\nselect = ["TL1"]\n')
    write(tmp_path / "conf" / "lint.toml", 'select = ["TL4"]\n')
    settings = load_settings(cwd=tmp_path, config_file=Path("conf/lint.toml"))
    assert settings.select == ("TL4",)
    assert settings.config_path == tmp_path / "conf" / "lint.toml"
    assert settings.root == tmp_path / "conf"


def test_explicit_pyproject_uses_its_table(tmp_path: Path) -> None:
    other = write(tmp_path / "other" / "pyproject.toml", '[project]\nrequires-python = ">=3.13"\n[tool.timeoutlint]\nignore = ["TL2"]\n')
    settings = load_settings(cwd=tmp_path, config_file=other)
    assert settings.ignore == ("TL2",)
    assert settings.target_version == (3, 13)


def test_explicit_pyproject_without_table_gives_defaults(tmp_path: Path) -> None:
    other = write(tmp_path / "pyproject.toml", '[project]\nname = "x"\n')
    assert load_settings(cwd=tmp_path, config_file=other).select == ("TL",)


@pytest.mark.parametrize(
    ("content", "expected"),
    [(None, "cannot read config file"), ("select = [", "invalid TOML"), (b"\xff\xfe = 1", "invalid TOML")],
)
def test_explicit_config_file_problems(tmp_path: Path, content: Any, expected: str) -> None:
    path = tmp_path / "lint.toml"
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content)
    with pytest.raises(ConfigError, match=f"^lint.toml: {expected}"):
        load_settings(cwd=tmp_path, config_file=Path("lint.toml"))


def test_explicit_config_directory_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="is a directory"):
        load_settings(cwd=tmp_path, config_file=tmp_path)


def test_isolated_ignores_config_files(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[project]\nrequires-python = ">=3.12"\n[tool.timeoutlint]\nselect = ["TL1"]\nbogus = 1\n')
    settings = load_settings(cwd=tmp_path, isolated=True, overrides=CliOverrides(ignore=("TL3",)))
    assert settings.select == ("TL",)
    assert settings.ignore == ("TL3",)
    assert settings.target_version == (3, 9)
    assert settings.config_path is None
    assert settings.root == tmp_path


def test_isolated_with_config_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="--config and --isolated"):
        load_settings(cwd=tmp_path, isolated=True, config_file=Path("x.toml"))


# -- command line over config --------------------------------------------------------------


def test_cli_overrides_take_precedence(tmp_path: Path) -> None:
    write(
        tmp_path / "pyproject.toml",
        """[project]
requires-python = ">=3.10"
[tool.timeoutlint]
select = ["TL1"]
extend-select = ["TL2"]
ignore = ["TL101"]
fixable = ["TL1"]
unfixable = ["TL102"]
unsafe-fixes = false
default-timeout = 10
extend-exclude = ["a/"]
respect-gitignore = true
""",
    )
    overrides = CliOverrides(
        select=("TL3",),
        extend_select=("TL4",),
        ignore=("TL305",),
        fixable=("TL30",),
        unfixable=("TL303",),
        target_version="py311",
        unsafe_fixes=True,
        default_timeout=2.5,
        extend_exclude=("b/",),
        respect_gitignore=False,
    )
    settings = load_settings(cwd=tmp_path, overrides=overrides)
    assert settings.select == ("TL3",)
    assert settings.extend_select == ("TL4",)  # a CLI --select starts afresh, as in Ruff
    assert settings.ignore == ("TL101", "TL305")
    assert settings.fixable == ("TL30",)
    assert settings.unfixable == ("TL303",)
    assert settings.target_version == (3, 11)
    assert settings.unsafe_fixes is True
    assert settings.default_timeout == 2.5
    assert settings.extend_exclude == ("a/", "b/")
    assert settings.respect_gitignore is False


def test_cli_extend_select_extends_config(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[tool.timeoutlint]\nselect = ["TL1"]\nextend-select = ["TL2"]\n')
    settings = load_settings(cwd=tmp_path, overrides=CliOverrides(extend_select=("TL4",)))
    assert settings.select == ("TL1",)
    assert settings.extend_select == ("TL2", "TL4")


def test_unset_overrides_keep_config(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[tool.timeoutlint]\nunsafe-fixes = true\ndefault-timeout = 3\nrespect-gitignore = false\n')
    settings = load_settings(cwd=tmp_path, overrides=CliOverrides())
    assert (settings.unsafe_fixes, settings.default_timeout, settings.respect_gitignore) == (True, 3.0, False)


def test_cli_false_overrides_config_true(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", "[tool.timeoutlint]\nunsafe-fixes = true\n")
    assert load_settings(cwd=tmp_path, overrides=CliOverrides(unsafe_fixes=False)).unsafe_fixes is False


def test_cli_comma_separated_codes(tmp_path: Path) -> None:
    settings = load_settings(cwd=tmp_path, overrides=CliOverrides(select=("TL3,TL101", "ALL")))
    assert settings.select == ("TL3", "TL101", "TL")


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        (CliOverrides(select=("TL999",)), "--select: unknown rule code 'TL999'"),
        (CliOverrides(extend_select=("TL304",)), "--extend-select: unknown rule code 'TL304'; did you mean 'TL303'?"),
        (CliOverrides(ignore=("XX",)), "--ignore: unknown rule code 'XX'"),
        (CliOverrides(fixable=("TL9",)), "--fixable: unknown rule code 'TL9'"),
        (CliOverrides(unfixable=("TL9",)), "--unfixable: unknown rule code 'TL9'"),
        (CliOverrides(target_version="py38"), "--target-version: unknown target version 'py38'"),
        (CliOverrides(default_timeout=0.0), "--default-timeout: expected a positive, finite number"),
        (CliOverrides(default_timeout=math.inf), "--default-timeout: expected a positive, finite number"),
        (CliOverrides(extend_exclude=("!",)), "--extend-exclude: invalid gitignore pattern '!'"),
    ],
)
def test_cli_values_are_checked(tmp_path: Path, overrides: CliOverrides, expected: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_settings(cwd=tmp_path, overrides=overrides)
    assert str(info.value).startswith(expected)


def test_known_rules_reads_the_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.undo()  # the real function, not the fixture's stand-in
    from timeoutlint.rule import all_rules

    assert sorted(config.known_rules()) == [rule.code for rule in all_rules()]


def test_an_option_checked_by_a_function_reports_its_problem(tmp_path: Path) -> None:
    assert settings_from(tmp_path, "[tool.timeoutlint.rules.TL301]\nlimit = 2\n").options_for("TL301") == {"limit": 2}
    message = config_error(tmp_path, "[tool.timeoutlint.rules.TL301]\nlimit = 3\n")
    assert message == "pyproject.toml: [tool.timeoutlint] rules.TL301.limit: expected 1 or 2, got 3"


# -- blocking-calls: the real TL30x rules' option -------------------------------------------


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ('blocking-calls = "mypkg.fetch"', "rules.TL304.blocking-calls: expected a list of tables"),
        ('blocking-calls = ["mypkg.fetch"]', "rules.TL304.blocking-calls: entry 1: expected a table"),
        ('blocking-calls = [{timeout = "t"}]', "entry 1: 'name' (the qualified name of the callable) is required"),
        ('blocking-calls = [{name = "fetch"}]', "entry 1: name 'fetch' is not a qualified name such as 'mypkg.client.fetch'"),
        ('blocking-calls = [{name = "a.b", timeot = "t"}]', "entry 1: unknown key 'timeot'; did you mean 'timeout'?"),
        ('blocking-calls = [{name = "a.b", zzz = 1}]', "entry 1: unknown key 'zzz'; expected name, timeout, position"),
        ('blocking-calls = [{name = "a.b", position = "2"}]', "entry 1: position must be a whole number, got '2'"),
        ('blocking-calls = [{name = "a.b", position = true}]', "entry 1: position must be a whole number, got True"),
        ('blocking-calls = [{name = "a.b"}, {name = "c.d", position = -1}]', "entry 2: position must be 0 or more, got -1"),
        ('blocking-calls = [{name = "a.b", timeout = "max time"}]', "entry 1: timeout 'max time' is not a parameter name"),
        ("blocking-call = []", "rules.TL304: unknown option 'blocking-call'; did you mean 'blocking-calls'?"),
    ],
)
def test_blocking_calls_is_validated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, body: str, expected: str) -> None:
    monkeypatch.undo()  # the registered rules and their real schemas
    message = config_error(tmp_path, f"[tool.timeoutlint.rules.TL304]\n{body}\n")
    assert message.startswith("pyproject.toml: [tool.timeoutlint] rules.TL304")
    assert expected in message


def test_blocking_calls_is_read(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.undo()
    settings = settings_from(
        tmp_path, '[tool.timeoutlint.rules.TL302]\nblocking-calls = [{name = "mypkg.sync.Latch.wait", position = 0}]\n'
    )
    assert settings.options_for("TL302") == {"blocking-calls": ((("name", "mypkg.sync.Latch.wait"), ("position", 0)),)}
