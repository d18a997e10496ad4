from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Iterable, List

import pytest

from timeoutlint.discovery import discover, is_excluded
from timeoutlint.ftypes import LintError
from timeoutlint.settings import Settings


def touch(root: Path, *names: str) -> None:
    for name in names:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x = 1\n")


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def files(paths: Iterable[str], root: Path, **settings: Any) -> List[str]:
    found, errors = discover(list(paths), Settings(root=root, **settings))
    assert errors == []
    return found


def test_display_paths_are_as_given(project: Path) -> None:
    touch(project, "a.py", "pkg/b.py", "pkg/sub/c.py")
    assert files(["."], project) == ["a.py", "pkg/b.py", "pkg/sub/c.py"]
    assert files(["./"], project) == ["a.py", "pkg/b.py", "pkg/sub/c.py"]
    assert files(["pkg"], project) == ["pkg/b.py", "pkg/sub/c.py"]
    assert files(["pkg/"], project) == ["pkg/b.py", "pkg/sub/c.py"]
    assert files(["./pkg/sub"], project) == ["pkg/sub/c.py"]
    assert files([str(project / "pkg")], project) == [str(project / "pkg" / "b.py"), str(project / "pkg" / "sub" / "c.py")]
    os.chdir(project / "pkg")
    assert files([".."], project) == ["../a.py", "../pkg/b.py", "../pkg/sub/c.py"]


def test_sorted_and_deduplicated(project: Path) -> None:
    touch(project, "z.py", "a.py", "m/b.py")
    assert files([".", "a.py", "./a.py", "m", "m/b.py"], project) == ["a.py", "m/b.py", "z.py"]


def test_only_python_sources_are_walked(project: Path) -> None:
    touch(project, "a.py", "stubs/a.pyi", "notes.txt", "a.pyc", "script", "pkg/data.json", "pyfile")
    assert files(["."], project) == ["a.py", "stubs/a.pyi"]


def test_explicit_files_are_always_linted(project: Path) -> None:
    touch(project, "build/gen.py", "script", ".venv/lib/x.py", "ignored.py", "fixtures/f.py")
    write(project / ".gitignore", "ignored.py\n")
    settings = {"extend_exclude": ("fixtures/",)}
    explicit = ["build/gen.py", "script", ".venv/lib/x.py", "ignored.py", "./fixtures/f.py"]
    assert files(explicit, project, **settings) == sorted(["build/gen.py", ".venv/lib/x.py", "fixtures/f.py", "ignored.py", "script"])
    assert files(["."], project, **settings) == []


@pytest.mark.parametrize(
    "excluded",
    [
        ".venv/lib/a.py",
        "venv/a.py",
        "lib/python3.12/site-packages/pkg/a.py",
        "pkg/__pycache__/a.py",
        "build/a.py",
        "pkg/build/a.py",
        "web/node_modules/pkg/a.py",
        "pkg.egg-info/a.py",
        ".git/hooks/a.py",
        ".tox/py39/a.py",
        "dist/a.py",
    ],
)
def test_default_excludes(project: Path, excluded: str) -> None:
    touch(project, "src/keep.py", excluded)
    assert files(["."], project) == ["src/keep.py"]
    # ``exclude`` replaces the defaults.
    assert files(["."], project, exclude=(), respect_gitignore=False) == sorted(["src/keep.py", excluded])


def test_extend_exclude_adds_to_the_defaults(project: Path) -> None:
    touch(project, "src/a.py", "fixtures/f.py", "tests/fixtures/g.py", "build/b.py", "gen/x.py", "gen/keep.py", "top.py", "src/top.py")
    settings = {"extend_exclude": ("fixtures/", "gen/*.py", "!gen/keep.py", "/top.py")}
    assert files(["."], project, **settings) == ["gen/keep.py", "src/a.py", "src/top.py"]


def test_exclude_is_anchored_at_the_root(project: Path) -> None:
    touch(project, "proj/src/gen/a.py", "proj/src/b.py", "proj/gen/c.py")
    root = project / "proj"
    settings = {"extend_exclude": ("/src/gen/",)}
    assert files(["proj"], root, **settings) == ["proj/gen/c.py", "proj/src/b.py"]
    assert files(["proj/src"], root, **settings) == ["proj/src/b.py"]
    os.chdir(root / "src")
    assert files(["."], root, **settings) == ["b.py"]


