"""The one mapping from what a provider's server says (status, error type, transport fault) to ``ErrorKind``.

Each provider module only pulls the status, headers and body out of its SDK's exception and hands
them here, so a 429 means the same thing for every provider.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from email.utils import parsedate_to_datetime
from typing import Any

from orchestrator_tui.core.errors import ErrorKind, ProviderError

_CONTEXT_WORDS = re.compile(
    r"context[ _-]?(length|window)|too long|too many tokens|maximum context|token limit"
    r"|maximum number of tokens",
    re.I,
)
_FILTER_WORDS = re.compile(r"content[ _-]?filter|safety|blocked|moderation", re.I)
_OVERLOADED_WORDS = re.compile(r"overloaded|over capacity|at capacity", re.I)

# Error ``type``/``status``/``code`` strings found in the bodies of the providers' error responses.
_TYPE_KINDS = {
    "authentication_error": ErrorKind.AUTH,
    "permission_error": ErrorKind.AUTH,
    "invalid_api_key": ErrorKind.AUTH,
    "unauthenticated": ErrorKind.AUTH,
    "permission_denied": ErrorKind.AUTH,
    "rate_limit_error": ErrorKind.RATE_LIMITED,
    "rate_limit_exceeded": ErrorKind.RATE_LIMITED,
    "resource_exhausted": ErrorKind.RATE_LIMITED,
    "overloaded_error": ErrorKind.OVERLOADED,
    "overloaded": ErrorKind.OVERLOADED,
    "server_is_overloaded": ErrorKind.OVERLOADED,
    "service_unavailable_error": ErrorKind.OVERLOADED,
    "service_unavailable": ErrorKind.OVERLOADED,
    "slow_down": ErrorKind.OVERLOADED,
    "unavailable": ErrorKind.OVERLOADED,
    "api_error": ErrorKind.SERVER,
    "server_error": ErrorKind.SERVER,
    "internal": ErrorKind.SERVER,
    "deadline_exceeded": ErrorKind.TIMEOUT,
    "timeout_error": ErrorKind.TIMEOUT,
    "invalid_request_error": ErrorKind.BAD_REQUEST,
    "invalid_argument": ErrorKind.BAD_REQUEST,
    "not_found_error": ErrorKind.BAD_REQUEST,
    "request_too_large": ErrorKind.CONTEXT_LENGTH,
    "context_length_exceeded": ErrorKind.CONTEXT_LENGTH,
    "content_filter": ErrorKind.CONTENT_FILTER,
}


def kind_for_status(status: int) -> ErrorKind:
    if status in (401, 403):
        return ErrorKind.AUTH
    if status == 429:
        return ErrorKind.RATE_LIMITED
    if status in (503, 529):
        return ErrorKind.OVERLOADED
    if status in (408, 504):
        return ErrorKind.TIMEOUT
    if status == 413:
        return ErrorKind.CONTEXT_LENGTH
    if status >= 500:
        return ErrorKind.SERVER
    if status >= 400:
        return ErrorKind.BAD_REQUEST
    return ErrorKind.UNKNOWN


def retry_after(headers: Mapping[str, str] | None) -> float | None:
    """Seconds from ``retry-after-ms`` or ``Retry-After`` (seconds or an HTTP date)."""
    if not headers:
        return None
    lowered = {k.lower(): v for k, v in headers.items()}
    if "retry-after-ms" in lowered:
        try:
            return float(lowered["retry-after-ms"]) / 1000
        except ValueError:
            pass
    value = lowered.get("retry-after")
    if value is None:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    from datetime import UTC, datetime

    return max((when - datetime.now(UTC)).total_seconds(), 0.0)


def error_from_body(body: Any) -> tuple[list[str], str]:
    """``(type names, message)`` from an error body in any of the providers' shapes."""
    if isinstance(body, bytes | str):
        text = body.decode(errors="replace") if isinstance(body, bytes) else body
        try:
            body = json.loads(text)
        except ValueError:
            return [], text[:300]
    if isinstance(body, list) and body:
        body = body[0]
    if not isinstance(body, dict):
        return [], ""
    error = body.get("error", body)
    if isinstance(error, str):
        return [], error
    if not isinstance(error, dict):
        return [], ""
    names = [str(error[k]).lower() for k in ("type", "status", "code") if error.get(k) is not None]
    message = error.get("message") or body.get("message") or ""
    return names, str(message)


