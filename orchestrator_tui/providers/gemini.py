"""Google Gemini through the official ``google-genai`` SDK (``aio.models.generate_content_stream``)."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Any

from orchestrator_tui.core.errors import ProviderError
from orchestrator_tui.core.ports import Chunk
from orchestrator_tui.core.types import (
    LLMRequest,
    Message,
    ModelInfo,
    ModelRef,
    TextPart,
    Usage,
)
from orchestrator_tui.providers import errors
from orchestrator_tui.providers.common import SdkProvider, split_system

FILTERED_STOPS = ("SAFETY", "PROHIBITED_CONTENT", "BLOCKLIST", "SPII", "RECITATION")
ROLES = {"user": "user", "assistant": "model"}


REHEARSAL = (
    b'data: {"candidates": [{"content": {"parts": [{"text": "ok"}], "role": "model"}, '
    b'"finishReason": "STOP", "index": 0}], "usageMetadata": {"promptTokenCount": 1, '
    b'"candidatesTokenCount": 1, "totalTokenCount": 2}}\r\n\r\n'
)
"""A whole streamed answer of ``streamGenerateContent`` (see ``SdkProvider.rehearsal``)."""


class GeminiProvider(SdkProvider):
    api_url = "https://generativelanguage.googleapis.com"
    rehearsal = REHEARSAL

    def _build(self, http: Any) -> Any:
        from google import genai
        from google.genai import types

        options = types.HttpOptions(
            base_url=self._config.base_url,
            httpx_async_client=http,
            retry_options=types.HttpRetryOptions(attempts=1),
        )
        return genai.Client(api_key=self._api_key, http_options=options)

    async def _stream(self, client: Any, request: LLMRequest) -> AsyncGenerator[Chunk, None]:
        from google.genai import types

        system, turns = split_system(request)
        config = types.GenerateContentConfig(
            system_instruction=system,
            temperature=request.params.temperature,
            max_output_tokens=request.params.max_tokens,
        )
        contents = [types.Content(role=ROLES[m.role], parts=_parts(types, m)) for m in turns]
        usage = Usage()
        finish: str | None = None
        with self._mapping():
            chunks = await client.aio.models.generate_content_stream(
                model=request.model.name, contents=contents, config=config
            )
            async for chunk in chunks:
                if chunk.usage_metadata is not None:
                    meta = chunk.usage_metadata
                    usage = Usage(meta.prompt_token_count, meta.candidates_token_count or 0)
                if chunk.candidates and chunk.candidates[0].finish_reason:
                    finish = str(chunk.candidates[0].finish_reason.value)
                if chunk.text:
                    yield chunk.text
        if finish in FILTERED_STOPS:
            raise errors.content_filtered(self.name, finish)
        yield usage

    def _map_sdk(self, exc: Exception) -> ProviderError | None:
        from google.genai import errors as genai_errors

        if isinstance(exc, genai_errors.UnknownApiResponseError):
            return errors.malformed(self.name, exc)
        if isinstance(exc, genai_errors.APIError):
            response = getattr(exc, "response", None)
            headers = getattr(response, "headers", None)
            body = exc.details if exc.details is not None else {"message": exc.message}
            status = exc.code or 500
            return errors.status_error(self.name, status, headers=headers, body=body)
        return None

    async def list_models(self) -> list[ModelInfo]:
        found: list[ModelInfo] = []
        with self._mapping():
            async for model in await self._sdk().aio.models.list():
                name = (model.name or "").removeprefix("models/")
                found.append(
                    ModelInfo(
                        ModelRef(self.name, name),
                        context_window=model.input_token_limit,
                        description=model.display_name or "",
                    )
                )
        return found


def _parts(types: Any, message: Message) -> list[Any]:
    """The message's parts as Gemini's, in order: text, and each image inline (``inline_data``)."""
    return [
        types.Part(text=part.text)
        if isinstance(part, TextPart)
        else types.Part.from_bytes(data=part.data, mime_type=part.media_type)
        for part in message.content
    ]
