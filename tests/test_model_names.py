"""Models are named short where that is enough, in full where two short names would collide."""

from __future__ import annotations

from orchestrator_tui.core.display import model_names


def test_short_names_unless_two_models_share_one() -> None:
    assert model_names(["mock:echo", "anthropic:claude-sonnet-4-6"]) == [
        "echo",
        "claude-sonnet-4-6",
    ]
    assert model_names(["openai:gpt-4o", "openrouter:gpt-4o", "mock:echo"]) == [
        "openai:gpt-4o",
        "openrouter:gpt-4o",
        "echo",
    ]
    assert model_names(["plain"]) == ["plain"]
