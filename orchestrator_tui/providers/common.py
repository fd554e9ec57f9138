"""What the providers share: their HTTP clients' TLS context, timeout and kept-alive connections,
getting ready for a first request, the system prompt split and a message's content blocks."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import threading
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Iterator
from typing import Any

from orchestrator_tui.core.catalog import ProviderConfig
from orchestrator_tui.core.errors import ProviderError
from orchestrator_tui.core.ports import Chunk
from orchestrator_tui.core.resilience import Timeouts
from orchestrator_tui.core.types import (
    GenerationParams,
    ImagePart,
    LLMRequest,
    Message,
    ModelRef,
    TextPart,
)
from orchestrator_tui.providers import errors

log = logging.getLogger(__name__)

DEFAULT_MAX_TOKENS = 4096
"""For APIs that require ``max_tokens`` (Anthropic) when the user set none."""
REHEARSAL_REQUEST = LLMRequest(
    ModelRef("rehearsal", "rehearsal"), (Message("user", "hi"),), GenerationParams()
)
"""What ``SdkProvider`` sends through its SDK ahead of the first real request (never sent out)."""
TAIL_WAIT = 0.25
"""Seconds a streamed body left unread is read on for its end (see ``read_to_end``)."""
KEEPALIVE = 300.0
"""Seconds an idle connection stays in the pool (httpx drops it after 5 s): a connection opened
while the person types is still there when they press Enter. A server that closed it meanwhile
is noticed by the pool, which then connects again."""


def message_content(
    message: Message, image_block: Callable[[ImagePart], dict[str, Any]]
) -> str | list[dict[str, Any]]:
    """A message's content as the JSON chat APIs take it: plain text as a string, or with images
    a list of blocks in the message's order, text as ``{"type": "text"}`` and each image as the
    API's own ``image_block``."""
    if not message.images:
        return message.text
    return [
        {"type": "text", "text": part.text} if isinstance(part, TextPart) else image_block(part)
        for part in message.content
    ]


@functools.cache
def tls_context(module: Any) -> Any:
    """One TLS context per httpx flavour, shared by every client: building one reads the whole
    CA bundle (tens of milliseconds), and each provider would otherwise pay it again."""
    return module.create_ssl_context()


def client_timeout(module: Any, config: ProviderConfig) -> Any:
    """An ``httpx``/``httpx2`` ``Timeout`` with only the connect limit: the engine times the rest."""
    return module.Timeout(None, connect=Timeouts.from_settings(config.settings).connect)


def client_limits(module: Any) -> Any:
    """An ``httpx``/``httpx2`` ``Limits`` that keeps idle connections for ``KEEPALIVE`` seconds."""
    return module.Limits(
        max_connections=100, max_keepalive_connections=20, keepalive_expiry=KEEPALIVE
    )


async def preconnect(client: Any, url: str) -> None:
    """Open a connection from ``client``'s pool to ``url``'s server and leave it there for the
    first request, with one ``HEAD`` (no body, no model called; whatever the status).

    A failure is only logged: the request meets it again and reports it.
    """
    try:
        await client.head(url)
    except Exception as exc:  # an unreachable server is the request's to report
        log.debug("could not connect ahead to %s: %s", url, type(exc).__name__)


async def read_to_end(chunks: AsyncIterator[Any]) -> None:
    """Read on what is left of a streamed body whose reader stopped at the stream's last event
    (``[DONE]``): only the end of the chunked encoding follows, and until it is read the pool
    closes the connection instead of keeping it, so the next request would connect (and shake
    hands over TLS) again. A server that keeps the stream open is left after ``TAIL_WAIT``; a
    cancelled request is not read on at all."""
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        return
    with contextlib.suppress(Exception):  # timed out or cut: the pool closes that connection
        async with asyncio.timeout(TAIL_WAIT):
            async for _ in chunks:
                pass


def sdk_http_client(config: ProviderConfig) -> Any:
    """An ``httpx2`` client (the SDKs' copy of httpx) whose requests keep only our connect limit.

    The google-genai and mistralai SDKs put their own timeout on every request (none at all, or
    300 s for everything); this client replaces it, since the engine times first token, idle gaps
    and the total itself. And the mistralai SDK closes a stream as soon as it reads ``[DONE]``;
    this client reads it to its end first (``read_to_end``), so the connection is kept.
    """
    import httpx2

    class ReadToEndOnClose(httpx2.AsyncByteStream):
        def __init__(self, body: Any) -> None:
            self._body = body
            self._chunks: AsyncIterator[bytes] | None = None

        async def __aiter__(self) -> AsyncIterator[bytes]:
            self._chunks = aiter(self._body)
            async for chunk in self._chunks:
                yield chunk

        async def aclose(self) -> None:
            if self._chunks is not None:
                await read_to_end(self._chunks)
            await self._body.aclose()

    class PinnedTimeout(httpx2.AsyncClient):
        def build_request(self, *args: Any, **kwargs: Any) -> Any:
            kwargs["timeout"] = self.timeout
            return super().build_request(*args, **kwargs)

        async def send(self, request: Any, **kwargs: Any) -> Any:
            response = await super().send(request, **kwargs)
            if kwargs.get("stream"):
                response.stream = ReadToEndOnClose(response.stream)
            return response

    return PinnedTimeout(
        timeout=client_timeout(httpx2, config),
        limits=client_limits(httpx2),
        verify=tls_context(httpx2),
        follow_redirects=True,
    )


