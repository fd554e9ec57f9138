"""Resilience the user notices: circuit breaker, rate limit, concurrency cap, fallbacks, cache."""

from __future__ import annotations

import itertools
import json

import pytest

from orchestrator_tui.core.breaker import CircuitBreaker
from orchestrator_tui.core.errors import ErrorKind, ProviderError
from orchestrator_tui.core.events import TextDelta
from orchestrator_tui.core.limits import RateLimiter
from orchestrator_tui.services import open_services
from tests.wire.engine import ask

MODELS = """
providers:
  mock: {{type: mock, needs_key: false, retry_base_delay: 0.01, {settings}}}
models:
  mock:fails: {{api_name: flaky, options: {{schedule: [before]}}}}
  mock:midway: {{api_name: flaky, options: {{schedule: [mid]}}, fallbacks: [mock:echo]}}
  mock:rescued: {{api_name: flaky, options: {{schedule: [before]}}, fallbacks: [mock:nothing, mock:echo]}}
  mock:long: {{api_name: lorem, options: {{tokens: 40}}}}
  mock:long2: {{api_name: lorem, options: {{tokens: 40, seed: 2}}}}
"""


@pytest.fixture
def models(write_models):  # type: ignore[no-untyped-def]
    def write(**settings: object) -> None:
        text = ", ".join(f"{k}: {v}" for k, v in settings.items()) or "max_attempts: 3"
        write_models(MODELS.format(settings=text))

    return write


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


SERVER_ERROR = ProviderError(ErrorKind.SERVER, provider="p")


def test_the_circuit_opens_after_repeated_failures_and_half_opens_after_the_cool_down() -> None:
    clock = Clock()
    breaker = CircuitBreaker("p", threshold=3, cooldown=30, clock=clock)
    for _ in range(3):
        breaker.before_call()
        breaker.record(SERVER_ERROR)
    assert breaker.state == "open"
    with pytest.raises(ProviderError) as refused:
        breaker.before_call()
    assert refused.value.kind is ErrorKind.CIRCUIT_OPEN
    assert "paused after repeated failures" in refused.value.message
    assert "trying again in 30s" in refused.value.message

    clock.now += 30
    assert breaker.state == "half_open"
    breaker.before_call()  # the one probe
    with pytest.raises(ProviderError):
        breaker.before_call()  # others still fail fast while it runs
    breaker.record(SERVER_ERROR)
    assert breaker.state == "open"  # the probe failed: closed again for a cool-down

    clock.now += 30
    breaker.before_call()
    breaker.record(None)
    assert breaker.state == "closed"
    breaker.before_call()


def test_a_refused_key_or_bad_request_never_opens_the_circuit() -> None:
    breaker = CircuitBreaker("p", threshold=1, clock=Clock())
    for kind in (ErrorKind.AUTH, ErrorKind.BAD_REQUEST, ErrorKind.CANCELLED):
        breaker.before_call()
        breaker.record(ProviderError(kind))
    assert breaker.state == "closed"


async def test_an_open_circuit_fails_fast_without_calling_the_provider(models) -> None:  # type: ignore[no-untyped-def]
    models(max_attempts=1, breaker_failures=2, breaker_cooldown=3600)
    services = await open_services()
    try:
        ended = []
        for _ in range(3):
            run = services.orchestrator.fan_out("hi", ["mock:fails"])
            ended += await run.wait()
    finally:
        await services.aclose()
    assert [e.error_kind for e in ended] == ["server", "server", "circuit_open"]
    assert "mock: paused after repeated failures" in (ended[2].error or "")


async def test_the_rate_limit_lets_a_burst_through_then_spaces_requests() -> None:
    clock = Clock()
    limiter = RateLimiter(2, clock=clock)
    await limiter.acquire()
    await limiter.acquire()  # a burst of two goes at once
    assert limiter.wait_time() == pytest.approx(30)
    clock.now += 30
    assert limiter.wait_time() == 0


