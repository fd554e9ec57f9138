"""How numbers look on screen: one place, so every pane (and the snapshot tests) agree."""

from __future__ import annotations


def seconds(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value * 1000:.0f}ms" if value < 1 else f"{value:.1f}s"


def tokens(value: int | None) -> str:
    if value is None:
        return "— tok"
    return f"{value / 1000:.1f}k tok" if value >= 10_000 else f"{value} tok"


def cost(value: float | None) -> str:
    from orchestrator_tui.core.costs import (
        format_cost,
    )  # imports the config: not before first paint

    return "$?" if value is None else format_cost(value)


def score(value: float) -> str:
    return f"{value * 100:.0f}"
