"""The one estimate behind budgets and context limits."""

from __future__ import annotations

from orchestrator_tui.core.catalog import ModelConfig
from orchestrator_tui.core.estimate import (
    IMAGE_TOKENS,
    MESSAGE_OVERHEAD,
    estimate_messages_tokens,
    estimate_request,
    estimate_tokens,
)
from orchestrator_tui.core.types import (
    GenerationParams,
    ImagePart,
    LLMRequest,
    Message,
    ModelRef,
    TextPart,
)

REF = ModelRef("mock", "priced")


def request(text: str, max_tokens: int | None = None, system: str | None = None) -> LLMRequest:
    params = GenerationParams(max_tokens=max_tokens, system=system)
    return LLMRequest(REF, (Message("user", text),), params)


def test_tokens_are_about_four_characters_rounded_up() -> None:
    assert [estimate_tokens(t) for t in ("", "a", "abcd", "abcde")] == [0, 1, 1, 2]


def test_each_message_and_the_system_prompt_add_their_framing() -> None:
    messages = [Message("user", "abcd"), Message("assistant", "abcdefgh")]
    assert estimate_messages_tokens(messages) == 1 + 2 + 2 * MESSAGE_OVERHEAD
    assert estimate_messages_tokens(messages, "abcd") == 1 + 2 + 1 + 3 * MESSAGE_OVERHEAD


def test_an_image_counts_its_flat_estimate_whatever_its_size_or_place() -> None:
    small, large = ImagePart("image/png", b"x" * 10), ImagePart("image/png", b"x" * 10_000_000)
    text_only = [Message("user", "abcdefgh")]
    with_images = [Message("user", (TextPart("abcd"), small, TextPart("efgh"), large))]
    assert estimate_messages_tokens(with_images) == (
        estimate_messages_tokens(text_only) + 2 * IMAGE_TOKENS
    )


def test_the_worst_case_cost_uses_max_tokens_and_both_prices() -> None:
    model = ModelConfig(REF, price_input=2.0, price_output=10.0, max_output_tokens=8000)
    estimate = estimate_request(model, request("x" * 400, max_tokens=1000))
    assert estimate.input_tokens == 100 + MESSAGE_OVERHEAD
    assert estimate.max_output_tokens == 1000
    assert estimate.cost == (104 * 2.0 + 1000 * 10.0) / 1_000_000


def test_without_max_tokens_the_models_output_limit_bounds_the_answer() -> None:
    model = ModelConfig(REF, price_input=1.0, price_output=1.0, max_output_tokens=8000)
    assert estimate_request(model, request("hi")).max_output_tokens == 8000


def test_an_unknown_price_or_unbounded_answer_cannot_be_estimated() -> None:
    unpriced = ModelConfig(REF, max_output_tokens=8000)
    unbounded = ModelConfig(REF, price_input=1.0, price_output=1.0)
    assert estimate_request(unpriced, request("hi", max_tokens=10)).cost is None
    assert estimate_request(unbounded, request("hi")).cost is None