def split_system(request: LLMRequest) -> tuple[str | None, list[Message]]:
    """The system prompt (parameters first, then system messages) and the turns without it."""
    system = [request.params.system] if request.params.system else []
    system += [m.text for m in request.messages if m.role == "system"]
    turns = [m for m in request.messages if m.role != "system"]
    return ("\n\n".join(system) or None), turns


class SdkProvider:
    """What the SDK-backed providers share: their entry, their key, a client made on first use,
    getting ready for the first request, and how an SDK's exceptions become ``ProviderError``.

    Subclasses make their SDK's client on a given ``httpx2`` client in ``_build(http)``, so
    importing a provider module never imports its SDK, and stream with a given SDK client in
    ``_stream``. They name the API's address (``api_url``, when ``base_url`` is not set), a
    minimal streamed answer in its wire format (``rehearsal``), what their SDK does on a client's
    first request only (``_first_use``), their SDK's own errors in ``_map_sdk``, and wrap every
    SDK call in ``with self._mapping():``.
    """

    api_url = ""
    rehearsal = b""

    def __init__(self, config: ProviderConfig, api_key: str | None) -> None:
        self.name = config.name
        self._config = config
        self._api_key = api_key
        self._client: Any = None
        self._http: Any = None
        self._building = threading.Lock()
        self._making_http = threading.Lock()
        self._prepared: asyncio.Future[None] | None = None

    def _build(self, http: Any) -> Any:
        """Import the SDK and make its client, sending through ``http``."""
        raise NotImplementedError

    def _stream(self, client: Any, request: LLMRequest) -> AsyncGenerator[Chunk, None]:
        raise NotImplementedError

    def stream(self, request: LLMRequest) -> AsyncGenerator[Chunk, None]:
        return self._stream(self._sdk(), request)

    def _sdk(self) -> Any:
        """The SDK's client, made once (from the event loop or from ``prepare``'s thread)."""
        with self._building:
            if self._client is None:
                self._client = self._build(self._http_client())
        return self._client

    def _http_client(self) -> Any:
        """The HTTP client the SDK's client sends through, made before it (no SDK needed)."""
        with self._making_http:
            if self._http is None:
                self._http = sdk_http_client(self._config)
        return self._http

    async def prepare(self) -> None:
        """In a thread: import the SDK, make its client, and rehearse a request (about a second
        the first time). Done once: a request sent meanwhile waits for the same preparation."""
        if self._prepared is None:
            self._prepared = asyncio.ensure_future(asyncio.to_thread(self._prepare))
        await asyncio.shield(self._prepared)  # a cancelled waiter leaves it to the others

    def _prepare(self) -> None:
        self._first_use(self._sdk())
        self._rehearse()

    def _first_use(self, client: Any) -> None:
        """What the SDK does on this client's first request only, done here in ``prepare``'s
        thread instead (nothing by default; the rehearsal warms what all clients share)."""

    def _rehearse(self) -> None:
        """One request through the SDK, answered by ``rehearsal`` without the network, on this
        thread's own event loop: what an SDK does only once (imports on first use, the pydantic
        schemas of its answers: 20-80 ms) is done here and not after the person's first Enter."""
        import httpx2

        def answer(request: Any) -> Any:
            headers = {"content-type": "text/event-stream"}
            return httpx2.Response(200, headers=headers, content=self.rehearsal)

        async def rehearse() -> None:
            async with httpx2.AsyncClient(transport=httpx2.MockTransport(answer)) as http:
                client = self._build(http)
                chunks = self._stream(client, REHEARSAL_REQUEST)
                async with contextlib.aclosing(chunks):
                    async for _ in chunks:
                        pass

        try:
            asyncio.run(rehearse())
        except Exception as exc:  # only a lost head start: the real request does it all again
            log.debug("rehearsing a request to %s failed: %s", self.name, type(exc).__name__)

    async def preconnect(self) -> None:
        """``prepare`` and connect at the same time: the SDK's import (a second or more) need
        not wait for the handshake with the server, nor the handshake for the import."""
        http = await asyncio.to_thread(self._http_client)
        await asyncio.gather(
            self.prepare(), preconnect(http, self._config.base_url or self.api_url)
        )

    async def aclose(self) -> None:
        if self._http is not None:
            await self._http.aclose()
        self._client = self._http = self._prepared = None

    def _map_sdk(self, exc: Exception) -> ProviderError | None:
        """``exc`` as a ``ProviderError`` if it is one of the SDK's own errors, else ``None``."""
        raise NotImplementedError

    @contextlib.contextmanager
    def _mapping(self) -> Iterator[None]:
        """Whatever the SDK raises inside leaves as a ``ProviderError``: its own errors, then
        transport faults; anything else is re-raised as it is, since a bug should show as one."""
        try:
            yield
        except ProviderError:
            raise
        except Exception as exc:
            found = self._map_sdk(exc) or errors.transport_error(self.name, exc)
            if found is None:
                raise
            raise found from exc
