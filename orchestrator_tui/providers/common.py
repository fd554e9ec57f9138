"""What the providers share: their HTTP clients' TLS context and timeout, and the system prompt split."""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterator
from typing import Any

from orchestrator_tui.core.catalog import ProviderConfig
from orchestrator_tui.core.errors import ProviderError
from orchestrator_tui.core.resilience import Timeouts
from orchestrator_tui.core.types import LLMRequest, Message
from orchestrator_tui.providers import errors

DEFAULT_MAX_TOKENS = 4096
"""For APIs that require ``max_tokens`` (Anthropic) when the user set none."""


@functools.cache
def tls_context(module: Any) -> Any:
    """One TLS context per httpx flavour, shared by every client: building one reads the whole
    CA bundle (tens of milliseconds), and each provider would otherwise pay it again."""
    return module.create_ssl_context()


def client_timeout(module: Any, config: ProviderConfig) -> Any:
    """An ``httpx``/``httpx2`` ``Timeout`` with only the connect limit: the engine times the rest."""
    return module.Timeout(None, connect=Timeouts.from_settings(config.settings).connect)


def sdk_http_client(config: ProviderConfig) -> Any:
    """An ``httpx2`` client (the SDKs' copy of httpx) whose requests keep only our connect limit.

    The google-genai and mistralai SDKs put their own timeout on every request (none at all, or
    300 s for everything); this client replaces it, since the engine times first token, idle gaps
    and the total itself.
    """
    import httpx2

    class PinnedTimeout(httpx2.AsyncClient):
        def build_request(self, *args: Any, **kwargs: Any) -> Any:
            kwargs["timeout"] = self.timeout
            return super().build_request(*args, **kwargs)

    return PinnedTimeout(
        timeout=client_timeout(httpx2, config), verify=tls_context(httpx2), follow_redirects=True
    )


def split_system(request: LLMRequest) -> tuple[str | None, list[Message]]:
    """The system prompt (parameters first, then system messages) and the turns without it."""
    system = [request.params.system] if request.params.system else []
    system += [m.content for m in request.messages if m.role == "system"]
    turns = [m for m in request.messages if m.role != "system"]
    return ("\n\n".join(system) or None), turns


class SdkProvider:
    """What the SDK-backed providers share: their entry, their key, a client made on first use,
    and how an SDK's exceptions become ``ProviderError``.

    Subclasses build ``_client`` (and, where the SDK takes one, the ``_http`` client it runs on) in
    ``_sdk()``, so importing a provider module never imports its SDK; they name their SDK's own
    errors in ``_map_sdk`` and wrap every SDK call in ``with self._mapping():``.
    """

    def __init__(self, config: ProviderConfig, api_key: str | None) -> None:
        self.name = config.name
        self._config = config
        self._api_key = api_key
        self._client: Any = None
        self._http: Any = None

    async def aclose(self) -> None:
        if self._http is not None:
            await self._http.aclose()
        self._client = self._http = None

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
