"""Provider instances, created on first use: a provider's module (and SDK) loads only when called."""

from __future__ import annotations

import importlib

from orchestrator_tui.config import Catalog, ProviderConfig
from orchestrator_tui.core.errors import ErrorKind, ProviderError
from orchestrator_tui.core.ports import EnvKeys, KeyLookup
from orchestrator_tui.providers.base import Provider

IMPLEMENTATIONS = {
    "mock": "orchestrator_tui.providers.mock:MockProvider",
    "anthropic": "orchestrator_tui.providers.anthropic:AnthropicProvider",
    "gemini": "orchestrator_tui.providers.gemini:GeminiProvider",
    "mistral": "orchestrator_tui.providers.mistral:MistralProvider",
    "openai_compat": "orchestrator_tui.providers.openai_compat:OpenAICompatProvider",
}
SDK_MODULES = {
    "anthropic": "anthropic",
    "gemini": "google.genai",
    "mistral": "mistralai",
}
"""Provider type -> its SDK, which costs about a second to import the first time."""


def preload_sdk(provider_type: str) -> None:
    """Import a provider type's SDK now (from a thread), so no request or time limit pays for it."""
    module = SDK_MODULES.get(provider_type)
    if module is not None:
        importlib.import_module(module)


def missing_key_error(config: ProviderConfig) -> ProviderError:
    env = " or ".join(config.key_env) if config.key_env else "no environment variable"
    return ProviderError(
        ErrorKind.MISSING_KEY,
        f"set it with `orch-tui keys set {config.name}` (or the environment variable {env})",
        provider=config.name,
    )


class ProviderRegistry:
    def __init__(self, catalog: Catalog, keys: KeyLookup | None = None) -> None:
        self.catalog = catalog
        self.keys = keys or EnvKeys()
        self._instances: dict[str, Provider] = {}
        self._keys: dict[str, str] = {}

    def key_for(self, config: ProviderConfig) -> str | None:
        return self.keys.get(config.name, config.key_env)

    def get(self, name: str) -> Provider:
        """The provider called ``name``; raises ``ProviderError(MISSING_KEY)`` when it needs a key."""
        if name in self._instances:
            return self._instances[name]
        config = self.catalog.providers[name]
        key = self.key_for(config) if config.needs_key or config.key_env else None
        if config.needs_key and not key:
            raise missing_key_error(config)
        module_name, _, class_name = IMPLEMENTATIONS[config.type].partition(":")
        cls = getattr(importlib.import_module(module_name), class_name)
        provider: Provider = cls(config, key)
        self._instances[name] = provider
        if key:
            self._keys[name] = key
        return provider

    def redact(self, name: str, text: str) -> str:
        """``text`` with the provider's key cut out: some servers echo it in their error messages."""
        key = self._keys.get(name)
        return text.replace(key, "[API key]") if key and text else text

    def forget(self, name: str) -> None:
        """Drop a cached instance (after its key changed); it is closed by the caller."""
        self._instances.pop(name, None)
        self._keys.pop(name, None)

    async def aclose(self) -> None:
        for provider in self._instances.values():
            await provider.aclose()
        self._instances.clear()
