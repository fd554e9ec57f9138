"""Anthropic through its official SDK (``messages.stream``); the SDK is imported on first use."""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator
from typing import Any

from orchestrator_tui.core.errors import ErrorKind, ProviderError
from orchestrator_tui.core.ports import Chunk
from orchestrator_tui.core.types import (
    ImagePart,
    LLMRequest,
    ModelInfo,
    ModelRef,
    Usage,
)
from orchestrator_tui.providers import errors
from orchestrator_tui.providers.common import (
    DEFAULT_MAX_TOKENS,
    SdkProvider,
    message_content,
    split_system,
)

FILTERED_STOPS = ("refusal",)


REHEARSAL = b"".join(
    f"event: {json.loads(data)['type']}\ndata: {data}\n\n".encode()
    for data in (
        '{"type": "message_start", "message": {"id": "msg_0", "type": "message", "role": '
        '"assistant", "content": [], "model": "m", "stop_reason": null, "stop_sequence": null, '
        '"usage": {"input_tokens": 1, "output_tokens": 1}}}',
        '{"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}',
        '{"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "ok"}}',
        '{"type": "content_block_stop", "index": 0}',
        '{"type": "message_delta", "delta": {"stop_reason": "end_turn", "stop_sequence": null}, '
        '"usage": {"output_tokens": 1}}',
        '{"type": "message_stop"}',
    )
)
"""A whole streamed answer in the Messages API's events (see ``SdkProvider.rehearsal``)."""


class AnthropicProvider(SdkProvider):
    api_url = "https://api.anthropic.com"
    rehearsal = REHEARSAL

    def _build(self, http: Any) -> Any:
        import anthropic

        return anthropic.AsyncAnthropic(
            api_key=self._api_key, base_url=self._config.base_url, max_retries=0, http_client=http
        )

    def _first_use(self, client: Any) -> None:
        """The platform named in the request headers: the SDK finds it on a client's first
        request in a worker thread, a hop that waits for the event loop, busy drawing the new
        pane right after Enter (2-20 ms measured)."""
        from anthropic._base_client import get_platform

        if getattr(client, "_platform", False) is None:
            client._platform = get_platform()

    async def _stream(self, client: Any, request: LLMRequest) -> AsyncGenerator[Chunk, None]:
        system, turns = split_system(request)
        kwargs: dict[str, Any] = {
            "model": request.model.name,
            "messages": [{"role": m.role, "content": message_content(m, _image)} for m in turns],
            "max_tokens": request.params.max_tokens or DEFAULT_MAX_TOKENS,
        }
        if system:
            kwargs["system"] = system
        if request.params.temperature is not None:  # not a typed parameter in this SDK any more
            kwargs["extra_body"] = {"temperature": request.params.temperature}
        with self._mapping():
            async with client.messages.stream(**kwargs) as stream:
                async for text in stream.text_stream:
                    yield text
                message = await stream.get_final_message()
        if message.stop_reason in FILTERED_STOPS:
            raise errors.content_filtered(self.name, message.stop_reason)
        usage = message.usage
        yield Usage(usage.input_tokens, usage.output_tokens)

    def _map_sdk(self, exc: Exception) -> ProviderError | None:
        import anthropic

        if isinstance(exc, anthropic.APIStatusError):
            return errors.status_error(
                self.name, exc.status_code, headers=exc.response.headers, body=exc.body
            )
        if isinstance(exc, anthropic.APITimeoutError):
            return ProviderError(ErrorKind.TIMEOUT, "connecting took too long", provider=self.name)
        if isinstance(exc, anthropic.APIConnectionError):
            cause = errors.transport_error(self.name, exc.__cause__) if exc.__cause__ else None
            return cause or errors.connection_error(self.name, exc)
        if isinstance(exc, json.JSONDecodeError | anthropic.APIResponseValidationError):
            return errors.malformed(self.name, exc)
        return None

    async def list_models(self) -> list[ModelInfo]:
        with self._mapping():
            page = await self._sdk().models.list(limit=100)
        return [
            ModelInfo(ModelRef(self.name, m.id), description=getattr(m, "display_name", ""))
            for m in page.data
        ]


def _image(image: ImagePart) -> dict[str, Any]:
    """Anthropic's image block: inline, as base64."""
    return {
        "type": "image",
        "source": {"type": "base64", "media_type": image.media_type, "data": image.base64},
    }
