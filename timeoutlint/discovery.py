"""Which files to lint: walk the paths given on the command line.

Directories are walked for ``*.py`` and ``*.pyi``, pruning what ``exclude``/``extend-exclude``
match (gitignore syntax, anchored at ``settings.root``) and, with ``respect-gitignore``, what
``.gitignore`` files (the root one and nested ones, each anchored at its own directory) and
``.git/info/exclude`` ignore. Git itself is never run: it may be slow or absent. A file named
on the command line is always linted. Paths are reported as the user wrote them (``src`` ->
``src/pkg/a.py``; ``.`` -> ``pkg/a.py``).

A directory named on the command line is walked even when it is itself excluded or ignored
(as in Ruff): it was asked for. Its contents are then matched relative to it.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Dict, List, Optional, Sequence, Set, Tuple

import pathspec

from timeoutlint.ftypes import LintError
from timeoutlint.settings import Settings

if TYPE_CHECKING:
    from timeoutlint.projects import SettingsResolver

SOURCE_SUFFIXES = (".py", ".pyi")

# A .gitignore (or info/exclude) and the directory its patterns are anchored at.
_Ignore = Tuple[str, pathspec.GitIgnoreSpec]
# A directory to walk: its path, its display path, the ignore files above it, and the
# excludes in force there with the directory they are anchored at.
_Pending = Tuple[str, str, Tuple[_Ignore, ...], Tuple[pathspec.GitIgnoreSpec, str]]


def _spec(lines: Sequence[str]) -> pathspec.GitIgnoreSpec:
    try:
        return pathspec.GitIgnoreSpec.from_lines(lines)
    except Exception:  # git skips a bad line; so do we, keeping the good ones
        good = []
        for line in lines:
            try:
                pathspec.GitIgnoreSpec.from_lines([line])
            except Exception:
                continue
            good.append(line)
        return pathspec.GitIgnoreSpec.from_lines(good)


def _read_ignore_file(path: str) -> Optional[pathspec.GitIgnoreSpec]:
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            lines = handle.read().splitlines()
    except OSError:
        return None
    return _spec(lines) if lines else None


def _verdict(spec: pathspec.GitIgnoreSpec, relative: str) -> Optional[bool]:
    """True: ignored, False: re-included by a ``!`` pattern, None: no pattern matches."""
    check = getattr(spec, "check_file", None)
    if check is not None:
        return check(relative).include  # type: ignore[no-any-return]
    verdict = None  # pathspec < 0.12 has no check_file: the last matching pattern decides
    for pattern in spec.patterns:
        if pattern.include is not None and pattern.match_file(relative) is not None:
            verdict = pattern.include
    return verdict


def _is_under(path: str, base: str) -> bool:
    return path == base or path.startswith(base if base.endswith(os.sep) else base + os.sep)


def _relative(path: str, base: str) -> str:
    """``path`` relative to ``base`` (an ancestor or itself), with ``/`` separators."""
    if path == base:
        return ""
    prefix = base if base.endswith(os.sep) else base + os.sep
    return path[len(prefix) :].replace(os.sep, "/")


def _ancestors(top: str, path: str) -> List[str]:
    """The directories from ``top`` down to ``path``'s parent (``top`` included)."""
    chain = []
    directory = os.path.dirname(path)
    while _is_under(directory, top):
        chain.append(directory)
        if directory == top:
            break
        directory = os.path.dirname(directory)
    return chain[::-1]


def _git_top(path: str) -> Optional[Tuple[str, str]]:
    """The work tree holding ``path`` and its git directory, found without running git."""
    directory = path
    while True:
        marker = os.path.join(directory, ".git")
        if os.path.isdir(marker):
            return directory, marker
        if os.path.isfile(marker):  # a worktree or submodule: "gitdir: <path>"
            try:
                with open(marker, encoding="utf-8") as handle:
                    text = handle.read().strip()
            except OSError:
                text = ""
            if text.startswith("gitdir:"):
                git_dir = os.path.join(directory, text[len("gitdir:") :].strip())
                common = os.path.join(git_dir, "commondir")
                if os.path.isfile(common):
                    with open(common, encoding="utf-8") as handle:
                        git_dir = os.path.join(git_dir, handle.read().strip())
                return directory, git_dir
        parent = os.path.dirname(directory)
        if parent == directory:
            return None
        directory = parent


