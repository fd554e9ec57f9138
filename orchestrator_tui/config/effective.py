"""The effective configuration as ``key = value`` lines, each with the file and line it came from.

Values are read back from the typed catalog and settings (what the program really uses), so a
value a layer tried to set but that was rejected or ignored shows as what is in force instead.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from typing import Any

from orchestrator_tui.config.loading import Config
from orchestrator_tui.config.settings import Settings
from orchestrator_tui.core.catalog import Catalog

_MISSING = object()


@dataclass(frozen=True, slots=True)
class Entry:
    key: str
    value: Any
    source: str

    def line(self, *, with_source: bool) -> str:
        text = f"{self.key} = {json.dumps(self.value, ensure_ascii=False)}"
        return f"{text}  # {self.source}" if with_source else text


def effective_entries(config: Config) -> Iterator[Entry]:
    """Every setting (defaults included), then each catalog value that some file set."""
    for name in Settings.__dataclass_fields__:
        value = getattr(config.settings, name)
        if name == "context":  # what is in force, defaults filled in
            value = asdict(config.context)
        yield Entry(name, list(value) if isinstance(value, tuple) else value, config.source(name))
    for path, source in sorted(config.sources.items(), key=_order):
        if len(path) < 2:
            continue
        value = _catalog_value(config.catalog, path)
        if value is not _MISSING:
            yield Entry(".".join(_quoted(p) for p in path), value, source)


def _order(item: tuple[tuple[str, ...], str]) -> tuple[int, tuple[str, ...]]:
    path = item[0]
    sections = ("providers", "models", "aliases")
    return (sections.index(path[0]) if path[0] in sections else -1, path[:2])


def _quoted(part: str) -> str:
    return part if part.replace("_", "").replace("-", "").isalnum() else json.dumps(part)


def _catalog_value(catalog: Catalog, path: tuple[str, ...]) -> Any:
    section, name, *rest = path
    if section == "aliases":
        return catalog.aliases.get(name, _MISSING)
    if section == "providers" and name in catalog.providers and rest:
        provider = catalog.providers[name]
        if rest[0] in ("type", "base_url", "key_env", "needs_key"):
            value = getattr(provider, rest[0])
            return list(value) if isinstance(value, tuple) else value
        return provider.settings.get(rest[0], _MISSING)
    if section == "models" and name in catalog.models and rest:
        model = catalog.models[name]
        if rest[0] == "price" and len(rest) == 2 and rest[1] in ("input", "output"):
            return getattr(model, f"price_{rest[1]}")
        if rest[0] == "options" and len(rest) == 2:
            return model.options.get(rest[1], _MISSING)
        value = getattr(model, rest[0], _MISSING) if len(rest) == 1 else _MISSING
        return list(value) if isinstance(value, tuple) else value
    return _MISSING
