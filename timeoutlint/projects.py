"""Which settings govern each file: those of the nearest config file above it, as in Ruff.

A monorepo linted from its root keeps each project's settings (its ``select``, its
``per-file-ignores``, its ``requires-python``): a file is linted with the config found by
walking up from the file's own directory. A file with no config above it gets the
settings found from the current directory. ``--config FILE`` and ``--isolated`` give one
set of settings for every file. Command-line options override every file's config.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

from timeoutlint.config import CliOverrides, find_config, load_settings
from timeoutlint.settings import Settings


class SettingsResolver:
    def __init__(
        self,
        cwd: Path,
        config_file: Optional[Path] = None,
        isolated: bool = False,
        overrides: CliOverrides = CliOverrides(),
    ) -> None:
        self.cwd = Path(os.path.abspath(cwd))
        self.overrides = overrides
        # Raises ConfigError, as every later load may: the caller reports it (exit 2).
        self.default = load_settings(cwd=self.cwd, config_file=config_file, isolated=isolated, overrides=overrides)
        self.one_for_all = config_file is not None or isolated
        self._by_config: Dict[Path, Settings] = {}
        if self.default.config_path is not None:
            self._by_config[self.default.config_path] = self.default
        self._by_directory: Dict[str, Optional[Path]] = {}

    def config_of_directory(self, directory: str) -> Optional[Path]:
        """The config file governing ``directory`` (absolute), looked up once per directory."""
        if directory not in self._by_directory:
            self._by_directory[directory] = find_config(Path(directory), self.cwd)
        return self._by_directory[directory]

    def settings_of_config(self, config: Optional[Path]) -> Settings:
        if config is None or self.one_for_all:
            return self.default
        if config not in self._by_config:
            self._by_config[config] = load_settings(cwd=self.cwd, config_file=config, overrides=self.overrides)
        return self._by_config[config]

    def for_path(self, path: str) -> Settings:
        """The settings of the file (or directory) at ``path``."""
        if self.one_for_all:
            return self.default
        absolute = os.path.abspath(path)
        directory = absolute if os.path.isdir(absolute) else os.path.dirname(absolute)
        return self.settings_of_config(self.config_of_directory(directory))

    def used(self) -> List[Settings]:
        """Every set of settings handed out so far, the default first."""
        seen = [self.default]
        seen.extend(settings for settings in self._by_config.values() if settings is not self.default)
        return seen

    def group(self, files: Sequence[str]) -> List[Tuple[Settings, List[str]]]:
        """``files`` by the settings that govern them, in the order the groups first occur."""
        groups: Dict[int, Tuple[Settings, List[str]]] = {}
        for file in files:
            settings = self.for_path(file)
            groups.setdefault(id(settings), (settings, []))[1].append(file)
        return list(groups.values())
