"""Mistral through its official SDK (``chat.stream_async``); the SDK is imported on first use."""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator
from typing import Any

from orchestrator_tui.core.errors import ProviderError
from orchestrator_tui.core.ports import Chunk
from orchestrator_tui.core.types import (
    ImagePart,
    LLMRequest,
    ModelInfo,
    ModelRef,
    Usage,
)
from orchestrator_tui.providers import errors
from orchestrator_tui.providers.common import SdkProvider, message_content, split_system

FILTERED_STOPS = ("content_filter",)


REHEARSAL = (
    b'data: {"id": "0", "object": "chat.completion.chunk", "created": 0, "model": "m", '
    b'"choices": [{"index": 0, "delta": {"role": "assistant", "content": "ok"}, '
    b'"finish_reason": "stop"}], "usage": {"prompt_tokens": 1, "completion_tokens": 1, '
    b'"total_tokens": 2}}\n\ndata: [DONE]\n\n'
)
"""A whole streamed chat completion (see ``SdkProvider.rehearsal``)."""


class MistralProvider(SdkProvider):
    api_url = "https://api.mistral.ai"
    rehearsal = REHEARSAL

    def _build(self, http: Any) -> Any:
        from mistralai.client import Mistral
        from mistralai.client.utils.retries import BackoffStrategy, RetryConfig

        from orchestrator_tui.providers import mistral_speedups

        mistral_speedups.install()

        return Mistral(
            api_key=self._api_key,
            server_url=self._config.base_url,
            async_client=http,
            retry_config=RetryConfig("none", BackoffStrategy(0, 0, 1.0, 0), False),
        )

    async def _stream(self, client: Any, request: LLMRequest) -> AsyncGenerator[Chunk, None]:
        system, turns = split_system(request)
        messages = [{"role": m.role, "content": message_content(m, _image_url)} for m in turns]
        if system:
            messages.insert(0, {"role": "system", "content": system})
        kwargs: dict[str, Any] = {"model": request.model.name, "messages": messages}
        if request.params.temperature is not None:
            kwargs["temperature"] = request.params.temperature
        if request.params.max_tokens is not None:
            kwargs["max_tokens"] = request.params.max_tokens
        usage = Usage()
        finish: str | None = None
        with self._mapping():
            events = await client.chat.stream_async(**kwargs)
            async with events:
                async for event in events:
                    chunk = event.data
                    if chunk.usage is not None:
                        usage = Usage(chunk.usage.prompt_tokens, chunk.usage.completion_tokens)
                    for choice in chunk.choices:
                        finish = choice.finish_reason or finish
                        text = choice.delta.content
                        if isinstance(text, str) and text:
                            yield text
        if finish in FILTERED_STOPS:
            raise errors.content_filtered(self.name, finish)
        yield usage

    def _map_sdk(self, exc: Exception) -> ProviderError | None:
        from mistralai.client import errors as mistral_errors

        if isinstance(exc, mistral_errors.ResponseValidationError):
            return _stream_error(self.name, exc.body) or errors.malformed(self.name, exc)
        if isinstance(exc, mistral_errors.MistralError):
            return errors.status_error(
                self.name, exc.status_code, headers=exc.headers, body=exc.body
            )
        return None

    async def list_models(self) -> list[ModelInfo]:
        with self._mapping():
            listing = await self._sdk().models.list_async()
        return [
            ModelInfo(
                ModelRef(self.name, m.id),
                context_window=getattr(m, "max_context_length", None),
                description=getattr(m, "description", None) or "",
            )
            for m in listing.data or []
            if getattr(m, "id", None)
        ]


def _stream_error(provider: str, body: str) -> ProviderError | None:
    """An error event inside the stream, which this SDK reports as a chunk it cannot validate."""
    try:
        event = json.loads(body)
    except ValueError:
        return None
    data = event.get("data", event) if isinstance(event, dict) else None
    if isinstance(data, dict) and "error" in data:
        return errors.status_error(provider, 200, body=data)
    return None


def _image_url(image: ImagePart) -> dict[str, Any]:
    """Mistral's image chunk: ``image_url`` holds the data URL as a plain string."""
    return {"type": "image_url", "image_url": image.data_url}
