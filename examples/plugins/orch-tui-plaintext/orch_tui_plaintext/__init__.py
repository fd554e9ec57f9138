"""A provider for servers that answer ``POST /generate`` with the answer as plain text, streamed.

``{"model": ..., "messages": [{"role": ..., "content": ...}], "max_tokens": ...}`` goes in; the
response body is the answer, sent in chunks as it is written. Such a server takes a minute to write
around a local model, and this plugin is all orch-tui needs to use it like any other provider.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator

import httpx

from orchestrator_tui.core.catalog import ProviderConfig
from orchestrator_tui.core.errors import ErrorKind, ProviderError
from orchestrator_tui.core.ports import Chunk
from orchestrator_tui.core.types import LLMRequest, ModelInfo, ModelRef, Usage

_KINDS = {429: ErrorKind.RATE_LIMITED, 400: ErrorKind.BAD_REQUEST, 401: ErrorKind.AUTH}


class PlaintextProvider:
    CATALOG = """
providers:
  plaintext:
    type: plaintext
    base_url: http://127.0.0.1:8088
    needs_key: false
models:
  plaintext:parrot:
    description: the example plain-text server's model
    context_window: 8192
"""
    """The provider and model this plugin brings (``models.yaml`` format); users may override both."""

    def __init__(self, config: ProviderConfig, api_key: str | None) -> None:
        self.name = config.name
        self.base_url = (config.base_url or "http://127.0.0.1:8088").rstrip("/")
        self._client: httpx.AsyncClient | None = None

    async def stream(self, request: LLMRequest) -> AsyncGenerator[Chunk, None]:
        body = {
            "model": request.model.name,
            "messages": [{"role": m.role, "content": m.text} for m in request.messages],
            "max_tokens": request.params.max_tokens,
        }
        self._client = self._client or httpx.AsyncClient(timeout=httpx.Timeout(30, connect=5))
        try:
            async with self._client.stream("POST", f"{self.base_url}/generate", json=body) as reply:
                if reply.status_code != 200:
                    kind = _KINDS.get(reply.status_code, ErrorKind.SERVER)
                    raise ProviderError(kind, f"HTTP {reply.status_code}", provider=self.name)
                async for text in reply.aiter_text():
                    yield text
        except httpx.TransportError as exc:
            raise ProviderError(ErrorKind.CONNECTION, str(exc), provider=self.name) from None
        yield Usage()

    async def list_models(self) -> list[ModelInfo]:
        return [ModelInfo(ModelRef(self.name, "parrot"))]

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None