def status_error(
    provider: str,
    status: int,
    *,
    headers: Mapping[str, str] | None = None,
    body: Any = None,
) -> ProviderError:
    """An HTTP error response, or an error event inside a stream (``status`` 200).

    The status decides (inside a stream, the HTTP status the body names, as OpenRouter and vLLM
    send ``"code": 503``); the body's error type refines a vague one (400, or an in-stream error).
    An overload is called one whatever the provider's words for it: Anthropic's
    ``overloaded_error``, Google's ``UNAVAILABLE``, OpenAI's ``server_is_overloaded`` or a
    ``server_error`` saying "overloaded", so every provider's is retried and reported alike.
    """
    names, message = error_from_body(body)
    named = [int(n) for n in names if n.isdigit() and 400 <= int(n) < 600]
    kind = kind_for_status(named[0] if status == 200 and named else status)
    found = [_TYPE_KINDS[n] for n in names if n in _TYPE_KINDS]
    if kind in (ErrorKind.BAD_REQUEST, ErrorKind.UNKNOWN):
        kind = next(iter(found), kind)
    if kind in (ErrorKind.SERVER, ErrorKind.UNKNOWN) and (
        ErrorKind.OVERLOADED in found or _OVERLOADED_WORDS.search(message)
    ):
        kind = ErrorKind.OVERLOADED
    if kind in (ErrorKind.BAD_REQUEST, ErrorKind.UNKNOWN):
        if _CONTEXT_WORDS.search(message):
            kind = ErrorKind.CONTEXT_LENGTH
        elif _FILTER_WORDS.search(message):
            kind = ErrorKind.CONTENT_FILTER
    return ProviderError(
        kind,
        message,
        provider=provider,
        status=status if status != 200 else None,
        retry_after=retry_after(headers),
    )


def transport_error(provider: str, exc: BaseException) -> ProviderError | None:
    """A connection fault from ``httpx`` or ``httpx2`` (the SDKs' copy), or ``None``."""
    import httpx

    modules = [httpx]
    try:
        import httpx2

        modules.append(httpx2)
    except ImportError:  # pragma: no cover - only the OpenAI-compatible adapter without SDKs
        pass
    for module in modules:
        if isinstance(exc, module.TimeoutException):
            return ProviderError(ErrorKind.TIMEOUT, _describe(exc), provider=provider)
        if isinstance(exc, module.ConnectError):
            return ProviderError(ErrorKind.CONNECTION, _describe(exc), provider=provider)
        if isinstance(exc, module.TransportError):
            detail = "the connection was closed before the answer ended"
            return ProviderError(ErrorKind.CONNECTION, detail, provider=provider)
    return None


def connection_error(provider: str, exc: BaseException) -> ProviderError:
    """A failed connection: the transport fault where one is known, else a plain ``CONNECTION``."""
    return transport_error(provider, exc) or ProviderError(
        ErrorKind.CONNECTION, _describe(exc), provider=provider
    )


def malformed(provider: str, exc: BaseException) -> ProviderError:
    """The server sent something that is not its own format."""
    detail = f"the provider sent a malformed event ({type(exc).__name__})"
    return ProviderError(ErrorKind.SERVER, detail, provider=provider)


def content_filtered(provider: str, reason: str) -> ProviderError:
    return ProviderError(ErrorKind.CONTENT_FILTER, f"stop reason {reason!r}", provider=provider)


def _describe(exc: BaseException) -> str:
    text = str(exc)
    return text if text else type(exc).__name__