async def test_the_limits_come_from_the_provider_entry_in_models_yaml(models) -> None:  # type: ignore[no-untyped-def]
    models(requests_per_minute=120, concurrency=3)
    services = await open_services()
    try:
        provider = services.config.catalog.providers["mock"]
        limits = services.orchestrator.responder.guard(provider).limits
    finally:
        await services.aclose()
    assert limits.rate is not None and limits.rate.capacity == 120
    assert limits.slots is not None and limits.slots._value == 3


async def test_the_concurrency_cap_runs_one_answer_at_a_time(models) -> None:  # type: ignore[no-untyped-def]
    models(concurrency=1)
    services = await open_services()
    try:
        run = services.orchestrator.fan_out("hi", ["mock:long", "mock:long2"])
        seen = [e.response_id for e in [ev async for ev in run] if isinstance(e, TextDelta)]
    finally:
        await services.aclose()
    assert len(set(seen)) == 2
    switches = sum(1 for a, b in itertools.pairwise(seen) if a != b)
    assert switches == 1  # the second answer started only after the first ended


async def test_without_a_cap_answers_stream_side_by_side(models) -> None:  # type: ignore[no-untyped-def]
    models()
    services = await open_services()
    try:
        run = services.orchestrator.fan_out("hi", ["mock:long", "mock:long2"])
        seen = [e.response_id for e in [ev async for ev in run] if isinstance(e, TextDelta)]
    finally:
        await services.aclose()
    assert sum(1 for a, b in itertools.pairwise(seen) if a != b) > 1


async def test_a_fallback_model_answers_when_the_model_fails_before_its_first_token(
    models,  # type: ignore[no-untyped-def]
) -> None:
    models(max_attempts=2)
    out = await ask("mock:rescued", "hello there")
    assert out.ended.status == "ok"
    assert out.ended.text == "hello there"
    assert out.ended.model == "mock:echo"
    assert out.ended.fallback_from == "mock:rescued"
    assert [(r["attempt"], r["model"], r["status"]) for r in out.requests] == [
        (1, "mock:rescued", "failed"),
        (2, "mock:rescued", "failed"),
        (3, "mock:echo", "ok"),
    ]
    assert out.interaction["model"] == "mock:echo"
    assert json.loads(out.interaction["metadata"])["fallback_from"] == "mock:rescued"


async def test_no_fallback_once_text_reached_the_user(models) -> None:  # type: ignore[no-untyped-def]
    models()
    out = await ask("mock:midway")
    assert out.ended.status == "failed"
    assert out.ended.text  # the partial answer is kept
    assert out.ended.model == "mock:midway"
    assert [r["model"] for r in out.requests] == ["mock:midway"]


async def test_the_cache_replays_an_answer_and_marks_it(models) -> None:  # type: ignore[no-untyped-def]
    models()
    first = await ask("mock:long", "tell me", cache=True)
    second = await ask("mock:long", "tell me", cache=True)
    assert first.ended.cached is False
    assert second.ended.cached is True
    assert second.ended.text == first.ended.text
    assert second.ended.usage == first.ended.usage
    assert second.ended.cost == 0
    assert [r["cached"] for r in second.requests] == [1]
    assert json.loads(second.interaction["metadata"])["cached"] is True
    other = await ask("mock:long", "tell me something else", cache=True)
    assert other.ended.cached is False
    uncached = await ask("mock:long", "tell me")
    assert uncached.ended.cached is False  # off unless asked for


async def test_failed_answers_are_never_cached(models) -> None:  # type: ignore[no-untyped-def]
    models(max_attempts=1)
    for _ in range(2):
        out = await ask("mock:fails", cache=True)
        assert out.ended.status == "failed" and not out.ended.cached
    services = await open_services()
    try:
        row = await services.db.fetchone("SELECT count(*) FROM response_cache")
    finally:
        await services.aclose()
    assert row[0] == 0


async def test_the_cache_switch_in_config_yaml_turns_it_on(models, paths) -> None:  # type: ignore[no-untyped-def]
    models()
    paths.settings_file.write_text("cache: true\n", encoding="utf-8")
    await ask("mock:echo", "same")
    again = await ask("mock:echo", "same")
    assert again.ended.cached is True
