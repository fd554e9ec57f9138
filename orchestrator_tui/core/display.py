"""How times, tokens, costs and scores read, in the app, the CLI and Markdown exports alike.

One place, so a score is the same "0.85" in a pane, in `history list` and in an export, and a cost
the same "$0.0042" everywhere. Unknown stays visibly unknown, never 0.
"""

from __future__ import annotations

from collections.abc import Iterable

UNKNOWN = "—"


def seconds(value: float | None) -> str:
    """``850ms`` under a second, ``1.25s`` under ten, ``12.3s`` above."""
    if value is None:
        return UNKNOWN
    if value < 1:
        return f"{value * 1000:.0f}ms"
    return f"{value:.2f}s" if value < 10 else f"{value:.1f}s"


def tokens(value: int | None) -> str:
    if value is None:
        return f"{UNKNOWN} tok"
    return f"{value / 1000:.1f}k tok" if value >= 10_000 else f"{value} tok"


def cost(value: float | None) -> str:
    """Dollars: four decimals under a cent (they matter there), two above; ``$?`` when unknown."""
    if value is None:
        return "$?"
    if value == 0:
        return "$0"
    return f"${value:.4f}" if value < 0.01 else f"${value:.2f}"


def reason_label(status: str) -> str:
    """What the message an answer ended with is called: a skipped answer was never sent (a model
    that takes no images), so its reason is a note; anything else's is an error."""
    return "note" if status == "skipped" else "error"


def score(value: float | None) -> str:
    """A review score (0 to 1) with two decimals, as thresholds are written in chains."""
    return UNKNOWN if value is None else f"{value:.2f}"


def model_names(models: Iterable[str]) -> list[str]:
    """Short names (``gpt-4o`` for ``openai:gpt-4o``) where they tell the models apart; the full
    name for any two that share a short name (``openai:gpt-4o``, ``openrouter:gpt-4o``)."""
    names = list(models)
    shorts = [name.partition(":")[2] or name for name in names]
    return [
        short if shorts.count(short) == 1 else name
        for name, short in zip(names, shorts, strict=True)
    ]