def _display(arg: str) -> str:
    """The argument as the user wrote it, minus leading ``./`` and trailing ``/``."""
    separators = "/" + os.sep
    while arg[:1] == "." and arg[1:2] in tuple(separators) and arg[2:].strip(separators):
        arg = arg[2:].lstrip(separators)
    return arg.rstrip(separators) or arg[:1]


_CONFIG_NAMES = frozenset(("pyproject.toml", ".timeoutlint.toml", "timeoutlint.toml"))


def _exclude_spec(settings: Settings) -> pathspec.GitIgnoreSpec:
    return _spec(tuple(settings.exclude) + tuple(settings.extend_exclude))


class _Walker:
    def __init__(self, settings: Settings, resolver: Optional["SettingsResolver"] = None) -> None:
        self.settings = settings
        self.resolver = resolver
        self.root = os.path.abspath(settings.root)
        self.exclude = _exclude_spec(settings)
        self.files: Set[str] = set()
        self.errors: Dict[str, LintError] = {}

    def _error(self, path: str, message: str) -> None:
        self.errors.setdefault(path, LintError(path, message))

    def _gitignored(self, path: str, is_dir: bool, ignores: Tuple[_Ignore, ...]) -> bool:
        slash = "/" if is_dir else ""
        for base, spec in reversed(ignores):  # the deepest .gitignore speaks first
            verdict = _verdict(spec, _relative(path, base) + slash)
            if verdict is not None:
                return verdict
        return False

    def _ignored(
        self,
        path: str,
        is_dir: bool,
        exclude_base: str,
        ignores: Tuple[_Ignore, ...],
        exclude: Optional[pathspec.GitIgnoreSpec] = None,
    ) -> bool:
        spec = self.exclude if exclude is None else exclude
        if spec.match_file(_relative(path, exclude_base) + ("/" if is_dir else "")):
            return True
        return self._gitignored(path, is_dir, ignores)

    def _nested_project(self, directory: str, names: Set[str]) -> Optional[pathspec.GitIgnoreSpec]:
        """The excludes of a config file in ``directory`` itself (a project inside the one
        being walked): they govern its subtree, anchored there."""
        if self.resolver is None or self.resolver.one_for_all or not (names & _CONFIG_NAMES):
            return None
        config = self.resolver.config_of_directory(directory)
        if config is None or str(config.parent) != directory or os.path.abspath(self.settings.root) == directory:
            return None
        return _exclude_spec(self.resolver.settings_of_config(config))

    def _start(self, directory: str) -> Tuple[str, str, Tuple[_Ignore, ...]]:
        """Where to match the walk of ``directory`` from: its absolute path (the real one when
        only that lies under the root), the exclude anchor and the ignore files above it."""
        root = self.root
        if not _is_under(directory, root):
            real, real_root = os.path.realpath(directory), os.path.realpath(root)
            if _is_under(real, real_root):
                directory, root = real, real_root
        inside = _is_under(directory, root)
        exclude_base = root if inside else directory
        if inside and directory != root:
            if self.exclude.match_file(_relative(directory, root) + "/"):
                exclude_base = directory  # asked for explicitly: match inside it only
        ignores: Tuple[_Ignore, ...] = ()
        if self.settings.respect_gitignore:
            git = _git_top(directory)
            top = git[0] if git else (root if inside else None)
            found: List[_Ignore] = []
            if git is not None:
                spec = _read_ignore_file(os.path.join(git[1], "info", "exclude"))
                if spec is not None:
                    found.append((git[0], spec))
            for ancestor in _ancestors(top, directory) if top is not None else ():
                spec = _read_ignore_file(os.path.join(ancestor, ".gitignore"))
                if spec is not None:
                    found.append((ancestor, spec))
            ignores = tuple(found)
            if directory != top and self._gitignored(directory, True, ignores):
                ignores = ()  # asked for explicitly: only the .gitignore files inside count
        return directory, exclude_base, ignores

    def walk(self, arg: str) -> None:
        start, exclude_base, ignores = self._start(os.path.abspath(arg))
        display = _display(arg)
        # Directories reached through a symlink wait until the real ones are done, so that
        # a file is reported under its real path; (device, inode) pairs end symlink loops.
        scope = (self.exclude, exclude_base)
        pending: List[_Pending] = [(start, "" if display == "." else display, ignores, scope)]
        linked: List[_Pending] = []
        visited: Set[Tuple[int, int]] = set()
        while pending or linked:
            directory, shown, ignores, scope = pending.pop() if pending else linked.pop()
            try:
                status = os.stat(directory)
                if (status.st_dev, status.st_ino) in visited:
                    continue
                visited.add((status.st_dev, status.st_ino))
                with os.scandir(directory) as scan:
                    entries = sorted(scan, key=lambda entry: entry.name)
            except OSError as error:
                self._error(shown or ".", error.strerror or str(error))
                continue
            if self.settings.respect_gitignore and any(e.name == ".gitignore" for e in entries):
                spec = _read_ignore_file(os.path.join(directory, ".gitignore"))
                if spec is not None:
                    ignores = ignores + ((directory, spec),)
            nested = self._nested_project(directory, {entry.name for entry in entries})
            if nested is not None:
                scope = (nested, directory)
            exclude, exclude_base = scope
            for entry in entries:
                path = os.path.join(directory, entry.name)
                shown_path = os.path.join(shown, entry.name) if shown else entry.name
                try:
                    is_dir = entry.is_dir()  # follows symlinks; False when dangling
                    is_file = not is_dir and entry.name.endswith(SOURCE_SUFFIXES) and entry.is_file()
                except OSError:
                    continue
                if not (is_dir or is_file) or self._ignored(path, is_dir, exclude_base, ignores, exclude):
                    continue
                if is_file:
                    self.files.add(shown_path)
                else:
                    (linked if entry.is_symlink() else pending).append((path, shown_path, ignores, scope))

    def add(self, arg: str) -> None:
        try:
            status = os.stat(arg)
        except FileNotFoundError:
            self._error(arg, "No such file or directory")
            return
        except OSError as error:
            self._error(arg, error.strerror or str(error))
            return
        if os.path.isdir(arg):
            self.walk(arg)
        elif os.path.isfile(arg):
            self.files.add(_display(arg))  # named explicitly: linted whatever its name
        else:
            self._error(arg, f"Not a regular file or directory (mode {oct(status.st_mode)})")


