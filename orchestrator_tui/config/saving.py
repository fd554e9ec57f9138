"""Writing settings back to ``config.yaml`` without losing the user's comments or other keys."""

from __future__ import annotations

import os
from dataclasses import replace
from typing import Any

from orchestrator_tui.config.loading import Config
from orchestrator_tui.config.settings import Settings
from orchestrator_tui.core.errors import ConfigError
from orchestrator_tui.core.yamlsource import YamlError, load_located


def save_settings(config: Config, **changes: Any) -> Settings:
    """Write ``changes`` to config.yaml and ``config.settings``, keeping every other key the user has.

    A changed key whose value sits on one line is replaced in place, so the file's comments survive;
    an unreadable file is left alone (``ConfigError``) rather than overwritten.
    """
    import yaml

    fields = Settings.__dataclass_fields__
    unknown = sorted(set(changes) - set(fields))
    if unknown:
        raise ConfigError(f"unknown setting {unknown[0]!r}")
    path = config.paths.settings_file
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    try:
        doc = load_located(text, path)
    except YamlError as exc:
        raise ConfigError(f"{exc}; not saved, so as not to overwrite it") from None
    data = doc.data if doc.data is not None else {}
    if not isinstance(data, dict):
        raise ConfigError(f"{doc.where()}: expected a mapping at the top; not saved")
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    plain = {k: list(v) if isinstance(v, tuple) else v for k, v in changes.items()}
    for key, value in plain.items():
        entry = yaml.safe_dump({key: value}, sort_keys=False, allow_unicode=True)
        line = doc.line(key) if key in data else None
        if line is None:
            lines.append(entry)
        elif _single_line(lines, line - 1):
            lines[line - 1] = entry
        else:
            lines = yaml.safe_dump({**data, **plain}, sort_keys=False).splitlines(keepends=True)
            break
    path.parent.mkdir(parents=True, exist_ok=True)
    scratch = path.with_name(path.name + ".tmp")
    scratch.write_text("".join(lines), encoding="utf-8")
    os.replace(scratch, path)
    values: dict[str, Any] = {k: tuple(v) if isinstance(v, list) else v for k, v in plain.items()}
    config.settings = replace(config.settings, **values)
    return config.settings


def _single_line(lines: list[str], index: int) -> bool:
    """True when the top-level entry on ``lines[index]`` has its whole value on that line."""
    if lines[index][:1].isspace() or lines[index].rstrip().endswith((":", "|", ">", "|-", ">-")):
        return False
    following = lines[index + 1] if index + 1 < len(lines) else ""
    return not following[:1].isspace() or not following.strip()
