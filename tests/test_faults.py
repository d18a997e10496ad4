"""Nothing is lost, ever (SPEC §8): Ctrl-C in the middle of a run, two --fix runs on one
tree at once, files that change or disappear during a run, files that cannot be written, a
cache that cannot serve, and symlinks into and out of the tree. Real processes where the
fault is about processes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, List

import pytest

from cli_support import invoke, project, write  # noqa: F401 (fixture)
import timeoutlint.api as api
from timeoutlint.api import RunOptions, check_paths
from timeoutlint.settings import Settings

CONFIG = "[tool.timeoutlint]\ndefault-timeout = 30\n"
CALL = "    subprocess.run(cmd)\n"
FIXED_CALL = "    subprocess.run(cmd, timeout=30)\n"


def _big_module(index: int, functions: int = 150) -> str:
    """A module that takes a while to lint and fix: many functions, each with a finding."""
    parts = ["import subprocess\n"]
    for number in range(functions):
        parts.append(f"\n\ndef task_{index}_{number}(cmd, items):\n    total = 0\n")
        parts.append("    for item in items:\n        total += len(str(item)) * 2\n")
        parts.append(CALL)
        parts.append("    return total\n")
    return "".join(parts)


def _tree(root: Path, files: int, functions: int = 150) -> dict[Path, str]:
    write(root, "pyproject.toml", CONFIG)
    originals = {}
    for index in range(files):
        text = _big_module(index, functions)
        originals[write(root, f"pkg/m{index:03}.py", text)] = text
    return originals


def _whole(path: Path, original: str) -> None:
    """The file is as it was, or completely fixed: never a mix, never broken."""
    text = path.read_text(encoding="utf-8")
    assert text in (original, original.replace(CALL, FIXED_CALL)), path
    compile(text, str(path), "exec")


def _leftovers(root: Path) -> List[Path]:
    return [p for p in root.rglob("*") if p.name.startswith(".timeoutlint-") or p.suffix == ".tmp"]


def _command(*args: str) -> List[str]:
    return [sys.executable, "-m", "timeoutlint", "check", *args]


@pytest.mark.skipif(sys.platform == "win32", reason="process groups and SIGINT")
def test_ctrl_c_stops_the_run_at_once_and_loses_nothing(project: Path) -> None:
    originals = _tree(project, files=40)
    # Ctrl-C on a terminal signals the whole foreground group: the run and its workers.
    process = subprocess.Popen(
        _command("--fix", "--unsafe-fixes", "--no-cache", "--jobs", "2"),
        cwd=project,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        time.sleep(4)  # the workers are busy with the tree by now (it takes far longer)
        assert process.poll() is None, "the run ended before it could be interrupted"
        interrupted = time.monotonic()
        os.killpg(process.pid, signal.SIGINT)
        stdout, stderr = process.communicate(timeout=60)
        took = time.monotonic() - interrupted
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
    assert process.returncode == 130, stderr.decode()
    assert took < 3.0, f"the run went on for {took:.1f}s after Ctrl-C"
    assert b"Traceback" not in stderr and b"Traceback" not in stdout
    assert stderr.decode().strip().splitlines()[-1] == "timeoutlint: interrupted"
    for path, original in originals.items():
        _whole(path, original)
    assert _leftovers(project) == []
    # No worker is left running.
    time.sleep(0.5)
    with pytest.raises(ProcessLookupError):
        os.killpg(process.pid, 0)


def test_two_fix_runs_at_once_leave_every_file_fixed_and_the_cache_sound(project: Path) -> None:
    originals = _tree(project, files=24, functions=20)
    runs = [
        subprocess.Popen(_command("--fix", "--unsafe-fixes", "--jobs", "2"), cwd=project, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for _ in range(2)
    ]
    for run in runs:
        _, stderr = run.communicate(timeout=600)
        assert run.returncode in (0, 1), stderr.decode()
        assert b"Traceback" not in stderr
    for path, original in originals.items():
        assert path.read_text(encoding="utf-8") == original.replace(CALL, FIXED_CALL), path
    assert _leftovers(project) == []
    # The cache the two runs wrote at once gives what a fresh run gives.
    cached = subprocess.run(_command("--output-format", "json"), cwd=project, capture_output=True, timeout=600)
    fresh = subprocess.run(_command("--output-format", "json", "--no-cache"), cwd=project, capture_output=True, timeout=600)
    assert cached.returncode == fresh.returncode == 0
    assert json.loads(cached.stdout) == json.loads(fresh.stdout)
    assert b"warning" not in cached.stderr


def test_a_file_edited_during_the_run_is_not_overwritten(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(project, "pyproject.toml", CONFIG)
    target = write(project, "a.py", "import subprocess\n" + CALL.strip() + "\n")
    other = write(project, "b.py", "import subprocess\n" + CALL.strip() + "\n")
    real_fix_text = api.fix_text

    def fix_while_someone_edits(source: str, path: str, *args: Any, **kwargs: Any) -> Any:
        outcome = real_fix_text(source, path, *args, **kwargs)
        if path == "a.py":  # the user saves the file while timeoutlint computes the fix
            target.write_text("import subprocess\nprint('edited')\n", encoding="utf-8")
        return outcome

    monkeypatch.setattr(api, "fix_text", fix_while_someone_edits)
    result = invoke("check", "--no-cache", "--fix", "--unsafe-fixes", "--output-format", "json")
    assert target.read_text(encoding="utf-8") == "import subprocess\nprint('edited')\n"
    assert other.read_text(encoding="utf-8") == "import subprocess\nsubprocess.run(cmd, timeout=30)\n"
    errors = json.loads(result.stdout)["errors"]
    assert [(e["path"], "changed during the run" in e["message"]) for e in errors] == [("a.py", True)]


def test_a_file_removed_before_it_is_read_is_one_error_entry(project: Path) -> None:
    write(project, "a.py", "import subprocess\n" + CALL.strip() + "\n")
    gone = write(project, "b.py", "x = 1\n")
    files = ["a.py", "b.py"]
    gone.unlink()  # discovered, then removed before the run reads it
    outcomes = check_paths(files, Settings(), RunOptions(use_cache=False))
    assert [(o.path, [e.message for e in o.result.errors]) for o in outcomes] == [
        ("a.py", []),
        ("b.py", ["No such file or directory"]),
    ]
    assert [d.code for d in outcomes[0].result.diagnostics] == ["TL303"]


def test_a_file_that_cannot_be_written_is_one_error_and_the_rest_is_fixed(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(project, "pyproject.toml", CONFIG)
    locked = write(project, "locked.py", "import subprocess\n" + CALL.strip() + "\n")
    free = write(project, "free.py", "import subprocess\n" + CALL.strip() + "\n")
    if os.geteuid() != 0:
        locked.chmod(0o444)
        project.chmod(0o555)  # the temporary file cannot be made beside it either
    else:  # root writes anywhere: refuse the replacement as a read-only file system would
        real_replace = os.replace

        def read_only(source: Any, destination: Any) -> None:
            if str(destination).endswith("locked.py"):
                raise PermissionError(13, "Permission denied")
            real_replace(source, destination)

        monkeypatch.setattr(os, "replace", read_only)
    try:
        result = invoke("check", "--no-cache", "--fix", "--unsafe-fixes", "--output-format", "json")
    finally:
        project.chmod(0o755)
    data = json.loads(result.stdout)
    assert [e["path"] for e in data["errors"]] == ["locked.py"]
    assert "could not write the fixed file" in data["errors"][0]["message"]
    assert locked.read_text(encoding="utf-8") == "import subprocess\nsubprocess.run(cmd)\n"
    assert free.read_text(encoding="utf-8") == "import subprocess\nsubprocess.run(cmd, timeout=30)\n"
    assert [d["path"] for d in data["diagnostics"]] == ["locked.py"]
    assert _leftovers(project) == []


# -- a cache that cannot serve: lint on without it, one warning -----------------------------------


def _findings(*args: str) -> tuple[list[tuple[str, int]], str]:
    result = invoke("check", "--output-format", "json", *args)
    data = json.loads(result.stdout)
    return [(d["path"], d["line"]) for d in data["diagnostics"]], result.stderr


def test_a_corrupted_cache_is_linted_around_with_one_warning(project: Path) -> None:
    for index in range(3):
        write(project, f"m{index}.py", "import subprocess\n" + CALL.strip() + "\n")
    expected, _ = _findings("--no-cache")
    assert _findings()[0] == expected  # fills the cache
    entries = [p for p in (project / ".timeoutlint_cache").rglob("*.json")]
    assert len(entries) == 3
    for entry in entries:
        entry.write_text('{"diagnostics": [{"code": ', encoding="utf-8")
    found, stderr = _findings()
    assert found == expected
    assert stderr.count("warning") == 1 and "corrupted" in stderr
    found, stderr = _findings()  # rewritten: served again, no warning
    assert found == expected and "warning" not in stderr


def test_a_cache_that_cannot_be_written_is_one_warning(project: Path) -> None:
    for index in range(3):
        write(project, f"m{index}.py", "import subprocess\n" + CALL.strip() + "\n")
    expected, _ = _findings("--no-cache")
    write(project, "not-a-folder", "a file where the cache folder would go\n")
    found, stderr = _findings("--cache-dir", "not-a-folder/cache")
    assert found == expected
    assert stderr.count("warning") == 1 and "not-a-folder" in stderr


def test_a_full_disk_under_the_cache_is_one_warning(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for index in range(3):
        write(project, f"m{index}.py", "import subprocess\n" + CALL.strip() + "\n")
    expected, _ = _findings("--no-cache")

    def full(*args: Any, **kwargs: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("timeoutlint.cache.json.dump", full)
    found, stderr = _findings()
    assert found == expected
    assert stderr.count("warning") == 1 and "No space left on device" in stderr
    assert _leftovers(project) == []


# -- symlinks -----------------------------------------------------------------------------------


@pytest.mark.skipif(sys.platform == "win32", reason="symlinks")
def test_symlinks_into_and_out_of_the_tree(project: Path, tmp_path: Path) -> None:
    write(project, "pyproject.toml", CONFIG)
    outside = tmp_path / "outside"
    outside.mkdir()
    shared = outside / "shared.py"
    shared.write_text("import subprocess\nsubprocess.run(cmd)\n", encoding="utf-8")
    write(project, "pkg/real.py", "import subprocess\nsubprocess.run(cmd)\n")
    (project / "linked.py").symlink_to(shared)  # out of the tree
    (project / "again").symlink_to(project / "pkg", target_is_directory=True)  # back into it
    found, _ = _findings()
    assert sorted(found) == [("linked.py", 2), ("pkg/real.py", 2)]  # each file once
    result = invoke("check", "--fix", "--unsafe-fixes")
    assert result.exit_code == 0, result.output
    assert (project / "linked.py").is_symlink()
    assert shared.read_text(encoding="utf-8") == "import subprocess\nsubprocess.run(cmd, timeout=30)\n"
    assert (project / "pkg" / "real.py").read_text(encoding="utf-8") == "import subprocess\nsubprocess.run(cmd, timeout=30)\n"
