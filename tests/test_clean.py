"""``timeoutlint clean`` removes the result cache, and nothing that is not one."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def _run(args: list, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "timeoutlint", *args], cwd=cwd, capture_output=True, text=True, timeout=120)


def test_clean_removes_the_cache_a_check_wrote(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.timeoutlint]\n")
    (tmp_path / "a.py").write_text("import subprocess\nsubprocess.run(['ls'])\n")
    assert _run(["check", "a.py"], tmp_path).returncode == 1
    cache = tmp_path / ".timeoutlint_cache"
    assert any(cache.rglob("*.json"))
    done = _run(["clean"], tmp_path)
    assert done.returncode == 0 and "removed" in done.stdout
    assert not cache.exists()
    assert "no cache" in _run(["clean"], tmp_path).stdout


def test_clean_refuses_a_folder_that_is_not_a_cache(tmp_path: Path) -> None:
    keep = tmp_path / "important"
    keep.mkdir()
    (keep / "data.txt").write_text("x")
    done = _run(["clean", "--cache-dir", str(keep)], tmp_path)
    assert done.returncode != 0 and "not removed" in done.stderr
    assert (keep / "data.txt").exists()
