"""What the engine needs from the outside, as small protocols.

``store`` implements them; ``cli`` and the TUI wire them in. So ``core`` never imports ``store``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncGenerator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from orchestrator_tui.core.errors import OrchError
from orchestrator_tui.core.types import (
    GenerationParams,
    LLMRequest,
    Message,
    ModelInfo,
    Part,
    TextPart,
    Usage,
)

Chunk = str | Usage
"""What ``Provider.stream`` yields: text deltas as ``str``, and at the end (at most) one ``Usage``."""


@runtime_checkable
class Provider(Protocol):
    """The one small interface every provider implements, built-in or from a plugin."""

    name: str

    def stream(self, request: LLMRequest) -> AsyncGenerator[Chunk, None]:
        """Stream one answer; raise ``ProviderError`` (any kind) on failure."""
        ...

    async def list_models(self) -> list[ModelInfo]: ...

    async def aclose(self) -> None:
        """Release connections; safe to call more than once."""
        ...


@runtime_checkable
class Warmable(Protocol):
    """What a provider may add so its first request waits no longer than the next ones (every
    built-in one does; a plugin's may leave it out). Both are called off the request's clock."""

    async def prepare(self) -> None:
        """Make what a request needs that costs time but no network (an SDK imported, its client
        built), off the event loop. What fails here fails again in the request, which reports it."""
        ...

    async def preconnect(self) -> None:
        """``prepare``, then open a connection to the API's server for the first request (kept in
        the client's pool), where the provider can."""
        ...


class KeysLocked(OrchError):
    """A provider's key may be in a store that is locked; the message says how to unlock it."""


class KeyLookup(Protocol):
    def get(self, provider: str, env_names: tuple[str, ...] = ()) -> str | None:
        """The API key for ``provider``, or ``None`` when there is none anywhere.

        Raises ``KeysLocked`` when it was found nowhere else and the store that may hold it is
        locked. It may block (an OS keyring over D-Bus, the vault deriving its key or asking for
        its password), so the engine calls it off the event loop.
        """
        ...


class EnvKeys:
    """Keys from environment variables only: the fallback when no key store is wired in."""

    def get(self, provider: str, env_names: tuple[str, ...] = ()) -> str | None:
        import os

        return next((os.environ[n] for n in env_names if os.environ.get(n)), None)


@dataclass(frozen=True, slots=True)
class CachedAnswer:
    text: str
    usage: Usage


class ResponseCache(Protocol):
    """Finished answers by ``cache_key``; only successful answers are ever put."""

    async def get(self, key: str) -> CachedAnswer | None: ...

    async def put(self, key: str, model: str, answer: CachedAnswer) -> None: ...


def cache_key(
    model: str,
    params: GenerationParams,
    messages: Sequence[Message],
    options: Mapping[str, Any] | None = None,
) -> str:
    """The same model, parameters and conversation give the same key, in any process."""
    payload = {
        "model": model,
        "options": dict(options or {}),
        "params": params.as_dict(),
        "messages": [[m.role, *(_part_key(part) for part in m.content)] for m in messages],
    }
    canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _part_key(part: Part) -> list[str]:
    """A part as the key sees it: its kind and text, or its kind, type and hash (not its bytes)."""
    if isinstance(part, TextPart):
        return ["text", part.text]
    return ["image", part.media_type, part.sha256]
