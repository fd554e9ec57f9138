"""The engine's view of providers and models: the merged ``models.yaml`` as typed values.

These live in ``core`` so the engine, providers and plugins build on them without importing the
configuration loader, which reads files and imports ``core``, never the reverse.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from orchestrator_tui.core.errors import ConfigError
from orchestrator_tui.core.types import ModelRef


@dataclass(frozen=True, slots=True)
class ProviderConfig:
    name: str
    type: str
    base_url: str | None = None
    key_env: tuple[str, ...] = ()
    needs_key: bool = True
    settings: dict[str, Any] = field(default_factory=dict)
    """Everything else in the entry: concurrency, requests_per_minute, timeouts, mock speeds."""


@dataclass(frozen=True, slots=True)
class ModelConfig:
    ref: ModelRef
    price_input: float | None = None
    price_output: float | None = None
    context_window: int | None = None
    """Tokens the model reads at most (prompt and answer), when known."""
    max_output_tokens: int | None = None
    """Tokens the model writes at most, when known: what a request costs at worst with no max_tokens."""
    vision: bool = False
    streaming: bool = True
    description: str = ""
    api_name: str | None = None
    fallbacks: tuple[str, ...] = ()
    options: dict[str, Any] = field(default_factory=dict)
    discovered: bool = False
    """Found on a running local server (``discover:``), not written in any models.yaml."""

    @property
    def name(self) -> str:
        return str(self.ref)

    @property
    def wire_name(self) -> str:
        """The model id sent to the provider (``api_name`` lets an entry rename it)."""
        return self.api_name or self.ref.name


@dataclass(frozen=True, slots=True)
class Catalog:
    """Providers, models and aliases: the merged ``models.yaml``."""

    providers: dict[str, ProviderConfig]
    models: dict[str, ModelConfig]
    aliases: dict[str, str]

    def resolve(self, name: str) -> ModelConfig:
        """The model for a name or alias; a provider's unlisted model is allowed, price unknown."""
        target = self.aliases.get(name.strip(), name.strip())
        if target in self.models:
            return self.models[target]
        try:
            ref = ModelRef.parse(target)
        except ValueError:
            raise ConfigError(
                f"unknown model {name!r}: use provider:model or an alias (see `orch-tui models`)"
            ) from None
        provider = self.providers.get(ref.provider)
        if provider is None:
            known = ", ".join(sorted(self.providers))
            raise ConfigError(f"unknown provider {ref.provider!r} in {name!r} (known: {known})")
        if provider.type == "mock":
            raise ConfigError(f"unknown model {name!r} (see `orch-tui models`)")
        return ModelConfig(ref=ref)

    def with_models(self, extra: list[ModelConfig]) -> Catalog:
        """This catalog plus ``extra`` models (discovered ones); a listed model is never replaced."""
        added = {m.name: m for m in extra if m.name not in self.models}
        return Catalog(self.providers, {**self.models, **added}, self.aliases)

    def provider_of(self, model: ModelConfig) -> ProviderConfig:
        return self.providers[model.ref.provider]
