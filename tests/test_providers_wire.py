"""Every real provider SDK against the loopback wire server: what the user sees, what is stored."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from orchestrator_tui.core.types import GenerationParams, TextPart
from tests.images import tiny_png
from tests.wire.bodies import expected_turn
from tests.wire.engine import MODELS, ask, models_yaml
from tests.wire.fixtures import wire_server  # noqa: F401 - the `wire` fixture
from tests.wire.guard import loopback_only  # noqa: F401 - a fixture
from tests.wire.server import RETRY_AFTER, WireServer

PROVIDERS = sorted(MODELS)
pytestmark = pytest.mark.usefixtures("loopback_only")


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_a_normal_stream_shows_the_whole_answer_with_tokens_and_cost(
    wire: WireServer, provider: str
) -> None:
    out = await ask(MODELS[provider])
    assert out.ended.status == "ok", out.ended.error
    assert out.ended.text == "Hello from the wire"
    assert out.ended.usage.output_tokens == 4
    assert out.ended.usage.input_tokens
    assert out.ended.cost is not None and out.ended.cost > 0
    assert out.interaction["content"] == "Hello from the wire"
    assert [(r["attempt"], r["status"]) for r in out.requests] == [(1, "ok")]
    assert out.requests[0]["output_tokens"] == 4
    assert out.requests[0]["cost"] == pytest.approx(out.ended.cost)


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_a_refused_key_fails_at_once_with_an_auth_message(
    wire: WireServer, provider: str
) -> None:
    wire.script("401")
    out = await ask(MODELS[provider])
    assert out.ended.status == "failed"
    assert out.ended.error_kind == "auth"
    assert "API key was refused" in (out.ended.error or "")
    assert "[API key]" in (out.ended.error or "")  # the server echoed it; we never show it
    assert "sk-wire-test" not in (out.ended.error or "") + json.dumps(out.requests)
    assert len(wire.requests) == 1  # never retried, and no SDK retried behind our back
    assert [(r["status"], r["error_kind"]) for r in out.requests] == [("failed", "auth")]
    assert out.interaction["status"] == "failed"


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_rate_limited_waits_as_the_server_asked_then_succeeds(
    wire: WireServer, provider: str
) -> None:
    wire.script("429", "ok")
    out = await ask(MODELS[provider])
    assert out.ended.status == "ok"
    assert out.ended.text == "Hello from the wire"
    assert out.ended.attempts == 2
    assert [a.retry_in for a in out.failed_attempts] == [float(RETRY_AFTER)]
    assert [(r["attempt"], r["status"], r["error_kind"]) for r in out.requests] == [
        (1, "failed", "rate_limited"),
        (2, "ok", None),
    ]


@pytest.mark.parametrize("provider", PROVIDERS)
@pytest.mark.parametrize(
    ("scenario", "kind"),
    [("500", "server"), ("overloaded", "overloaded")],
)
async def test_a_server_error_before_the_answer_is_retried(
    wire: WireServer, provider: str, scenario: str, kind: str
) -> None:
    wire.script(scenario, "ok")
    out = await ask(MODELS[provider])
    assert out.ended.status == "ok"
    assert out.ended.text == "Hello from the wire"
    assert [(r["status"], r["error_kind"]) for r in out.requests] == [
        ("failed", kind),
        ("ok", None),
    ]
    assert len(wire.requests) == 2


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_an_overload_inside_the_stream_is_called_one_and_retried_on_every_provider(
    wire: WireServer, provider: str
) -> None:
    wire.script("stream_error", "ok")
    out = await ask(MODELS[provider])
    assert out.ended.status == "ok"
    assert out.ended.text == "Hello from the wire"
    assert [(r["status"], r["error_kind"]) for r in out.requests] == [
        ("failed", "overloaded"),
        ("ok", None),
    ]
    assert [a.error_kind for a in out.failed_attempts] == ["overloaded"]


@pytest.mark.parametrize("provider", PROVIDERS)
@pytest.mark.parametrize(
    ("scenario", "kind", "words"),
    [
        ("drop", "connection", "closed before the answer ended"),
        ("malformed", "server", "malformed"),
        ("stall", "timeout", "no token for 0.25s"),
    ],
)
async def test_a_failure_after_the_first_token_keeps_the_partial_text_and_is_not_retried(
    wire: WireServer, provider: str, scenario: str, kind: str, words: str, write_models
) -> None:
    if scenario == "stall":  # the server never sends another token: a short wait shows it
        write_models(models_yaml(wire.url, idle_timeout=0.25))
    wire.script(scenario)
    out = await ask(MODELS[provider])
    assert out.ended.status == "failed"
    assert out.ended.text == "Hello"
    assert out.ended.error_kind == kind
    assert words in (out.ended.error or "")
    assert len(wire.requests) == 1
    assert out.interaction["content"] == "Hello"
    assert out.interaction["status"] == "failed"
    assert [(r["status"], r["error_kind"]) for r in out.requests] == [("failed", kind)]


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_an_empty_answer_ends_marked_empty(wire: WireServer, provider: str) -> None:
    wire.script("empty")
    out = await ask(MODELS[provider])
    assert out.ended.status == "empty"
    assert out.ended.text == "" and out.ended.error is None
    assert out.ended.usage.output_tokens == 0
    assert out.interaction["status"] == "empty"
    assert [(r["status"], r["output_tokens"]) for r in out.requests] == [("empty", 0)]


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_an_answer_stopped_by_the_content_filter_says_so_and_keeps_its_text(
    wire: WireServer, provider: str
) -> None:
    wire.script("filtered")
    out = await ask(MODELS[provider])
    assert out.ended.status == "failed"
    assert out.ended.error_kind == "content_filter"
    assert "blocked by the provider's content filter" in (out.ended.error or "")
    assert out.ended.text == "Hello from the wire"
    assert len(wire.requests) == 1


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_a_prompt_too_long_for_the_model_is_explained_and_not_retried(
    wire: WireServer, provider: str
) -> None:
    wire.script("too_long")
    out = await ask(MODELS[provider])
    assert out.ended.status == "failed"
    assert out.ended.error_kind == "context_length"
    assert "too long for this model" in (out.ended.error or "")
    assert len(wire.requests) == 1


def _sent(provider: str, body: dict) -> dict:  # type: ignore[type-arg]
    """What reached the server, in one shape: system, turns, temperature, max tokens."""
    if provider == "gemini":
        config = body.get("generationConfig", {})
        system = body.get("systemInstruction", {}).get("parts", [{}])[0].get("text")
        turns = [(c["role"], c["parts"][0]["text"]) for c in body["contents"]]
        return {
            "system": system,
            "turns": turns,
            "temperature": config.get("temperature"),
            "max_tokens": config.get("maxOutputTokens"),
        }
    messages = body["messages"]
    system = body.get("system")
    if provider in ("mistral", "openai"):
        system = messages[0]["content"] if messages[0]["role"] == "system" else None
        messages = [m for m in messages if m["role"] != "system"]
    return {
        "system": system,
        "turns": [(m["role"], m["content"]) for m in messages],
        "temperature": body.get("temperature"),
        "max_tokens": body.get("max_tokens"),
    }


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_system_prompt_temperature_max_tokens_and_earlier_turns_reach_the_provider(
    wire: WireServer, provider: str
) -> None:
    from orchestrator_tui.core.conversation import Conversation
    from orchestrator_tui.services import open_services

    params = GenerationParams(temperature=0.3, max_tokens=77, system="Be brief.")
    services = await open_services()
    try:
        conversation = Conversation()
        for prompt in ("first question", "second question"):
            run = services.orchestrator.fan_out(
                prompt, [MODELS[provider]], params, conversation=conversation
            )
            await run.wait()
    finally:
        await services.aclose()
    sent = _sent(provider, wire.requests[-1].body)
    assistant = "model" if provider == "gemini" else "assistant"
    assert sent == {
        "system": "Be brief.",
        "turns": [
            ("user", "first question"),
            (assistant, "Hello from the wire"),
            ("user", "second question"),
        ],
        "temperature": 0.3,
        "max_tokens": 77,
    }
    assert "sk-wire-test" in json.dumps(wire.requests[-1].headers)


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_models_are_listed_from_the_provider(wire: WireServer, provider: str) -> None:
    from orchestrator_tui.config import load_config
    from orchestrator_tui.core.registry import ProviderRegistry

    registry = ProviderRegistry(load_config().catalog)
    try:
        found = await registry.get(provider).list_models()
    finally:
        await registry.aclose()
    assert found and all(m.ref.provider == provider for m in found)


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_an_earlier_turn_with_images_goes_again_in_its_order_and_plain_turns_stay_text(
    wire: WireServer, provider: str, tmp_path: Path
) -> None:
    from orchestrator_tui.core.conversation import Conversation
    from orchestrator_tui.core.images import load_image
    from orchestrator_tui.services import open_services

    photo = tmp_path / "photo.png"
    photo.write_bytes(tiny_png())
    first = (TextPart("Here is the plan:"), load_image(photo), TextPart("Is the door wide enough?"))
    services = await open_services()
    try:
        conversation = Conversation()
        for prompt in (first, "And the window?"):
            run = services.orchestrator.fan_out(
                prompt, [MODELS[provider]], conversation=conversation
            )
            await run.wait()
    finally:
        await services.aclose()
    body = wire.requests[-1].body
    turns = body["contents"] if provider == "gemini" else body["messages"]

    # a text-only turn goes in the simplest form each API takes: a string (Gemini: one part)
    plain = (
        {"role": "user", "parts": [{"text": "And the window?"}]}
        if provider == "gemini"
        else {"role": "user", "content": "And the window?"}
    )
    first_sent = expected_turn(
        provider, "Here is the plan:", photo.read_bytes(), "Is the door wide enough?"
    )
    assert len(turns) == 3 and turns[0] == first_sent and turns[2] == plain
