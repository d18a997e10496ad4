"""``check --show-settings``: the settings one file is linted with, and where they came from."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from timeoutlint.settings import Settings, format_target

# Internal fields, not settings a user writes.
_HIDDEN = {"caller_bounded", "root", "config_path", "target_source"}


def _toml(value: Any) -> str:
    if isinstance(value, tuple) and value and all(isinstance(item, tuple) and len(item) == 2 for item in value):
        pairs = ", ".join(f"{json.dumps(str(key))} = {_toml(item)}" for key, item in value)
        return "{ " + pairs + " }" if pairs else "{}"
    if isinstance(value, (tuple, list)):
        return "[" + ", ".join(_toml(item) for item in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "(not set)"
    if isinstance(value, (int, float)):
        return repr(value)
    return json.dumps(str(value))


def show_settings(path: str, settings: Settings) -> str:
    lines = [
        f"Settings for: {path}",
        f"Config file: {settings.config_path or '(none: defaults)'}",
        f"Project root: {settings.root}",
        "",
    ]
    for field in dataclasses.fields(settings):
        if field.name in _HIDDEN:
            continue
        value = getattr(settings, field.name)
        key = field.name.replace("_", "-")
        if field.name == "target_version":
            lines.append(f'{key} = "{format_target(value)}"  # from {settings.target_source}')
        else:
            lines.append(f"{key} = {_toml(value)}")
    return "\n".join(lines) + "\n"
