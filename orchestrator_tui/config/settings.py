"""``config.yaml``: the app-wide switches, read with every problem named and the default kept."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from orchestrator_tui.core.yamlsource import Located


@dataclass(frozen=True, slots=True)
class Settings:
    """``config.yaml``: app-wide switches."""

    theme: str = "orch-dark"
    cache: bool = False
    default_models: tuple[str, ...] = ()
    keymap: dict[str, str] = field(default_factory=dict)
    reviewer: str = "mock:judge"
    judge: str = "mock:judge"


def read_settings(doc: Located | None, warnings: list[str]) -> Settings:
    if doc is None:
        return Settings()
    data = doc.data
    known = set(Settings.__dataclass_fields__)
    values: dict[str, Any] = {}
    for key, value in data.items():
        if key not in known:
            warnings.append(f"{doc.where(key)}: unknown setting {key!r}; ignored")
            continue
        expected = type(getattr(Settings(), key))
        if expected is tuple and isinstance(value, list):
            value = tuple(str(v) for v in value)
        if not isinstance(value, expected):
            warnings.append(
                f"{doc.where(key)}: setting {key!r} must be {expected.__name__}; using the default"
            )
            continue
        values[key] = value
    return Settings(**values)
