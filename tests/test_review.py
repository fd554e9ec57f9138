"""Reading a reviewer's verdict: strict, so garbage is a failed review and never a pass."""

from __future__ import annotations

import pytest

from orchestrator_tui.core.review import VerdictError, parse_verdict


@pytest.mark.parametrize(
    ("text", "score"),
    [
        ('{"score": 0.8, "feedback": "good"}', 0.8),
        ('Here you go:\n```json\n{"score": 7, "feedback": "ok"}\n```', 0.7),
        ('{"score": "85%", "feedback": "ok", "suggestions": "shorter"}', 0.85),
        ('{"note": {"a": 1}} then {"score": 1, "feedback": ""}', 1.0),
    ],
)
def test_verdicts_in_the_usual_shapes_are_read(text: str, score: float) -> None:
    assert parse_verdict(text).score == pytest.approx(score)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Looks great to me!",
        '{"score": "high"}',
        '{"score": -1}',
        '{"score": 250}',
        '{"feedback": "no score"}',
        '{"score": true}',
    ],
)
def test_garbage_is_a_failed_review(text: str) -> None:
    with pytest.raises(VerdictError):
        parse_verdict(text)


def test_suggestions_are_kept() -> None:
    review = parse_verdict(
        '{"score": 0.5, "feedback": "f", "suggestions": ["a", "b"]}', "mock:judge"
    )
    assert review.suggestions == ("a", "b") and review.reviewer == "mock:judge"
