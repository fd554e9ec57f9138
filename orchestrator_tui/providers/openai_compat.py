"""Any OpenAI-compatible ``/chat/completions`` endpoint (OpenAI, DeepSeek, OpenRouter, Ollama, vLLM...)
over plain ``httpx`` server-sent events: one adapter, many ``models.yaml`` entries with a ``base_url``.
"""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator
from dataclasses import dataclass, field
from typing import Any

import httpx

from orchestrator_tui.core.catalog import ProviderConfig
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
    client_limits,
    client_timeout,
    message_content,
    preconnect,
    read_to_end,
    split_system,
    tls_context,
)

FILTERED_STOPS = ("content_filter",)


@dataclass(slots=True)
class _StreamState:
    usage: Usage = field(default_factory=Usage)
    finish: str | None = None
    done: bool = False
    failed: ProviderError | None = None


class OpenAICompatProvider:
    def __init__(self, config: ProviderConfig, api_key: str | None) -> None:
        if not config.base_url:
            raise ProviderError(
                ErrorKind.BAD_REQUEST,
                "set base_url for this provider in models.yaml",
                provider=config.name,
            )
        self.name = config.name
        self._base_url = config.base_url.rstrip("/") + "/"
        self._include_usage = bool(config.settings.get("stream_usage", True))
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._client = httpx.AsyncClient(
            base_url=self._base_url,
            headers=headers,
            timeout=client_timeout(httpx, config),
            limits=client_limits(httpx),
            verify=tls_context(httpx),
        )

    async def prepare(self) -> None:
        """Nothing to do: the client is made with the provider."""

    async def preconnect(self) -> None:
        await preconnect(self._client, self._base_url)

    def _body(self, request: LLMRequest) -> dict[str, Any]:
        system, turns = split_system(request)
        messages = [{"role": m.role, "content": message_content(m, _image_url)} for m in turns]
        if system:
            messages.insert(0, {"role": "system", "content": system})
        body: dict[str, Any] = {"model": request.model.name, "messages": messages, "stream": True}
        if self._include_usage:
            body["stream_options"] = {"include_usage": True}
        if request.params.temperature is not None:
            body["temperature"] = request.params.temperature
        if request.params.max_tokens is not None:
            body["max_tokens"] = request.params.max_tokens
        return body

    async def stream(self, request: LLMRequest) -> AsyncGenerator[Chunk, None]:
        """Text as it arrives: the events of one network read are yielded as one delta."""
        state = _StreamState()
        try:
            async with self._client.stream(
                "POST", "chat/completions", json=self._body(request)
            ) as response:
                if response.status_code >= 400:
                    body = await response.aread()
                    raise errors.status_error(
                        self.name, response.status_code, headers=response.headers, body=body
                    )
                rest = ""
                received_text = response.aiter_text()
                async for received in received_text:
                    *lines, rest = (rest + received).split("\n")
                    if text := self._read(lines, state):
                        yield text
                    if state.failed is not None:
                        raise state.failed
                    if state.done:
                        await read_to_end(received_text)  # the connection stays in the pool
                        break
                else:
                    if text := self._read([rest], state):
                        yield text
                    if state.failed is not None:
                        raise state.failed
        except httpx.HTTPError as exc:
            raise errors.connection_error(self.name, exc) from exc
        if state.finish in FILTERED_STOPS:
            raise errors.content_filtered(self.name, state.finish)
        yield state.usage

    def _read(self, lines: list[str], state: _StreamState) -> str:
        """The text in these SSE lines; stops at ``[DONE]`` or an error, noted in ``state``."""
        pieces = []
        for line in lines:
            if not line.startswith("data:"):
                continue
            data = line[5:].strip()
            if data == "[DONE]":
                state.done = True
                break
            try:
                chunk = self._decode(data)
            except ProviderError as error:
                state.failed = error  # raised after the text before it was shown
                break
            if chunk.get("usage"):
                found = chunk["usage"]
                state.usage = Usage(found.get("prompt_tokens"), found.get("completion_tokens"))
            for choice in chunk.get("choices") or ():
                state.finish = choice.get("finish_reason") or state.finish
                text = (choice.get("delta") or {}).get("content")
                if text:
                    pieces.append(text)
        return "".join(pieces)

    def _decode(self, data: str) -> dict[str, Any]:
        try:
            chunk = json.loads(data)
        except ValueError as exc:
            raise errors.malformed(self.name, exc) from None
        if not isinstance(chunk, dict):
            raise errors.malformed(self.name, TypeError(type(chunk).__name__))
        if "error" in chunk:
            raise errors.status_error(self.name, 200, body=chunk)
        return chunk

    async def list_models(self) -> list[ModelInfo]:
        try:
            response = await self._client.get("models")
        except httpx.HTTPError as exc:
            raise errors.connection_error(self.name, exc) from exc
        if response.status_code >= 400:
            raise errors.status_error(
                self.name, response.status_code, headers=response.headers, body=response.content
            )
        try:
            entries = response.json().get("data") or []
        except ValueError as exc:
            raise errors.malformed(self.name, exc) from None
        return [ModelInfo(ModelRef(self.name, str(e["id"]))) for e in entries if "id" in e]

    async def aclose(self) -> None:
        await self._client.aclose()


def _image_url(image: ImagePart) -> dict[str, Any]:
    """OpenAI's image part: a data URL."""
    return {"type": "image_url", "image_url": {"url": image.data_url}}
