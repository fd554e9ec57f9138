"""Heuristic scorers and the template sandbox, on their own."""

from __future__ import annotations

import pytest

from orchestrator_tui.core.chains import templating
from orchestrator_tui.core.heuristics import KeywordScorer, LengthScorer, RegexScorer
from orchestrator_tui.core.review import ScoreRequest


def request(answer: str) -> ScoreRequest:
    return ScoreRequest(run=None, prompt="p", answer=answer, answer_id="a")  # type: ignore[arg-type]


async def test_length_scores_full_inside_the_bounds_and_less_the_further_outside() -> None:
    scorer = LengthScorer(min_words=4, max_words=8)
    assert (await scorer.score(request("one two three four five"))).score == 1.0
    short = await scorer.score(request("one two"))
    assert short.score == 0.5 and "at least 4" in short.feedback
    long = await scorer.score(request(" ".join(["w"] * 16)))
    assert long.score == 0.5 and long.suggestions


async def test_keywords_score_the_share_of_required_terms_present_as_whole_words() -> None:
    scorer = KeywordScorer(["cache", "Time To Live"])
    assert (await scorer.score(request("a CACHE with a time to live"))).score == 1.0
    half = await scorer.score(request("caches everywhere, time to live"))
    assert half.score == 0.5 and "'cache'" in half.feedback


async def test_regex_passes_only_when_the_pattern_matches() -> None:
    scorer = RegexScorer(r"^## Summary")
    assert (await scorer.score(request("intro\n## Summary\n"))).score == 1.0
    assert (await scorer.score(request("no heading"))).score == 0.0


def test_templates_cannot_reach_python_internals() -> None:
    with pytest.raises(templating.TemplateProblem):
        templating.render("{{ ''.__class__.__mro__[1].__subclasses__() }}", {})


def test_a_misspelt_variable_is_an_error_not_an_empty_string() -> None:
    with pytest.raises(templating.TemplateProblem, match="no attribute 'topik'"):
        templating.render("{{ inputs.topik }}", {"inputs": {"topic": "x"}})
