"""One error taxonomy for every provider, with messages a person understands."""

from __future__ import annotations

from enum import StrEnum


class ErrorKind(StrEnum):
    AUTH = "auth"
    RATE_LIMITED = "rate_limited"
    OVERLOADED = "overloaded"
    SERVER = "server"
    TIMEOUT = "timeout"
    CONNECTION = "connection"
    BAD_REQUEST = "bad_request"
    CONTEXT_LENGTH = "context_length"
    CONTENT_FILTER = "content_filter"
    CIRCUIT_OPEN = "circuit_open"
    MISSING_KEY = "missing_key"
    KEY_LOCKED = "key_locked"
    CANCELLED = "cancelled"
    SKIPPED = "skipped"
    BUDGET = "budget"
    UNKNOWN = "unknown"


RETRYABLE = frozenset(
    {
        ErrorKind.RATE_LIMITED,
        ErrorKind.OVERLOADED,
        ErrorKind.SERVER,
        ErrorKind.TIMEOUT,
        ErrorKind.CONNECTION,
    }
)

_HEADLINES = {
    ErrorKind.AUTH: "the API key was refused",
    ErrorKind.RATE_LIMITED: "rate limited by the provider",
    ErrorKind.OVERLOADED: "the provider is overloaded",
    ErrorKind.SERVER: "the provider had a server error",
    ErrorKind.TIMEOUT: "timed out",
    ErrorKind.CONNECTION: "the connection to the provider failed",
    ErrorKind.BAD_REQUEST: "the provider rejected the request",
    ErrorKind.CONTEXT_LENGTH: "the conversation is too long for this model",
    ErrorKind.CONTENT_FILTER: "the answer was blocked by the provider's content filter",
    ErrorKind.CIRCUIT_OPEN: "paused after repeated failures",
    ErrorKind.MISSING_KEY: "no API key",
    ErrorKind.KEY_LOCKED: "cannot read the API key",
    ErrorKind.CANCELLED: "cancelled",
    ErrorKind.SKIPPED: "not sent",
    ErrorKind.BUDGET: "over budget",
    ErrorKind.UNKNOWN: "failed",
}


class OrchError(Exception):
    """Base of every error the program explains to the user instead of showing a traceback."""


class ConfigError(OrchError):
    """Bad configuration or input: the message names what and where."""


class ProviderError(OrchError):
    """A provider call failed; ``kind`` says how, ``retry_after`` (seconds) comes from the server."""

    def __init__(
        self,
        kind: ErrorKind,
        detail: str = "",
        *,
        provider: str = "",
        status: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        self.kind = kind
        self.detail = detail
        self.provider = provider
        self.status = status
        self.retry_after = retry_after
        super().__init__(self.message)

    @property
    def retryable(self) -> bool:
        return self.kind in RETRYABLE

    @property
    def message(self) -> str:
        who = f"{self.provider}: " if self.provider else ""
        code = f" (HTTP {self.status})" if self.status else ""
        detail = f" — {self.detail}" if self.detail else ""
        return f"{who}{_HEADLINES[self.kind]}{code}{detail}"
