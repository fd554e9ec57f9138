"""The engine: fan-out, failures that stay local, cancellation, retries, timeouts, follow-ups."""

from __future__ import annotations

import asyncio

import pytest

from orchestrator_tui.config import load_config
from orchestrator_tui.core.conversation import Conversation
from orchestrator_tui.core.events import (
    AttemptFailed,
    ResponseEnded,
    ResponseStarted,
    RunFinished,
    RunStarted,
    TextDelta,
)
from orchestrator_tui.core.orchestrator import Orchestrator
from orchestrator_tui.core.types import GenerationParams

SLOW = "options: {tokens_per_second: 200, tokens: 2000}"


def engine(paths, write_models, extra: str = "") -> Orchestrator:
    write_models(
        f"""
providers:
  mock: {{type: mock, needs_key: false, retry_base_delay: 0.01}}
models:
  mock:slow: {{api_name: lorem, {SLOW}}}
  mock:fails: {{api_name: flaky, options: {{schedule: [before]}}}}
  mock:retries: {{api_name: flaky, options: {{schedule: [before, ok]}}}}
  mock:midway: {{api_name: flaky, options: {{schedule: [mid]}}}}
{extra}
"""
    )
    config = load_config(paths)
    assert config.warnings == []
    return Orchestrator(config.catalog)


async def events_of(run) -> list:
    return [event async for event in run]


async def test_fan_out_streams_every_model_with_typed_events(paths, write_models) -> None:
    orchestrator = engine(paths, write_models)
    run = orchestrator.fan_out("hello world", ["mock:echo", "mock:lorem", "mock:judge"])
    events = await events_of(run)
    assert isinstance(events[0], RunStarted) and isinstance(events[-1], RunFinished)
    assert events[-1].status == "completed"
    started = [e for e in events if isinstance(e, ResponseStarted)]
    ended = {e.model: e for e in events if isinstance(e, ResponseEnded)}
    assert len(started) == 3 and set(ended) == {"mock:echo", "mock:lorem", "mock:judge"}
    for e in ended.values():
        deltas = "".join(
            d.text for d in events if isinstance(d, TextDelta) and d.response_id == e.response_id
        )
        assert e.status == "ok" and deltas == e.text and e.text
        assert e.ttft is not None and e.latency >= e.ttft
        assert e.usage.output_tokens and e.cost == 0
    assert ended["mock:echo"].text == "hello world"


async def test_one_failing_model_never_stops_the_others(paths, write_models) -> None:
    orchestrator = engine(paths, write_models)
    run = orchestrator.fan_out("x", ["mock:fails", "mock:midway", "mock:echo"])
    await events_of(run)
    by_model = {e.model: e for e in run.results.values()}
    assert by_model["mock:echo"].status == "ok"
    assert by_model["mock:fails"].status == "failed"
    assert by_model["mock:fails"].attempts == 3  # retried: nothing had reached the user
    midway = by_model["mock:midway"]
    assert midway.status == "failed" and midway.attempts == 1  # no retry after the first token
    assert midway.text and "mid-stream" in (midway.error or "")
    assert run.status == "completed"


async def test_every_model_failing_fails_the_run(paths, write_models) -> None:
    run = engine(paths, write_models).fan_out("x", ["mock:fails"])
    events = await events_of(run)
    assert events[-1].status == "failed"
    assert [e.attempt for e in events if isinstance(e, AttemptFailed)] == [1, 2, 3]
    assert [e.retry_in is None for e in events if isinstance(e, AttemptFailed)] == [
        False,
        False,
        True,
    ]


async def test_retry_before_the_first_token_then_success(paths, write_models) -> None:
    run = engine(paths, write_models).fan_out("x", ["mock:retries"])
    [ended] = await run.wait()
    assert ended.status == "ok" and ended.attempts == 2


