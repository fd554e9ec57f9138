"""A loopback HTTP/1.1 server that speaks each provider's streaming format, for the real SDKs.

One server answers every format by path: Anthropic ``/v1/messages``, Gemini ``...:streamGenerateContent``,
OpenAI-compatible and Mistral ``.../chat/completions``, model listings on ``GET .../models``.
``script("429", "ok")`` sets what the next requests get; each request is kept in ``requests``.
Streams use chunked encoding, so a dropped connection is a real protocol error for the client.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

TOKENS = ("Hello", " from", " the", " wire")
SCENARIOS = (
    "ok",
    "401",
    "429",
    "500",
    "overloaded",
    "stream_error",
    "drop",
    "malformed",
    "stall",
    "linger",
    "empty",
    "filtered",
    "too_long",
)
RETRY_AFTER = "0.05"


@dataclass(slots=True)
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: Any
    at: float = field(default_factory=time.perf_counter)
    """When the request had arrived whole (``time.perf_counter``: comparable across processes)."""


@dataclass(slots=True)
class WireServer:
    host: str = "127.0.0.1"
    port: int = 0
    tokens: tuple[str, ...] = TOKENS
    requests: list[Seen] = field(default_factory=list)
    connections: list[float] = field(default_factory=list)
    """When each connection was accepted (``time.perf_counter``)."""
    _script: deque[str] = field(default_factory=deque)
    _server: asyncio.Server | None = None
    _handlers: set[asyncio.Task[Any]] = field(default_factory=set)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def script(self, *scenarios: str) -> None:
        unknown = set(scenarios) - set(SCENARIOS)
        assert not unknown, f"unknown scenarios {unknown}"
        self._script.extend(scenarios)

    async def start(self) -> WireServer:
        self._server = await asyncio.start_server(self._serve, self.host, self.port)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
        for task in list(self._handlers):
            task.cancel()
        await asyncio.gather(*self._handlers, return_exceptions=True)
        if self._server is not None:
            await self._server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections.append(time.perf_counter())
        task = asyncio.current_task()
        assert task is not None
        self._handlers.add(task)
        try:
            while await self._one(reader, writer):
                pass
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.CancelledError):
            pass
        finally:
            self._handlers.discard(task)
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    async def _one(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        """Answer one request; ``False`` closes the connection."""
        line = await reader.readline()
        if not line:
            return False
        method, target, _ = line.decode().split(" ", 2)
        headers: dict[str, str] = {}
        while (raw := await reader.readline()) not in (b"\r\n", b"\n", b""):
            name, _, value = raw.decode().partition(":")
            headers[name.strip().lower()] = value.strip()
        size = int(headers.get("content-length", 0))
        payload = await reader.readexactly(size) if size else b""
        body = json.loads(payload) if payload else None
        self.requests.append(Seen(method, target, headers, body))
        if method == "HEAD":  # a client connecting ahead (``providers.common.preconnect``)
            writer.write(b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n")
            await writer.drain()
            return True
        fmt = _format(target, headers)
        if method == "GET":
            await _send_json(writer, 200, _listing(fmt))
            return True
        scenario = self._script.popleft() if self._script else "ok"
        return await _respond(writer, fmt, scenario, self.tokens, headers)


def _format(target: str, headers: dict[str, str]) -> str:
    if "anthropic-version" in headers:
        return "anthropic"
    if "x-goog-api-key" in headers or ":streamGenerateContent" in target:
        return "gemini"
    return "openai"


async def _respond(
    writer: asyncio.StreamWriter,
    fmt: str,
    scenario: str,
    tokens: tuple[str, ...],
    request_headers: dict[str, str],
) -> bool:
    if scenario == "too_long":
        await _send_json(writer, 400, TOO_LONG[fmt])
        return True
    if scenario in ("401", "429", "500", "overloaded"):
        status = (529 if fmt == "anthropic" else 503) if scenario == "overloaded" else int(scenario)
        headers = {"retry-after": RETRY_AFTER} if scenario == "429" else {}
        body = _error_body(fmt, status)
        if status == 401:  # like servers that echo the key they refused
            body["error"]["message"] = f"invalid API key {_presented_key(request_headers)}"
        await _send_json(writer, status, body, headers)
        return True
    events = FORMATS[fmt]
    await _start_chunked(writer, "text/event-stream")
    if scenario == "stream_error":
        await _chunk(writer, events.stream_error())
        await _end_chunked(writer)
        return True
    sent = () if scenario == "empty" else tokens
    if scenario in ("drop", "malformed", "stall"):
        sent = tokens[:1]
    await _chunk(writer, events.head())
    for token in sent:
        await _chunk(writer, events.delta(token))
    if scenario == "drop":
        return False  # closes without the last chunk: the client sees a cut stream
    if scenario == "malformed":
        await _chunk(writer, events.malformed())
        await _end_chunked(writer)
        return True
    if scenario == "stall":
        await asyncio.Event().wait()
    await _chunk(writer, events.tail(len(sent), filtered=scenario == "filtered"))
    if scenario == "linger":  # the last event sent, and the stream kept open
        await asyncio.Event().wait()
    await _end_chunked(writer)
    return True


class Anthropic:
    @staticmethod
    def _event(name: str, data: dict[str, Any]) -> bytes:
        return f"event: {name}\ndata: {json.dumps(data)}\n\n".encode()

    def head(self) -> bytes:
        message = {
            "id": "msg_wire",
            "type": "message",
            "role": "assistant",
            "content": [],
            "model": "claude-wire",
            "stop_reason": None,
            "stop_sequence": None,
            "usage": {"input_tokens": 12, "output_tokens": 1},
        }
        return self._event(
            "message_start", {"type": "message_start", "message": message}
        ) + self._event(
            "content_block_start",
            {
                "type": "content_block_start",
                "index": 0,
                "content_block": {"type": "text", "text": ""},
            },
        )

    def delta(self, text: str) -> bytes:
        delta = {"type": "text_delta", "text": text}
        return self._event(
            "content_block_delta", {"type": "content_block_delta", "index": 0, "delta": delta}
        )

    def tail(self, count: int, filtered: bool = False) -> bytes:
        stop = "refusal" if filtered else "end_turn"
        return (
            self._event("content_block_stop", {"type": "content_block_stop", "index": 0})
            + self._event(
                "message_delta",
                {
                    "type": "message_delta",
                    "delta": {"stop_reason": stop, "stop_sequence": None},
                    "usage": {"output_tokens": count},
                },
            )
            + self._event("message_stop", {"type": "message_stop"})
        )

    def malformed(self) -> bytes:
        return b'event: content_block_delta\ndata: {"type": "content_block_delta", "ind\n\n'

    def stream_error(self) -> bytes:
        return self._event("error", _error_body("anthropic", 529))


class Gemini:
    @staticmethod
    def _data(data: dict[str, Any]) -> bytes:
        return f"data: {json.dumps(data)}\r\n\r\n".encode()

    def head(self) -> bytes:
        return b""

    def delta(self, text: str) -> bytes:
        return self._candidate(text, None, 1)

    def _candidate(self, text: str, finish: str | None, count: int) -> bytes:
        candidate: dict[str, Any] = {
            "content": {"parts": [{"text": text}], "role": "model"},
            "index": 0,
        }
        if finish:
            candidate["finishReason"] = finish
        usage = {"promptTokenCount": 6, "candidatesTokenCount": count, "totalTokenCount": 6 + count}
        return self._data(
            {"candidates": [candidate], "usageMetadata": usage, "modelVersion": "gemini-wire"}
        )

    def tail(self, count: int, filtered: bool = False) -> bytes:
        return self._candidate("", "SAFETY" if filtered else "STOP", count)

    def malformed(self) -> bytes:
        return b'data: {"candidates": [{"content": \r\n\r\n'

    def stream_error(self) -> bytes:
        return self._data(_error_body("gemini", 503))


class OpenAI:
    @staticmethod
    def _data(data: dict[str, Any]) -> bytes:
        return f"data: {json.dumps(data)}\n\n".encode()

    def _chunk(self, delta: dict[str, Any], finish: str | None = None, **extra: Any) -> bytes:
        choice = {"index": 0, "delta": delta, "finish_reason": finish}
        return self._data(
            {
                "id": "cmpl-wire",
                "object": "chat.completion.chunk",
                "created": 1700000000,
                "model": "wire",
                "choices": [choice],
                **extra,
            }
        )

    def head(self) -> bytes:
        return self._chunk({"role": "assistant", "content": ""})

    def delta(self, text: str) -> bytes:
        return self._chunk({"content": text})

    def tail(self, count: int, filtered: bool = False) -> bytes:
        usage = {"prompt_tokens": 10, "completion_tokens": count, "total_tokens": 10 + count}
        stop = "content_filter" if filtered else "stop"
        return self._chunk({"content": ""}, stop, usage=usage) + b"data: [DONE]\n\n"

    def malformed(self) -> bytes:
        return b'data: {"id": "cmpl-wire", "choices": [{\n\n'

    def stream_error(self) -> bytes:
        """What OpenAI sends inside a stream when it is overloaded (Mistral's SDK gets the same)."""
        return self._data(
            {
                "error": {
                    "message": "Our servers are currently overloaded. Please try again later.",
                    "type": "service_unavailable_error",
                    "code": "server_is_overloaded",
                    "param": None,
                }
            }
        )


TOO_LONG = {  # what each API answers when the prompt exceeds the context window
    "anthropic": {
        "type": "error",
        "error": {
            "type": "invalid_request_error",
            "message": "prompt is too long: 250000 tokens > 200000 maximum",
        },
    },
    "gemini": {
        "error": {
            "code": 400,
            "message": "The input token count (2000000) exceeds the maximum number of tokens"
            " allowed (1048576).",
            "status": "INVALID_ARGUMENT",
        }
    },
    "openai": {
        "error": {
            "message": "This model's maximum context length is 128000 tokens.",
            "type": "invalid_request_error",
            "code": "context_length_exceeded",
        }
    },
}
FORMATS: dict[str, Any] = {"anthropic": Anthropic(), "gemini": Gemini(), "openai": OpenAI()}

_ANTHROPIC_TYPES = {
    401: "authentication_error",
    429: "rate_limit_error",
    500: "api_error",
    529: "overloaded_error",
}
_GOOGLE_STATUS = {
    401: "UNAUTHENTICATED",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    503: "UNAVAILABLE",
}
_OPENAI_TYPES = {
    401: "invalid_request_error",
    429: "rate_limit_exceeded",
    500: "server_error",
    503: "server_error",
}


def _error_body(fmt: str, status: int) -> dict[str, Any]:
    message = f"wire says {status}"
    if fmt == "anthropic":
        return {"type": "error", "error": {"type": _ANTHROPIC_TYPES[status], "message": message}}
    if fmt == "gemini":
        return {"error": {"code": status, "message": message, "status": _GOOGLE_STATUS[status]}}
    code = "invalid_api_key" if status == 401 else None
    return {"error": {"message": message, "type": _OPENAI_TYPES[status], "code": code}}


def _presented_key(headers: dict[str, str]) -> str:
    for name in ("x-api-key", "x-goog-api-key"):
        if name in headers:
            return headers[name]
    return headers.get("authorization", "").removeprefix("Bearer ")


def _listing(fmt: str) -> dict[str, Any]:
    if fmt == "gemini":
        return {"models": [{"name": "models/gemini-wire", "inputTokenLimit": 1000}]}
    if fmt == "anthropic":
        model = {
            "id": "claude-wire",
            "type": "model",
            "display_name": "Claude Wire",
            "created_at": "2025-01-01T00:00:00Z",
        }
        return {
            "data": [model],
            "has_more": False,
            "first_id": "claude-wire",
            "last_id": "claude-wire",
        }
    return {
        "object": "list",
        "data": [{"id": "wire-model", "object": "model", "type": "base", "capabilities": {}}],
    }


async def _send_json(
    writer: asyncio.StreamWriter, status: int, body: Any, headers: dict[str, str] | None = None
) -> None:
    payload = json.dumps(body).encode()
    extra = "".join(f"{k}: {v}\r\n" for k, v in (headers or {}).items())
    writer.write(
        f"HTTP/1.1 {status} X\r\ncontent-type: application/json\r\n"
        f"content-length: {len(payload)}\r\n{extra}\r\n".encode()
        + payload
    )
    await writer.drain()


async def _start_chunked(writer: asyncio.StreamWriter, content_type: str) -> None:
    writer.write(
        f"HTTP/1.1 200 OK\r\ncontent-type: {content_type}\r\n"
        "transfer-encoding: chunked\r\n\r\n".encode()
    )
    await writer.drain()


async def _chunk(writer: asyncio.StreamWriter, data: bytes) -> None:
    if data:
        writer.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        await writer.drain()


async def _end_chunked(writer: asyncio.StreamWriter) -> None:
    writer.write(b"0\r\n\r\n")
    await writer.drain()


@contextlib.contextmanager
def threaded_server(**options: Any) -> Iterator[WireServer]:
    """The wire server on its own event loop in a thread, for code that runs ``asyncio.run`` itself
    (the CLI); ``script`` is safe to call from the test's thread between commands."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="wire-server", daemon=True)
    thread.start()
    server = asyncio.run_coroutine_threadsafe(WireServer(**options).start(), loop).result(10)
    try:
        yield server
    finally:
        asyncio.run_coroutine_threadsafe(server.stop(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()
