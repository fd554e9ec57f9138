"""One error taxonomy: the same server answer means the same thing for every provider."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from orchestrator_tui.core.errors import ErrorKind
from orchestrator_tui.providers.errors import retry_after, status_error


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        (401, ErrorKind.AUTH),
        (403, ErrorKind.AUTH),
        (429, ErrorKind.RATE_LIMITED),
        (500, ErrorKind.SERVER),
        (502, ErrorKind.SERVER),
        (503, ErrorKind.OVERLOADED),
        (529, ErrorKind.OVERLOADED),
        (504, ErrorKind.TIMEOUT),
        (400, ErrorKind.BAD_REQUEST),
        (404, ErrorKind.BAD_REQUEST),
        (413, ErrorKind.CONTEXT_LENGTH),
    ],
)
def test_each_status_has_one_meaning(status: int, kind: ErrorKind) -> None:
    error = status_error("p", status, body=b"not json")
    assert error.kind is kind
    assert error.retryable == (
        kind in {ErrorKind.RATE_LIMITED, ErrorKind.SERVER, ErrorKind.OVERLOADED, ErrorKind.TIMEOUT}
    )
    assert f"(HTTP {status})" in error.message


def test_a_vague_400_is_refined_by_its_message() -> None:
    assert status_error(
        "p", 400, body={"error": {"message": "content blocked by safety"}}
    ).kind is (ErrorKind.CONTENT_FILTER)
    assert status_error("p", 400, body={"error": {"code": "context_length_exceeded"}}).kind is (
        ErrorKind.CONTEXT_LENGTH
    )


def test_an_error_inside_a_stream_takes_its_kind_from_its_type() -> None:
    error = status_error("p", 200, body={"error": {"type": "overloaded_error", "message": "busy"}})
    assert error.kind is ErrorKind.OVERLOADED
    assert error.status is None
    assert error.message == "p: the provider is overloaded — busy"


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        # OpenAI today, and before: a server_error whose message says so
        ({"type": "service_unavailable_error", "code": "server_is_overloaded"}, "overloaded"),
        ({"type": "server_error", "message": "That model is currently overloaded"}, "overloaded"),
        ({"code": 503, "message": "Provider returned error"}, "overloaded"),  # OpenRouter, vLLM
        ({"code": "503", "message": "upstream busy"}, "overloaded"),
        ({"type": "server_error", "message": "The server had an error"}, "server"),
        ({"code": 500, "message": "Internal error"}, "server"),
        ({"code": "1000", "message": "unknown"}, "unknown"),  # a provider's own code, no status
    ],
)
def test_an_overload_inside_a_stream_is_an_overload_in_every_providers_words(
    error: dict[str, object], kind: str
) -> None:
    found = status_error("p", 200, body={"error": error})
    assert found.kind.value == kind
    assert found.status is None  # no HTTP status was involved


def test_retry_after_in_seconds_milliseconds_or_as_a_date() -> None:
    assert retry_after({"Retry-After": "7"}) == 7
    assert retry_after({"retry-after-ms": "1500", "retry-after": "9"}) == 1.5
    later = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    assert 25 < (retry_after({"Retry-After": later}) or 0) <= 30
    assert retry_after({"Retry-After": "soon"}) is None
    assert retry_after({}) is None