def test_path_outside_the_root_is_matched_relative_to_itself(project: Path) -> None:
    touch(project, "root/a.py", "elsewhere/gen/x.py", "elsewhere/y.py", "elsewhere/build/z.py")
    assert files(["elsewhere"], project / "root", extend_exclude=("/gen/",)) == ["elsewhere/y.py"]


def test_an_excluded_directory_named_explicitly_is_walked(project: Path) -> None:
    touch(project, "build/gen/a.py", "build/gen/__pycache__/b.py")
    assert files(["."], project) == []
    assert files(["build"], project) == ["build/gen/a.py"]
    assert files(["build/gen"], project) == ["build/gen/a.py"]


def test_nested_gitignore_files(project: Path) -> None:
    touch(
        project,
        "a.py",
        "local.py",
        "secret/s.py",
        "sub/local.py",
        "sub/deeper/local.py",
        "sub/gen.py",
        "sub/deeper/gen.py",
        "sub/b.py",
        "other/c.py",
    )
    write(project / ".gitignore", "# comment\nsecret/\n*.log\n")
    write(project / "sub" / ".gitignore", "local.py\n/gen.py\n")
    assert files(["."], project) == ["a.py", "local.py", "other/c.py", "sub/b.py", "sub/deeper/gen.py"]
    # Walking a subdirectory still honours the .gitignore files above it.
    assert files(["sub/deeper"], project) == ["sub/deeper/gen.py"]
    assert files(["."], project, respect_gitignore=False) == sorted(
        ["a.py", "local.py", "secret/s.py", "sub/local.py", "sub/deeper/local.py", "sub/gen.py", "sub/deeper/gen.py", "sub/b.py", "other/c.py"]
    )


def test_gitignore_negation(project: Path) -> None:
    touch(project, "gen_a.py", "gen_keep.py", "sub/gen_b.py", "sub/gen_keep.py", "sub/gen_local.py", "sub/x.py")
    write(project / ".gitignore", "gen_*.py\n!gen_keep.py\n")
    # A deeper .gitignore overrides a shallower one, both ways.
    write(project / "sub" / ".gitignore", "!gen_local.py\nx.py\n")
    assert files(["."], project) == ["gen_keep.py", "sub/gen_keep.py", "sub/gen_local.py"]


def test_negation_cannot_reinclude_inside_an_ignored_directory(project: Path) -> None:
    touch(project, "out/keep.py", "out/x.py")
    write(project / ".gitignore", "out/\n!out/keep.py\n")
    assert files(["."], project) == []


def test_exclude_negation(project: Path) -> None:
    touch(project, "a.py", "keep.py", "pkg/keep.py", "pkg/b.py")
    assert files(["."], project, exclude=("*.py", "!keep.py")) == ["keep.py", "pkg/keep.py"]


def test_git_info_exclude(project: Path) -> None:
    touch(project, "a.py", "private.py", "sub/private.py")
    write(project / ".git" / "info" / "exclude", "private.py\n")
    assert files(["."], project) == ["a.py"]
    assert files(["sub"], project) == []
    assert files(["."], project, respect_gitignore=False) == ["a.py", "private.py", "sub/private.py"]


def test_git_info_exclude_of_the_work_tree_above_the_root(project: Path) -> None:
    touch(project, "repo/proj/a.py", "repo/proj/private.py")
    write(project / "repo" / ".git" / "info" / "exclude", "private.py\n")
    write(project / "repo" / ".gitignore", "a.py\n")
    os.chdir(project / "repo" / "proj")
    assert files(["."], project / "repo" / "proj") == []


def test_gitignore_outside_the_root_and_not_in_a_repo_is_not_read(project: Path) -> None:
    touch(project, "proj/a.py")
    write(project / ".gitignore", "a.py\n")
    assert files(["proj"], project / "proj") == ["proj/a.py"]


