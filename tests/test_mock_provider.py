"""The offline mock models: deterministic text, Markdown, reviews, and scheduled failures."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from orchestrator_tui.core.catalog import ProviderConfig
from orchestrator_tui.core.errors import ErrorKind, ProviderError
from orchestrator_tui.core.types import (
    ImagePart,
    LLMRequest,
    Message,
    ModelRef,
    Part,
    TextPart,
    Usage,
)
from orchestrator_tui.providers.mock import MockProvider, lorem_markdown, tokenize


async def collect(
    provider: MockProvider, model: str, prompt: str | tuple[Part, ...], **options
) -> tuple[str, Usage]:
    request = LLMRequest(ModelRef("mock", model), (Message("user", prompt),), options=options)
    text, usage = [], Usage()
    async for chunk in provider.stream(request):
        if isinstance(chunk, Usage):
            usage = chunk
        else:
            text.append(chunk)
    return "".join(text), usage


def mock() -> MockProvider:
    return MockProvider(ProviderConfig("mock", "mock", needs_key=False))


@given(st.text())
def test_tokens_join_back_to_the_exact_text(text: str) -> None:
    assert "".join(tokenize(text)) == text


async def test_echo_repeats_the_prompt_and_counts_tokens() -> None:
    text, usage = await collect(mock(), "echo", "hello there world")
    assert text == "hello there world"
    assert usage == Usage(input_tokens=3, output_tokens=3)


async def test_echo_reads_text_and_images_in_the_order_sent() -> None:
    image = ImagePart("image/png", b"\x89PNG", "/photos/door.png", "0" * 64)
    prompt = (TextPart("Is this "), image, TextPart("wide enough?"))
    text, usage = await collect(mock(), "echo", prompt)
    assert text == "Is this \n[image /photos/door.png (image/png, 4 bytes)]\nwide enough?"
    assert usage.input_tokens == 4  # the words of its text: "Is this wide enough?"


async def test_lorem_is_markdown_and_the_same_for_the_same_seed() -> None:
    first, _ = await collect(mock(), "lorem", "a", seed=7, tokens=400)
    second, _ = await collect(mock(), "lorem", "b", seed=7, tokens=400)
    assert first == second
    assert "## " in first and "\n- **" in first and "| --- |" in first and "```python" in first
    assert lorem_markdown(1, 50) != lorem_markdown(2, 50)


async def test_judge_answers_with_a_json_review() -> None:
    text, _ = await collect(mock(), "judge", "Review this answer")
    verdict = json.loads(text)
    assert 0 <= verdict["score"] <= 1 and verdict["feedback"]


async def test_judge_follows_a_fixed_score_sequence() -> None:
    provider = mock()
    scores = [json.loads((await collect(provider, "judge", "x", scores=[0.2, 0.9]))[0])["score"]]
    scores.append(
        json.loads((await collect(provider, "judge", "x", scores=[0.2, 0.9]))[0])["score"]
    )
    assert scores == [0.2, 0.9]


async def test_flaky_fails_on_its_schedule() -> None:
    provider = mock()
    schedule = ["before", "mid", "ok"]
    outcomes = []
    for _ in schedule:
        try:
            text, _ = await collect(provider, "flaky", "x", schedule=schedule)
            outcomes.append(("ok", bool(text)))
        except ProviderError as error:
            outcomes.append((str(error.kind), False))
    assert outcomes == [
        (ErrorKind.SERVER.value, False),
        (ErrorKind.CONNECTION.value, False),
        ("ok", True),
    ]
