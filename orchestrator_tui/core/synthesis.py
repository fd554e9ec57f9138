"""Merging several answers into one with a judge model."""

from __future__ import annotations

from collections.abc import Sequence

from orchestrator_tui.core.types import Message

SYNTHESIS_SYSTEM = (
    "You are an expert editor. Several assistants answered the same request. Write the single best "
    "answer: keep what is correct and useful in each, resolve their disagreements (say which view "
    "holds and why), and drop repetition. Answer the request directly; do not describe the answers."
)


def synthesis_messages(prompt: str, answers: Sequence[tuple[str, str]]) -> list[Message]:
    """``answers`` are ``(label, text)`` pairs; labels are shown to the judge, not trusted as content."""
    parts = [f"## Request\n\n{prompt}"]
    for number, (label, text) in enumerate(answers, start=1):
        parts.append(f"## Answer {number} ({label})\n\n{text}")
    parts.append("Write the best combined answer now.")
    return [Message("user", "\n\n".join(parts))]
