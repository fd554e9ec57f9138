"""The one small interface every provider implements."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Protocol, runtime_checkable

from orchestrator_tui.core.types import LLMRequest, ModelInfo, Usage

Chunk = str | Usage
"""What ``stream`` yields: text deltas as ``str``, and at the end (at most) one ``Usage``."""


@runtime_checkable
class Provider(Protocol):
    name: str

    def stream(self, request: LLMRequest) -> AsyncIterator[Chunk]:
        """Stream one answer; raise ``ProviderError`` (any kind) on failure."""
        ...

    async def list_models(self) -> list[ModelInfo]: ...

    async def prepare(self) -> None:
        """Make what a request needs that costs time but no network (an SDK imported, its client
        built), off the event loop. What fails here fails again in the request, which reports it."""
        ...

    async def preconnect(self) -> None:
        """``prepare``, then open a connection to the API's server for the first request (kept in
        the client's pool), where the provider can."""
        ...

    async def aclose(self) -> None:
        """Release connections; safe to call more than once."""
        ...
