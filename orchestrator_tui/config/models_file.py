"""``models.yaml`` read into the engine's catalog: each layer's entries merged over the last.

A bad entry is skipped and named (file and line) in the warnings; the rest still loads.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from orchestrator_tui.core.catalog import Catalog, ModelConfig, ProviderConfig
from orchestrator_tui.core.registry import IMPLEMENTATIONS
from orchestrator_tui.core.types import ModelRef
from orchestrator_tui.core.yamlsource import Located

SECTIONS = ("providers", "models", "aliases")


def read_catalog(docs: Sequence[Located], warnings: list[str]) -> Catalog:
    """Merge each document over the ones before (package defaults first), entry by entry;
    a bad entry is skipped and named."""
    providers: dict[str, ProviderConfig] = {}
    models: dict[str, ModelConfig] = {}
    aliases: dict[str, str] = {}
    for doc in docs:
        for name, entry in _section(doc, "providers", warnings).items():
            base = providers.get(name)
            try:
                providers[name] = _provider(str(name), entry, base)
            except ValueError as exc:
                warnings.append(f"{doc.where('providers', name)}: provider {name!r}: {exc}")
        for name, entry in _section(doc, "models", warnings).items():
            try:
                model = _model(str(name), entry, models.get(str(name)))
            except ValueError as exc:
                warnings.append(f"{doc.where('models', name)}: model {name!r}: {exc}")
                continue
            if model.ref.provider not in providers:
                warnings.append(
                    f"{doc.where('models', name)}: model {name!r}: "
                    f"unknown provider {model.ref.provider!r}"
                )
                continue
            models[model.name] = model
        for alias, target in _section(doc, "aliases", warnings).items():
            aliases[str(alias)] = str(target)
    return Catalog(providers, models, aliases)


def catalog_sources(docs: Sequence[Located]) -> dict[tuple[str, ...], str]:
    """``file:line`` of every value the documents set, the last document's winning."""
    sources: dict[tuple[str, ...], str] = {}
    for doc in docs:
        data = doc.data if isinstance(doc.data, dict) else {}
        for section in SECTIONS:
            if isinstance(data.get(section), dict):
                for path in _leaves((section,), data[section]):
                    sources[path] = doc.where(*path)
    return sources


def _leaves(path: tuple[str, ...], value: Any) -> Iterator[tuple[str, ...]]:
    """Each value's path: entries' fields, and inside ``price`` and ``options`` their keys."""
    nests = len(path) == 1 or (
        path[0] != "aliases"
        and (len(path) == 2 or (len(path) == 3 and path[2] in ("price", "options")))
    )
    if isinstance(value, dict) and nests:
        for key, child in value.items():
            yield from _leaves((*path, str(key)), child)
    else:
        yield path


def _section(doc: Located, key: str, warnings: list[str]) -> dict[Any, Any]:
    value = doc.data.get(key) if isinstance(doc.data, dict) else None
    if value is None:
        return {}
    if not isinstance(value, dict):
        warnings.append(f"{doc.where(key)}: {key!r} must be a mapping; ignored")
        return {}
    return value


def _provider(name: str, entry: Any, base: ProviderConfig | None) -> ProviderConfig:
    if not isinstance(entry, dict):
        raise ValueError("must be a mapping")
    merged: dict[str, Any] = {}
    if base is not None:
        merged = {
            "type": base.type,
            "base_url": base.base_url,
            "key_env": list(base.key_env),
            "needs_key": base.needs_key,
            **base.settings,
        }
    merged.update(entry)
    kind = merged.pop("type", "openai_compat")
    if kind not in IMPLEMENTATIONS:
        raise ValueError(f"type {kind!r} is not one of {', '.join(IMPLEMENTATIONS)}")
    key_env = merged.pop("key_env", [])
    if isinstance(key_env, str):
        key_env = [key_env]
    base_url = merged.pop("base_url", None)
    needs_key = merged.pop("needs_key", kind != "mock")
    return ProviderConfig(
        name=name,
        type=kind,
        base_url=str(base_url) if base_url else None,
        key_env=tuple(str(k) for k in key_env),
        needs_key=bool(needs_key),
        settings=merged,
    )


def _model(name: str, entry: Any, base: ModelConfig | None) -> ModelConfig:
    ref = ModelRef.parse(name)
    entry = entry or {}
    if not isinstance(entry, dict):
        raise ValueError("must be a mapping")
    price = entry.get("price", {})
    if not isinstance(price, dict):
        raise ValueError("price must be {input: N, output: N}")

    def number(value: Any, field_name: str) -> float | None:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"{field_name} must be a number, not {value!r}")
        return float(value)

    old = base or ModelConfig(ref=ref)
    fallbacks = entry.get("fallbacks", list(old.fallbacks))
    if not isinstance(fallbacks, list):
        raise ValueError("fallbacks must be a list of model names")
    options = entry.get("options", old.options)
    if not isinstance(options, dict):
        raise ValueError("options must be a mapping")
    window = entry.get("context_window", old.context_window)
    output_limit = entry.get("max_output_tokens", old.max_output_tokens)
    return ModelConfig(
        ref=ref,
        price_input=number(price.get("input", old.price_input), "price.input"),
        price_output=number(price.get("output", old.price_output), "price.output"),
        context_window=int(window) if window is not None else None,
        max_output_tokens=int(output_limit) if output_limit is not None else None,
        vision=bool(entry.get("vision", old.vision)),
        streaming=bool(entry.get("streaming", old.streaming)),
        description=str(entry.get("description", old.description)),
        api_name=entry.get("api_name", old.api_name),
        fallbacks=tuple(str(f) for f in fallbacks),
        options=dict(options),
    )