async def test_cancel_one_response_keeps_its_partial_text(paths, write_models) -> None:
    run = engine(paths, write_models).fan_out("x", ["mock:slow", "mock:echo"])
    slow_id = None
    async for event in run:
        if isinstance(event, ResponseStarted) and event.model == "mock:slow":
            slow_id = event.response_id
        if isinstance(event, TextDelta) and event.response_id == slow_id:
            run.cancel(slow_id)
    by_model = {e.model: e for e in run.results.values()}
    assert by_model["mock:slow"].status == "cancelled" and by_model["mock:slow"].text
    assert by_model["mock:echo"].status == "ok"
    assert run.status == "completed"


async def test_cancel_the_whole_run(paths, write_models) -> None:
    run = engine(paths, write_models).fan_out("x", ["mock:slow", "mock:slow"])
    async for event in run:
        if isinstance(event, TextDelta):
            run.cancel()
    assert run.status == "cancelled"
    assert [e.status for e in run.results.values()] == ["cancelled", "cancelled"]
    assert all(e.text for e in run.results.values())


async def test_follow_up_continues_each_models_own_conversation(paths, write_models) -> None:
    orchestrator = engine(paths, write_models)
    conversation = Conversation()
    await orchestrator.fan_out("first", ["mock:echo"], conversation=conversation).wait()
    run = orchestrator.fan_out("second", ["mock:echo"], conversation=conversation)
    [ended] = await run.wait()
    assert ended.usage.input_tokens == 3  # first + its answer + second
    assert [m.text for m in conversation.histories["mock:echo"]] == [
        "first",
        "first",
        "second",
        "second",
    ]
    assert run.session_id == conversation.session_id


async def test_idle_timeout_ends_a_stalled_stream(paths, write_models) -> None:
    orchestrator = engine(
        paths,
        write_models,
        "  mock:stalls: {api_name: flaky, options: {schedule: [stall]}}\n"
        "providers:\n  mock: {type: mock, needs_key: false, idle_timeout: 0.2}",
    )
    [ended] = await orchestrator.fan_out("x", ["mock:stalls"]).wait()
    assert ended.status == "failed" and ended.error_kind == "timeout"
    assert "no token for 0.2s" in (ended.error or "") and ended.text


async def test_first_token_timeout(paths, write_models) -> None:
    orchestrator = engine(
        paths,
        write_models,
        "  mock:late: {api_name: echo, options: {ttft: 5}}\n"
        "providers:\n  mock: {type: mock, needs_key: false, first_token_timeout: 0.1,"
        " max_attempts: 1}",
    )
    [ended] = await orchestrator.fan_out("x", ["mock:late"]).wait()
    assert ended.error_kind == "timeout" and "first token" in (ended.error or "")


async def test_parameters_reach_the_model(paths, write_models) -> None:
    orchestrator = engine(paths, write_models)
    run = orchestrator.fan_out(
        "one two three four five",
        ["mock:echo", "mock:lorem"],
        GenerationParams(max_tokens=50),
        model_params={"mock:echo": GenerationParams(max_tokens=2, system="be brief")},
    )
    by_model = {e.model: e for e in await run.wait()}
    assert by_model["mock:echo"].usage.output_tokens == 2
    assert by_model["mock:echo"].params.system == "be brief"
    assert by_model["mock:lorem"].usage.output_tokens == 50


async def test_missing_key_fails_that_model_with_how_to_fix_it(paths, write_models) -> None:
    orchestrator = engine(paths, write_models)
    [ended] = await orchestrator.fan_out("x", ["anthropic:claude-sonnet-4-5"]).wait()
    assert ended.status == "failed" and ended.error_kind == "missing_key"
    assert "orch-tui keys set anthropic" in (ended.error or "")
    assert "ANTHROPIC_API_KEY" in (ended.error or "")


async def test_empty_prompt_is_refused(paths, write_models) -> None:
    with pytest.raises(ValueError, match="empty"):
        engine(paths, write_models).fan_out("  ", ["mock:echo"])


async def test_a_failing_listener_does_not_break_the_run(paths, write_models) -> None:
    orchestrator = engine(paths, write_models)

    def broken(event) -> None:
        raise RuntimeError("listener bug")

    orchestrator.listeners.append(broken)
    [ended] = await orchestrator.fan_out("x", ["mock:echo"]).wait()
    assert ended.status == "ok"
    await asyncio.sleep(0)
