"""Seed 004's conversation quality: each factor moves the one score, as the formula says."""

from __future__ import annotations

from orchestrator_tui.core.chains.quality import WEIGHTS, conversation_quality

TURNS = [
    "Tides come from the moon pulling on the oceans.",
    "The moon pulls hardest on the oceans facing it, which makes a bulge of water.",
    "That bulge of water moves as the earth turns, so coasts see two high tides a day.",
    "Two high tides a day, but their height changes with the phase of the moon.",
    "Spring tides at full moon are the highest; neap tides at quarter moon the lowest.",
    "So the moon phase decides how high the tides are, the earth when. Goodbye!",
]
MODELS = ["mock:a", "mock:b"] * 3
ENDED = "closing phrase 'goodbye'"


def score(models=MODELS, texts=TURNS, stopped=ENDED) -> float:  # type: ignore[no-untyped-def]
    return conversation_quality(models, texts, stopped).score


def test_a_good_conversation_scores_near_the_top() -> None:
    quality = conversation_quality(MODELS, TURNS, ENDED)
    assert quality.factors == {"length": 1.0, "diversity": 0.75, "flow": 1.0, "completion": 1.0}
    assert quality.score == round(1 - WEIGHTS["diversity"] * 0.25, 3)


def test_too_few_or_too_many_turns_lower_the_score() -> None:
    assert score(MODELS[:2], TURNS[:2]) < score()
    twelve = conversation_quality(MODELS * 2, TURNS * 2, ENDED)
    eighteen = conversation_quality(MODELS * 3, TURNS * 3, ENDED)
    assert (twelve.factors["length"], eighteen.factors["length"]) == (0.5, 0.0)
    assert eighteen.score < twelve.score < score()


def test_one_model_talking_to_itself_scores_lower_than_two_and_three() -> None:
    one, three = ["mock:a"] * 6, ["mock:a", "mock:b", "mock:c"] * 2
    assert score(one) < score() < score(three)


def test_turns_that_ignore_the_previous_one_or_restate_it_lower_the_flow() -> None:
    unrelated = [
        "Bananas ripen faster beside apples.",
        "Volcanoes erupt when magma pressure rises.",
        "Chess openings reward quiet development.",
        "Glaciers carve valleys over millennia.",
        "Jazz harmony borrows from impressionism.",
        "Satellites drift without station keeping.",
    ]
    assert conversation_quality(MODELS, unrelated, ENDED).factors["flow"] == 0.0
    assert score(texts=unrelated) < score()
    parroted = [TURNS[0]] * 6
    assert score(texts=parroted) < score()


def test_a_smart_ending_beats_the_turn_limit_which_beats_repetition_and_failure() -> None:
    endings = [ENDED, "turn limit", "repetition", "failed"]
    scores = [score(stopped=s) for s in endings]
    assert scores == sorted(scores, reverse=True) and len(set(scores)) == 4
