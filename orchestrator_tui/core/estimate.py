"""The one estimate of what a request will read, write and cost, before it is sent.

Budgets (refuse what could pass them), batch budgets and context limits (summarize or drop old turns
before a provider says the prompt is too long) all ask the same question, so they share this answer.

Tokens are estimated, not counted: no tokenizer is loaded for any provider. The rule is one token per
four characters of text (rounded up), a flat ``IMAGE_TOKENS`` per image, plus ``MESSAGE_OVERHEAD``
tokens per message for its role and framing. That is close for English prose on current tokenizers
and errs high on code and other languages only mildly; where a provider reports real usage, that
usage is what gets stored and billed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from orchestrator_tui.core.catalog import ModelConfig
from orchestrator_tui.core.costs import request_cost
from orchestrator_tui.core.types import LLMRequest, Message, Usage

CHARS_PER_TOKEN = 4
MESSAGE_OVERHEAD = 4
IMAGE_TOKENS = 1_600
"""One image, whatever its size (no image is decoded to measure it): about the most Anthropic
counts for one (it scales larger ones down to about 1.15 megapixels), above OpenAI's 765 for a
1024x1024 picture in high detail and Gemini's 258 per 768-pixel tile for most photos. It errs high
for small images, as a budget should."""


def estimate_tokens(text: str) -> int:
    """Tokens in ``text`` by the documented rule (about four characters a token)."""
    return tokens_in_chars(len(text))


def tokens_in_chars(chars: int) -> int:
    """Tokens in text of ``chars`` characters (a stream counts characters as they arrive)."""
    return -(-chars // CHARS_PER_TOKEN)


def estimate_content_tokens(message: Message) -> int:
    """Tokens of one message's parts: its text by the rule, each image at ``IMAGE_TOKENS``."""
    return estimate_tokens(message.text) + IMAGE_TOKENS * len(message.images)


def estimate_messages_tokens(messages: Iterable[Message], system: str | None = None) -> int:
    """Tokens a conversation (and its system prompt) takes in a request."""
    total = estimate_tokens(system) + MESSAGE_OVERHEAD if system else 0
    for message in messages:
        total += estimate_content_tokens(message) + MESSAGE_OVERHEAD
    return total


@dataclass(frozen=True, slots=True)
class RequestEstimate:
    """A request's prompt tokens, the most it may write, and what that costs at most.

    ``max_output_tokens`` is ``None`` when neither the request nor the catalog bounds the answer;
    ``cost`` is ``None`` when a price or that bound is unknown: the request cannot be bounded.
    """

    input_tokens: int
    max_output_tokens: int | None
    cost: float | None


def estimate_request(model: ModelConfig, request: LLMRequest) -> RequestEstimate:
    """The worst case of one request: its prompt, plus as many tokens out as it may write."""
    input_tokens = estimate_messages_tokens(request.messages, request.system)
    output_tokens = request.params.max_tokens or model.max_output_tokens
    worst = Usage(input_tokens, output_tokens)
    cost = request_cost(model, worst) if output_tokens is not None else None
    return RequestEstimate(input_tokens, output_tokens, cost)


def estimate_request_cost(model: ModelConfig, request: LLMRequest) -> float | None:
    """At most what ``request`` costs on ``model``; ``None`` when it cannot be bounded."""
    return estimate_request(model, request).cost
