"""Cost accounting: prices are per million tokens; anything unknown stays unknown (``None``), never 0."""

from __future__ import annotations

from collections.abc import Iterable

from orchestrator_tui.core.catalog import ModelConfig
from orchestrator_tui.core.types import Usage


def request_cost(model: ModelConfig, usage: Usage) -> float | None:
    price_in, price_out = model.price_input, model.price_output
    tokens_in, tokens_out = usage.input_tokens, usage.output_tokens
    if price_in is None or price_out is None or tokens_in is None or tokens_out is None:
        return None
    return (price_in * tokens_in + price_out * tokens_out) / 1_000_000


def total_cost(costs: Iterable[float | None]) -> float | None:
    """A session's cost: unknown if any of its requests' cost is unknown."""
    total = 0.0
    for cost in costs:
        if cost is None:
            return None
        total += cost
    return total
