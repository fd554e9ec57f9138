"""What the app remembers for the person between runs, beside the history database: the models
selected with each one's own settings, and the prompts typed (Up in the prompt box recalls them).

Kept in one small JSON file in the data folder, never in the user's config files. A missing or
unreadable file is an empty state (the app starts as on a first run); each save replaces the
file whole, so a crash mid-write leaves the previous state.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from orchestrator_tui.core.session import ModelSettings
from orchestrator_tui.core.types import GenerationParams

log = logging.getLogger(__name__)
PROMPTS_KEPT = 500


@dataclass(slots=True)
class UserState:
    models: list[str] | None = None
    """The last selection; ``None`` until the person has chosen (then the defaults apply)."""
    settings: dict[str, ModelSettings] = field(default_factory=dict)
    prompts: list[str] = field(default_factory=list)
    """Earlier prompts, oldest first, the newest ``PROMPTS_KEPT``."""


def load_state(path: Path) -> UserState:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return UserState()
    except (OSError, ValueError) as exc:
        log.warning("ignoring unreadable %s: %s", path, exc)
        return UserState()
    if not isinstance(data, dict):
        return UserState()
    models = data.get("models")
    return UserState(
        models=[m for m in models if isinstance(m, str)] if isinstance(models, list) else None,
        settings={
            name: _settings(value)
            for name, value in (data.get("settings") or {}).items()
            if isinstance(name, str) and isinstance(value, dict)
        },
        prompts=[p for p in data.get("prompts") or () if isinstance(p, str)][-PROMPTS_KEPT:],
    )


def save_state(path: Path, state: UserState) -> None:
    data = {
        "models": state.models,
        "settings": {name: _plain(s) for name, s in state.settings.items()},
        "prompts": state.prompts[-PROMPTS_KEPT:],
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(partial, path)


def _plain(settings: ModelSettings) -> dict[str, Any]:
    return {
        **settings.params.as_dict(),
        "persona": settings.persona,
        "own_system": settings.own_system,
    }


def _settings(value: dict[str, Any]) -> ModelSettings:
    def number(key: str, kind: type) -> Any:
        found = value.get(key)
        return (
            kind(found) if isinstance(found, int | float) and not isinstance(found, bool) else None
        )

    def text(key: str) -> str | None:
        found = value.get(key)
        return found if isinstance(found, str) else None

    params = GenerationParams(
        number("temperature", float), number("max_tokens", int), text("system")
    )
    return ModelSettings(params, text("persona"), text("own_system"))
