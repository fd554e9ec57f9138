"""Provider instances, created on first use: a provider's module (and SDK) loads only when called."""

from __future__ import annotations

import asyncio
import importlib
import logging
from collections.abc import Callable, Iterable

from orchestrator_tui.core.catalog import Catalog, ProviderConfig
from orchestrator_tui.core.errors import ErrorKind, ProviderError
from orchestrator_tui.core.ports import EnvKeys, KeyLookup, KeysLocked, Provider, Warmable

log = logging.getLogger(__name__)

ProviderFactory = Callable[[ProviderConfig, str | None], Provider]
"""How a provider is made: a class taking its config and API key (``None`` when it needs none)."""

IMPLEMENTATIONS: dict[str, str | ProviderFactory] = {
    "mock": "orchestrator_tui.providers.mock:MockProvider",
    "anthropic": "orchestrator_tui.providers.anthropic:AnthropicProvider",
    "gemini": "orchestrator_tui.providers.gemini:GeminiProvider",
    "mistral": "orchestrator_tui.providers.mistral:MistralProvider",
    "openai_compat": "orchestrator_tui.providers.openai_compat:OpenAICompatProvider",
}
"""Provider type (``type:`` in models.yaml) -> its class, or where to import it from on first use.

The one list of valid types: built-ins here, plugins' through ``register_provider_type``."""


def register_provider_type(name: str, implementation: ProviderFactory) -> None:
    """Add a provider type; a name already taken (a built-in's first of all) is refused."""
    if name in IMPLEMENTATIONS:
        raise ValueError(f"provider type {name!r} exists already")
    if not callable(getattr(implementation, "stream", None)):
        raise ValueError(f"provider type {name!r} has no stream method")
    IMPLEMENTATIONS[name] = implementation


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


def _wants_key(config: ProviderConfig) -> bool:
    """A provider that needs a key, or takes one where it is set (a local server may)."""
    return config.needs_key or bool(config.key_env)


def missing_key_error(config: ProviderConfig) -> ProviderError:
    env = " or ".join(config.key_env) if config.key_env else "no environment variable"
    return ProviderError(
        ErrorKind.MISSING_KEY,
        f"set it with `orch-tui keys set {config.name}` (or the environment variable {env})",
        provider=config.name,
    )


class ProviderRegistry:
    """Provider instances by name, each made once with its key.

    On the event loop use ``aget``: finding a key may block (an OS keyring over D-Bus, the vault
    deriving its key or asking for its password), so it runs in a thread, once per provider.
    """

    def __init__(self, catalog: Catalog, keys: KeyLookup | None = None) -> None:
        self.catalog = catalog
        self.keys = keys or EnvKeys()
        self._instances: dict[str, Provider] = {}
        self._retired: list[Provider] = []
        self._keys: dict[str, str] = {}
        self._opening: dict[str, asyncio.Lock] = {}

    def get(self, name: str) -> Provider:
        """The provider called ``name``, looking its key up here (this blocks; see ``aget``).

        Raises ``ProviderError``: ``MISSING_KEY`` when it needs a key there is none of,
        ``KEY_LOCKED`` when that key may be in a locked store.
        """
        found = self._instances.get(name)
        if found is None:
            config = self.catalog.providers[name]
            found = self._create(config, self._key(config))
        return found

    async def aget(self, name: str) -> Provider:
        """``get`` for the event loop: the key is looked up in a thread, once however many
        responses ask at the same time; later calls return the made instance at once."""
        return await self._aget(name, make_in_thread=False)

    async def _aget(self, name: str, *, make_in_thread: bool) -> Provider:
        """``aget``; ``make_in_thread`` makes the instance in a thread too (its module imported,
        its HTTP client built: tens of milliseconds), for the warm-up while the person types."""
        found = self._instances.get(name)
        if found is not None:
            return found
        async with self._opening.setdefault(name, asyncio.Lock()):
            found = self._instances.get(name)
            if found is None:
                config = self.catalog.providers[name]
                key = await asyncio.to_thread(self._key, config) if _wants_key(config) else None
                found = self._instances.get(name)
                if found is None and make_in_thread:
                    found = await asyncio.to_thread(self._create, config, key)
                elif found is None:
                    found = self._create(config, key)
        return found

    async def prepare(self, name: str) -> None:
        """Get the provider called ``name`` ready for a request without touching the network:
        its key looked up, its client made, its SDK imported (in threads). A failure is left
        for the request to report."""
        try:
            provider = await self.aget(name)
            if isinstance(provider, Warmable):
                await provider.prepare()
        except Exception as exc:
            log.debug("could not prepare %s: %s", name, type(exc).__name__)

    async def warm(self, names: Iterable[str]) -> None:
        """Everything the first request to these providers needs, done ahead: ``prepare``, then a
        connection opened to each one's server. Never raises: what fails here is the request's
        to report."""
        await asyncio.gather(*(self._warm(name) for name in dict.fromkeys(names)))

    async def _warm(self, name: str) -> None:
        try:
            provider = await self._aget(name, make_in_thread=True)
            if isinstance(provider, Warmable):
                await provider.preconnect()
        except Exception as exc:
            log.debug("could not warm %s: %s", name, type(exc).__name__)

    def _key(self, config: ProviderConfig) -> str | None:
        if not _wants_key(config):
            return None
        try:
            key = self.keys.get(config.name, config.key_env)
        except KeysLocked as exc:
            raise ProviderError(ErrorKind.KEY_LOCKED, str(exc), provider=config.name) from None
        if config.needs_key and not key:
            raise missing_key_error(config)
        return key

    def _create(self, config: ProviderConfig, key: str | None) -> Provider:
        target = IMPLEMENTATIONS[config.type]
        if isinstance(target, str):
            module_name, _, class_name = target.partition(":")
            target = getattr(importlib.import_module(module_name), class_name)
        provider = target(config, key)
        self._instances[config.name] = provider
        if key:
            self._keys[config.name] = key
        return provider

    def redact(self, name: str, text: str) -> str:
        """``text`` with the provider's key cut out: some servers echo it in their error messages."""
        key = self._keys.get(name)
        return text.replace(key, "[API key]") if key and text else text

    def forget(self, name: str) -> None:
        """Drop the instance made with the provider's old key (after it was set or deleted): the
        next request looks the key up again. An answer already streaming keeps the old instance
        to its end; it is closed with the registry."""
        dropped = self._instances.pop(name, None)
        if dropped is not None:
            self._retired.append(dropped)
        self._keys.pop(name, None)

    async def aclose(self) -> None:
        for provider in [*self._instances.values(), *self._retired]:
            await provider.aclose()
        self._instances.clear()
        self._retired.clear()
