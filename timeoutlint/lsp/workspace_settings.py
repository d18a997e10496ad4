"""Each document's settings: those ``load_settings`` finds for the document's own folder
(the nearest ``pyproject.toml`` with ``[tool.timeoutlint]``, or ``timeoutlint.toml``,
walking up from the file, as ``timeoutlint check`` does), so every project of a workspace,
or every folder of a multi-root one, keeps its own.

Loading is cached. The key holds the size and modification time of every file up the
folder chain that could be a config file, so an edited, added or removed config is seen on
the next lint without the client's help; ``clear`` (on ``workspace/didChangeWatchedFiles``)
lets the server re-lint open documents at once."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Optional, Tuple, Union

from timeoutlint.config import PYPROJECT, STANDALONE_NAMES, ConfigError, load_settings
from timeoutlint.settings import Settings

CONFIG_NAMES = (*STANDALONE_NAMES, PYPROJECT)
_MAX_ENTRIES = 256

_Stamp = Tuple[str, int, int]  # path, mtime (ns), size


@dataclass(frozen=True)
class Loaded:
    """The settings of a folder, or the one-line reason its config is unusable."""

    settings: Optional[Settings]
    error: Optional[str] = None


def _stamps(folder: str) -> Tuple[_Stamp, ...]:
    found = []
    for directory in (folder, *map(str, Path(folder).parents)):
        for name in CONFIG_NAMES:
            candidate = os.path.join(directory, name)
            try:
                status = os.stat(candidate)
            except OSError:
                continue
            found.append((candidate, status.st_mtime_ns, status.st_size))
    return tuple(found)


class SettingsCache:
    """Settings by folder, reloaded when a config file up its chain changes. Not
    thread-safe: the server uses it from its one lint thread."""

    def __init__(self) -> None:
        self._entries: Dict[Tuple[str, Tuple[_Stamp, ...]], Loaded] = {}

    def for_folder(self, folder: Union[str, Path]) -> Loaded:
        folder = os.path.abspath(folder)
        key = (folder, _stamps(folder))
        loaded = self._entries.get(key)
        if loaded is None:
            try:
                loaded = Loaded(load_settings(cwd=Path(folder)))
            except ConfigError as exc:
                loaded = Loaded(None, str(exc))
            if len(self._entries) >= _MAX_ENTRIES:
                self._entries.pop(next(iter(self._entries)))
            self._entries[key] = loaded
        return loaded

    def clear(self) -> None:
        self._entries.clear()
