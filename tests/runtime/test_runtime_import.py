"""Importing timeoutlint.runtime stays light: no linter, no libcst/click, stdlib only."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]

# Imports the runtime, then uses every idiom (asyncio scope, process pool), and reports which
# modules each step added.
PROBE = r"""
import asyncio, json, os, sys
before = set(sys.modules)
import timeoutlint.runtime as rt
after_import = set(sys.modules)

async def main():
    async with rt.Budget(60).async_timeout("probe"):
        await asyncio.sleep(0)

asyncio.run(main())
with rt.Budget(60).phase("probe"):
    rt.run_with_timeout(len, "abc", timeout=60)
    rt.shared_executor("probe", kind="process").submit(os.getpid).result(timeout=60)
after_use = set(sys.modules)
print(json.dumps({
    "imported": sorted(after_import - before),
    "used": sorted(after_use - before),
}))
"""

LINTER_DEPENDENCIES = {"libcst", "click", "tomli", "tomllib", "pathspec", "packaging", "yaml"}


@pytest.fixture(scope="module")
def probe() -> dict[str, list[str]]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    completed = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=str(REPO_ROOT),
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode == 0, completed.stderr
    result: dict[str, list[str]] = json.loads(completed.stdout)
    return result


def offenders(modules: list[str]) -> list[str]:
    return [
        module
        for module in modules
        if module.split(".")[0] in LINTER_DEPENDENCIES
        or (module.startswith("timeoutlint.") and not module.startswith("timeoutlint.runtime"))
    ]


def test_runtime_imports_nothing_from_the_linter_even_when_used(
    probe: dict[str, list[str]],
) -> None:
    assert "timeoutlint.runtime" in probe["imported"]
    assert offenders(probe["imported"]) == []
    assert offenders(probe["used"]) == []


def test_runtime_import_defers_asyncio_and_multiprocessing(
    probe: dict[str, list[str]],
) -> None:
    imported = probe["imported"]
    assert "asyncio" not in imported
    assert "multiprocessing" not in imported


@pytest.mark.skipif(
    not hasattr(sys, "stdlib_module_names"), reason="sys.stdlib_module_names is 3.10+"
)
def test_runtime_uses_only_the_standard_library(probe: dict[str, list[str]]) -> None:
    stdlib = set(getattr(sys, "stdlib_module_names"))
    top_level = {module.split(".")[0] for module in probe["used"]}
    # __mp_main__ is multiprocessing's alias of __main__, not a module of its own.
    third_party = {
        name for name in top_level if name not in stdlib | {"timeoutlint", "__mp_main__"}
    }
    assert third_party == set()
