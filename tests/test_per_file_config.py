"""Per-file configuration (SPEC §4): a monorepo linted from its root gets each project's
settings, from the nearest config file of each file; ``--config`` gives one for all."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from cli_support import ALIAS, BAD, invoke, project, run, write  # noqa: F401 (fixture)


def _monorepo(root: Path) -> None:
    """Two projects under a root config: ``api`` ignores TL3, ``worker`` targets 3.11 through
    its requires-python (so TL106 does not apply there), the root selects everything."""
    write(root, "pyproject.toml", "[tool.timeoutlint]\nextend-exclude = ['generated/']\n")
    write(root, "tool.py", BAD)
    write(root, "api/pyproject.toml", "[tool.timeoutlint]\nignore = ['TL3']\nextend-exclude = ['legacy/']\n")
    write(root, "api/app.py", BAD + ALIAS)
    write(root, "api/legacy/old.py", BAD)
    write(root, "worker/pyproject.toml", "[project]\nname = 'w'\nrequires-python = '>=3.11'\n[tool.timeoutlint]\n")
    write(root, "worker/job.py", ALIAS + BAD)
    write(root, "generated/g.py", BAD)
    write(root, "worker/generated/kept.py", BAD)  # the root's exclude is anchored at the root


def _codes_by_path(stdout: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for diagnostic in json.loads(stdout)["diagnostics"]:
        found.setdefault(diagnostic["path"], []).append(diagnostic["code"])
    return {path: sorted(codes) for path, codes in found.items()}


def test_each_file_gets_its_projects_settings(project: Path) -> None:
    _monorepo(project)
    result = invoke("check", "--output-format", "json")
    assert _codes_by_path(result.stdout) == {
        "api/app.py": ["TL106"],  # TL3 ignored by api's config; api targets the default py39
        "tool.py": ["TL303"],
        "worker/generated/kept.py": ["TL303"],
        "worker/job.py": ["TL303"],  # no TL106: worker requires Python >= 3.11
    }


def test_the_same_from_inside_a_project_and_for_named_files(project: Path) -> None:
    _monorepo(project)
    named = invoke("check", "--output-format", "json", "api/app.py", "worker/job.py")
    assert _codes_by_path(named.stdout) == {"api/app.py": ["TL106"], "worker/job.py": ["TL303"]}
    inside = run("check", "--output-format", "json", ".", cwd=project / "api")
    assert _codes_by_path(inside.stdout.decode()) == {"app.py": ["TL106"]}


def test_config_overrides_for_every_file(project: Path) -> None:
    _monorepo(project)
    write(project, "strict.toml", "select = ['TL303']\n")
    result = invoke("check", "--output-format", "json", "--config", "strict.toml", "api", "worker")
    assert _codes_by_path(result.stdout) == {
        "api/app.py": ["TL303"],
        "api/legacy/old.py": ["TL303"],  # api's own exclude is not read under --config
        "worker/generated/kept.py": ["TL303"],
        "worker/job.py": ["TL303"],
    }


def test_command_line_options_override_every_projects_config(project: Path) -> None:
    _monorepo(project)
    result = invoke("check", "--output-format", "json", "--select", "TL303")
    # --select replaces each config's select; against api's own ignore of TL3 the more
    # specific TL303 wins, as prefixes do everywhere (settings.prefix_enabled).
    assert _codes_by_path(result.stdout) == {
        "api/app.py": ["TL303"],
        "tool.py": ["TL303"],
        "worker/generated/kept.py": ["TL303"],
        "worker/job.py": ["TL303"],
    }


def test_verbose_names_every_config_and_where_the_target_came_from(project: Path) -> None:
    _monorepo(project)
    result = run("check", "-v", cwd=project)
    stderr = result.stderr.decode()
    lines = [line for line in stderr.splitlines() if line.startswith("timeoutlint: config ")]
    assert len(lines) == 3, stderr
    assert any(str(project / "worker" / "pyproject.toml") in line and "py311" in line and "requires-python '>=3.11' of worker/pyproject.toml" in line for line in lines), lines
    assert any(str(project / "api" / "pyproject.toml") in line and "py39" in line and "default" in line for line in lines), lines


def test_stdin_filename_takes_the_config_of_that_path(project: Path) -> None:
    _monorepo(project)
    source = (BAD + ALIAS).encode()
    api = run("check", "--output-format", "json", "--stdin-filename", "api/new.py", "-", cwd=project, stdin=source)
    assert _codes_by_path(api.stdout.decode()) == {"api/new.py": ["TL106"]}
    worker = run("check", "--output-format", "json", "--stdin-filename", "worker/new.py", cwd=project, stdin=source)
    assert _codes_by_path(worker.stdout.decode()) == {"worker/new.py": ["TL303"]}


def test_a_bad_nested_config_is_exit_2_naming_it(project: Path) -> None:
    _monorepo(project)
    write(project, "api/pyproject.toml", "[tool.timeoutlint]\nignroe = ['TL3']\n")
    result = invoke("check")
    assert result.exit_code == 2
    assert "api/pyproject.toml" in result.stderr and "ignore" in result.stderr


def test_show_settings_of_a_nested_file(project: Path) -> None:
    _monorepo(project)
    result = invoke("check", "--show-settings", "worker/job.py")
    assert result.exit_code == 0
    text: Any = result.stdout
    assert "Settings for: worker/job.py" in text
    assert f"Config file: {project / 'worker' / 'pyproject.toml'}" in text
    assert 'target-version = "py311"  # from requires-python' in text
