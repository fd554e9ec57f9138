"""Cost accounting: prices are per million tokens; anything unknown stays unknown (``None``), never 0."""

from __future__ import annotations

from collections.abc import Iterable

from orchestrator_tui.core.catalog import ModelConfig
from orchestrator_tui.core.types import Usage


def request_cost(model: ModelConfig, usage: Usage) -> float | None:
    parts = (
        (model.price_input, usage.input_tokens),
        (model.price_output, usage.output_tokens),
    )
    if any(price is None or tokens is None for price, tokens in parts):
        return None
    return sum(price * tokens for price, tokens in parts) / 1_000_000  # type: ignore[operator]


def total_cost(costs: Iterable[float | None]) -> float | None:
    """A session's cost: unknown if any of its requests' cost is unknown."""
    total = 0.0
    for cost in costs:
        if cost is None:
            return None
        total += cost
    return total


def format_cost(cost: float | None) -> str:
    if cost is None:
        return "unknown"
    if cost == 0:
        return "$0"
    if cost < 0.01:
        return f"${cost:.4f}"
    return f"${cost:.2f}"
