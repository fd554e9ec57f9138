"""Models found on running local servers, so they appear without editing ``models.yaml``.

A provider entry with ``discover: ollama`` is asked ``GET /api/tags`` (Ollama's list of installed
models); ``discover: true`` asks ``GET {base_url}/models`` (any OpenAI-compatible server). Nothing
is discovered before the app's first paint: the workspace asks once the services are open, and
``orch-tui models`` when it runs. Answers are cached for a few minutes in the cache dir; a server
that is down, slow or answers nonsense simply adds no models (logged at debug level).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import time
from pathlib import Path
from typing import Any

from orchestrator_tui.core.catalog import Catalog, ModelConfig, ProviderConfig
from orchestrator_tui.core.types import ModelRef

log = logging.getLogger(__name__)
TTL = 300.0
"""Seconds a server's list is reused: models are installed rarely, the app starts often."""
TIMEOUT = 2.0


def discoverable(catalog: Catalog) -> list[ProviderConfig]:
    """Providers whose entry asks for discovery and says where the server is."""
    return [
        p
        for p in catalog.providers.values()
        if p.base_url and p.settings.get("discover") not in (None, False)
    ]


def listing_url(provider: ProviderConfig) -> str:
    base = (provider.base_url or "").rstrip("/")
    if provider.settings.get("discover") == "ollama":
        root = base[: -len("/v1")] if base.endswith("/v1") else base
        return f"{root}/api/tags"
    return f"{base}/models"


def model_names(provider: ProviderConfig, data: Any) -> list[str]:
    """The model ids in a listing: Ollama's ``models[].name`` or OpenAI's ``data[].id``."""
    ollama = provider.settings.get("discover") == "ollama"
    entries = data.get("models" if ollama else "data") if isinstance(data, dict) else None
    key = "name" if ollama else "id"
    names = [e.get(key) for e in entries or () if isinstance(e, dict)]
    return sorted({n for n in names if isinstance(n, str) and n.strip()})


async def discover(
    catalog: Catalog, cache_file: Path | None = None, *, now: float | None = None
) -> list[ModelConfig]:
    """Every discovered model not already in the catalog, marked ``discovered``."""
    providers = discoverable(catalog)
    if not providers:
        return []
    now = time.time() if now is None else now
    cache = _read_cache(cache_file)
    found: dict[str, list[str]] = {}
    stale = []
    for provider in providers:
        entry = cache.get(provider.name) or {}
        if entry.get("url") == listing_url(provider) and now - entry.get("at", 0) < TTL:
            found[provider.name] = list(entry.get("models", ()))
        else:
            stale.append(provider)
    if stale:
        import httpx

        async with httpx.AsyncClient(timeout=TIMEOUT) as client:
            lists = await asyncio.gather(*(_ask(client, p) for p in stale))
        for provider, names in zip(stale, lists, strict=True):
            if names is None:
                continue
            found[provider.name] = names
            cache[provider.name] = {"url": listing_url(provider), "at": now, "models": names}
        _write_cache(cache_file, cache)
    return [
        ModelConfig(
            ref=ModelRef(provider, name),
            description=f"found on {catalog.providers[provider].base_url}",
            discovered=True,
        )
        for provider, names in sorted(found.items())
        for name in names
        if f"{provider}:{name}" not in catalog.models
    ]


async def _ask(client: Any, provider: ProviderConfig) -> list[str] | None:
    """The server's models, or ``None`` when it cannot say (down, slow, not that kind)."""
    import httpx

    url = listing_url(provider)
    try:
        response = await client.get(url)
        response.raise_for_status()
        return model_names(provider, response.json())
    except (httpx.HTTPError, ValueError) as exc:
        log.debug("no models discovered at %s: %s", url, exc)
        return None


def _read_cache(path: Path | None) -> dict[str, Any]:
    if path is None or not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _write_cache(path: Path | None, cache: dict[str, Any]) -> None:
    if path is None:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        scratch = path.with_name(path.name + ".tmp")
        scratch.write_text(json.dumps(cache), encoding="utf-8")
        os.replace(scratch, path)
    except OSError as exc:
        log.debug("discovery cache not written: %s", exc)