def is_excluded(path: str, settings: Settings) -> bool:
    """Would a walk of the project skip the file ``path``, because ``exclude``/``extend-exclude``
    or (with ``respect-gitignore``) an ignore file matches it or one of its directories?
    (``--force-exclude`` asks this of files named on the command line.)"""
    walker = _Walker(settings)
    path, root = os.path.abspath(path), walker.root
    if not _is_under(path, root):
        real, real_root = os.path.realpath(path), os.path.realpath(root)
        if _is_under(real, real_root):
            path, root = real, real_root
    # Outside the root, patterns are matched relative to the file's own directory.
    exclude_base = root if _is_under(path, root) else os.path.dirname(path)
    ignores: List[_Ignore] = []
    top = None
    if settings.respect_gitignore:
        git = _git_top(os.path.dirname(path))
        top = git[0] if git else (root if exclude_base == root else None)
        if git is not None:
            spec = _read_ignore_file(os.path.join(git[1], "info", "exclude"))
            if spec is not None:
                ignores.append((git[0], spec))
    highest = top if top is not None and _is_under(exclude_base, top) else exclude_base
    for directory in _ancestors(highest, path):  # level by level, as the walk goes
        if directory != highest:
            inside = directory != exclude_base and _is_under(directory, exclude_base)
            if inside and walker.exclude.match_file(_relative(directory, exclude_base) + "/"):
                return True
            if walker._gitignored(directory, True, tuple(ignores)):
                return True
        if top is not None and _is_under(directory, top):
            spec = _read_ignore_file(os.path.join(directory, ".gitignore"))
            if spec is not None:
                ignores.append((directory, spec))
    return walker._ignored(path, False, exclude_base, tuple(ignores))


def discover(
    paths: Sequence[str], settings: Settings, resolver: Optional["SettingsResolver"] = None
) -> Tuple[List[str], List[LintError]]:
    """The files to lint as display paths (sorted, unique) and an error per bad path. With a
    ``resolver``, a project nested in the tree walked has its own excludes for its subtree."""
    walker = _Walker(settings, resolver)
    for arg in paths:
        walker.add(arg)
    return sorted(walker.files), sorted(walker.errors.values(), key=lambda error: error.path)