def test_symlink_loop_terminates(project: Path) -> None:
    touch(project, "pkg/a.py", "pkg/sub/b.py")
    (project / "pkg" / "sub" / "loop").symlink_to(project / "pkg", target_is_directory=True)
    (project / "pkg" / "self").symlink_to(".", target_is_directory=True)
    assert files(["."], project) == ["pkg/a.py", "pkg/sub/b.py"]


def test_symlinked_directory_and_file_are_followed(project: Path) -> None:
    touch(project, "outside/lib.py", "proj/real.py")
    (project / "proj" / "linked").symlink_to(project / "outside", target_is_directory=True)
    (project / "proj" / "alias.py").symlink_to(project / "proj" / "real.py")
    os.chdir(project / "proj")
    assert files(["."], project / "proj") == ["alias.py", "linked/lib.py", "real.py"]


def test_dangling_symlink_is_skipped(project: Path) -> None:
    touch(project, "a.py")
    (project / "gone.py").symlink_to(project / "missing.py")
    (project / "gone_dir").symlink_to(project / "missing_dir", target_is_directory=True)
    assert files(["."], project) == ["a.py"]


def test_missing_path_is_an_error_and_the_rest_goes_on(project: Path) -> None:
    touch(project, "a.py")
    found, errors = discover(["nope.py", ".", "missing/dir"], Settings(root=project))
    assert found == ["a.py"]
    assert errors == [
        LintError("missing/dir", "No such file or directory"),
        LintError("nope.py", "No such file or directory"),
    ]


def test_unreadable_directory_is_an_error_and_the_walk_goes_on(project: Path) -> None:
    touch(project, "a.py", "locked/b.py", "open/c.py")
    (project / "locked").chmod(0)
    try:
        try:
            os.listdir(project / "locked")
        except PermissionError:
            pass
        else:  # root without dropped capabilities reads every directory
            pytest.skip("this user can read a directory with mode 000")
        found, errors = discover(["."], Settings(root=project))
    finally:
        (project / "locked").chmod(0o755)
    assert found == ["a.py", "open/c.py"]
    assert errors == [LintError("locked", "Permission denied")]


# -- is_excluded: the walk's verdict for one file (``--force-exclude``) ----------------------


def all_sources(root: Path) -> List[str]:
    return sorted(
        path.relative_to(root).as_posix() for path in root.rglob("*") if path.suffix in (".py", ".pyi") and path.is_file()
    )


@pytest.mark.parametrize("respect_gitignore", [True, False])
def test_is_excluded_agrees_with_the_walk(project: Path, respect_gitignore: bool) -> None:
    touch(
        project,
        "a.py",
        "build/b.py",
        "pkg/build/c.py",
        ".venv/lib/d.py",
        "gen_x.py",
        "gen_keep.py",
        "sub/gen_y.py",
        "sub/gen_local.py",
        "sub/local.py",
        "sub/deep/local.py",
        "sub/deep/e.py",
        "out/keep.py",
        "fixtures/f.py",
        "fixtures/keep.py",
        "private.py",
        "top.py",
        "pkg/top.py",
    )
    write(project / ".gitignore", "gen_*.py\n!gen_keep.py\nout/\n!out/keep.py\n")
    write(project / "sub" / ".gitignore", "!gen_local.py\nlocal.py\n")
    write(project / ".git" / "info" / "exclude", "private.py\n")
    settings = Settings(
        root=project, respect_gitignore=respect_gitignore, extend_exclude=("fixtures/*", "!fixtures/keep.py", "/top.py")
    )
    walked = set(discover(["."], settings)[0])
    for path in all_sources(project):
        assert is_excluded(path, settings) == (path not in walked), path
        assert is_excluded(str(project / path), settings) == (path not in walked), path
    assert "a.py" in walked and "fixtures/keep.py" in walked and "pkg/top.py" in walked


def test_is_excluded_outside_the_root(project: Path) -> None:
    touch(project, "root/a.py", "elsewhere/gen.py", "elsewhere/build/z.py", "elsewhere/y.py")
    settings = Settings(root=project / "root", extend_exclude=("gen.py",))
    assert is_excluded("elsewhere/gen.py", settings)
    assert not is_excluded("elsewhere/y.py", settings)
    assert not is_excluded("elsewhere/build/z.py", settings)  # only the file's own name is seen
