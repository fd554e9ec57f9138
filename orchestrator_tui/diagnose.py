"""What ``orch-tui doctor`` checks: per provider, the key and the endpoint; per model, a live call.

Kept apart from the command so the TUI's settings screen can show the same findings.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field

from orchestrator_tui.config import Config
from orchestrator_tui.core.catalog import ModelConfig, ProviderConfig
from orchestrator_tui.core.errors import ErrorKind, ProviderError
from orchestrator_tui.core.orchestrator import Orchestrator
from orchestrator_tui.core.registry import ProviderRegistry, preload_sdk
from orchestrator_tui.core.types import GenerationParams
from orchestrator_tui.store.keys import KeyStore

DEFAULT_ENDPOINTS = {
    "anthropic": "https://api.anthropic.com",
    "gemini": "https://generativelanguage.googleapis.com",
    "mistral": "https://api.mistral.ai",
}
"""Where the SDKs go when ``models.yaml`` sets no ``base_url``."""
UNREACHABLE = (ErrorKind.CONNECTION, ErrorKind.TIMEOUT)
LIVE_PROMPT = "Reply with the single word OK."


@dataclass(slots=True)
class ProviderHealth:
    name: str
    endpoint: str
    key_source: str | None
    """``not needed``, where the key was found, or ``None`` when it is missing."""
    reachable: bool | None = None
    note: str = ""
    models: list[str] = field(default_factory=list)


@dataclass(slots=True)
class ModelHealth:
    model: ModelConfig
    status: str = "not tried"
    detail: str = ""
    latency: float | None = None


def endpoint_of(provider: ProviderConfig) -> str:
    return provider.base_url or DEFAULT_ENDPOINTS.get(provider.type, "built in")


async def check_providers(
    config: Config, keys: KeyStore, *, timeout: float = 5.0
) -> list[ProviderHealth]:
    """Every configured provider, checked concurrently; a slow one is cut off at ``timeout``."""
    registry = ProviderRegistry(config.catalog, keys)
    try:
        return list(
            await asyncio.gather(
                *(
                    _check(registry, keys, provider, timeout)
                    for provider in sorted(config.catalog.providers.values(), key=lambda p: p.name)
                )
            )
        )
    finally:
        await registry.aclose()


async def _check(
    registry: ProviderRegistry, keys: KeyStore, provider: ProviderConfig, timeout: float
) -> ProviderHealth:
    key = keys.status(provider, ask=True)
    source = "not needed" if not provider.needs_key else key.source
    health = ProviderHealth(provider.name, endpoint_of(provider), source)
    if provider.type == "mock":
        health.reachable, health.note = True, "built in, offline"
        health.models = [
            m.ref.name for m in await (await registry.aget(provider.name)).list_models()
        ]
        return health
    try:
        await asyncio.to_thread(preload_sdk, provider.type)  # the import is not the endpoint's time
        async with asyncio.timeout(timeout):
            if source is None:
                status = await _probe(health.endpoint)
                health.reachable, health.note = (
                    True,
                    f"HTTP {status}; no key to list its models",
                )
                return health
            listed = await (await registry.aget(provider.name)).list_models()
    except TimeoutError:
        health.reachable, health.note = False, f"no answer within {timeout:g}s"
        return health
    except ProviderError as error:
        health.reachable = error.kind not in UNREACHABLE
        health.note = error.message.removeprefix(f"{provider.name}: ")
        return health
    except Exception as error:  # an unexpected answer still says the endpoint is there
        health.reachable, health.note = None, f"{type(error).__name__}: {error}"
        return health
    health.reachable = True
    health.models = [m.ref.name for m in listed]
    health.note = f"{len(listed)} models available"
    return health


async def _probe(url: str) -> int:
    """Any HTTP answer from the endpoint, without a key."""
    import httpx

    from orchestrator_tui.providers.errors import connection_error

    try:
        async with httpx.AsyncClient() as client:
            response = await client.get(url)
    except httpx.HTTPError as exc:
        raise connection_error("", exc) from exc
    return response.status_code


async def check_models(
    config: Config, keys: KeyStore, models: Sequence[ModelConfig], *, timeout: float = 30.0
) -> list[ModelHealth]:
    """One short live call per model, recorded nowhere (doctor never writes to the history)."""
    results = {m.name: ModelHealth(m) for m in models}
    usable = [m for m in models if _has_key(config, keys, m)]
    for model in models:
        if model not in usable:
            results[model.name].status = "no key"
    if usable:
        orchestrator = Orchestrator(config.catalog, keys=keys)
        try:
            params = GenerationParams(max_tokens=1)
            run = orchestrator.fan_out(LIVE_PROMPT, [m.name for m in usable], params)
            try:
                async with asyncio.timeout(timeout):
                    await run.wait()
            except TimeoutError:
                run.cancel()
            ended = await run.wait()
        finally:
            await orchestrator.aclose()
        for outcome in ended:
            entry = results[outcome.fallback_from or outcome.model]
            entry.status = outcome.status
            entry.detail = outcome.error or ""
            entry.latency = outcome.latency
    return list(results.values())


def _has_key(config: Config, keys: KeyStore, model: ModelConfig) -> bool:
    provider = config.catalog.provider_of(model)
    return keys.status(provider, ask=True).state in ("set", "not needed")
