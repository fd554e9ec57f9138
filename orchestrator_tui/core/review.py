"""Scoring answers: a judge model's JSON verdict, parsed strictly (garbage is a failed review, never a pass).

A scorer turns an answer into a ``Review``. ``LLMJudge`` asks a reviewer model through the engine
(so its reply streams and is recorded like any other response); other scorers (heuristics) only
need the texts. All of them are called the same way, so chains can swap one for another.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from typing import Any, Protocol

from orchestrator_tui.core.catalog import ModelConfig
from orchestrator_tui.core.conversation import new_id
from orchestrator_tui.core.events import ReviewReady
from orchestrator_tui.core.responder import Responder
from orchestrator_tui.core.run import Run
from orchestrator_tui.core.types import GenerationParams, Message, Review

JUDGE_SYSTEM = (
    "You are a demanding, fair reviewer. Judge how well the answer serves the request: correctness, "
    "completeness, clarity. Reply with one JSON object and nothing else: "
    '{"score": <number from 0 to 1>, "feedback": "<two sentences>", '
    '"suggestions": ["<concrete change>", ...]}'
)


class VerdictError(ValueError):
    """No usable verdict; ``response_id`` is the reviewer's reply, if there was one."""

    def __init__(self, message: str, response_id: str | None = None) -> None:
        super().__init__(message)
        self.response_id = response_id


@dataclass(frozen=True, slots=True)
class ScoreRequest:
    """What a scorer sees: the request, the answer, and where to report inside a run."""

    run: Run
    prompt: str
    answer: str
    answer_id: str
    step_id: str | None = None


class Scorer(Protocol):
    @property
    def name(self) -> str: ...

    async def score(self, request: ScoreRequest) -> Review:
        """A verdict; raise ``VerdictError`` when none could be reached."""
        ...


def parse_verdict(text: str, reviewer: str = "") -> Review:
    """The first JSON object in ``text`` with a numeric ``score``.

    Scores on a 0-10 or 0-100 scale are brought to 0..1; anything else is a ``VerdictError``.
    """
    data = _first_json_object(text)
    if data is None:
        raise VerdictError("the reviewer did not answer with a JSON verdict")
    score = data.get("score")
    if isinstance(score, str):
        try:
            score = float(score.strip().rstrip("%"))
        except ValueError:
            score = None
    if isinstance(score, bool) or not isinstance(score, int | float):
        raise VerdictError("the reviewer's verdict has no numeric score")
    for scale in (1, 10, 100):
        if 0 <= score <= scale:
            score = score / scale
            break
    else:
        raise VerdictError(f"the reviewer's score {score} is out of range")
    suggestions = data.get("suggestions") or ()
    if isinstance(suggestions, str):
        suggestions = (suggestions,)
    return Review(
        score=round(float(score), 4),
        feedback=str(data.get("feedback") or ""),
        suggestions=tuple(str(s) for s in suggestions if s),
        reviewer=reviewer,
    )


def _first_json_object(text: str) -> dict[str, Any] | None:
    decoder = json.JSONDecoder()
    for match in re.finditer(r"\{", text):
        try:
            value, _ = decoder.raw_decode(text, match.start())
        except json.JSONDecodeError:
            continue
        if isinstance(value, dict) and "score" in value:
            return value
    return None


def judge_messages(prompt: str, answer: str) -> list[Message]:
    return [
        Message(
            "user",
            f"## Request\n\n{prompt}\n\n## Answer to review\n\n{answer}\n\n"
            "Reply with the JSON verdict only.",
        )
    ]


class LLMJudge:
    """Asks ``reviewer`` for a verdict; its reply is a ``review`` response in the run."""

    def __init__(self, responder: Responder, reviewer: ModelConfig) -> None:
        self.responder = responder
        self.reviewer = reviewer
        self.name = reviewer.name

    async def score(self, request: ScoreRequest) -> Review:
        response_id = new_id()
        ended = await self.responder.respond(
            request.run,
            self.reviewer,
            judge_messages(request.prompt, request.answer),
            GenerationParams(system=JUDGE_SYSTEM, temperature=0),
            response_id=response_id,
            parent_id=request.answer_id,
            role="review",
            step_id=request.step_id,
        )
        if ended.status != "ok":
            raise VerdictError(ended.error or f"the review was {ended.status}", response_id)
        try:
            verdict = parse_verdict(ended.text, self.name)
        except VerdictError as exc:
            raise VerdictError(str(exc), response_id) from None
        return replace(verdict, response_id=response_id)


async def review_answer(scorer: Scorer, request: ScoreRequest) -> Review | None:
    """Score one answer and report a ``ReviewReady`` either way; ``None`` when the review failed."""
    run = request.run
    try:
        review = await scorer.score(request)
    except VerdictError as exc:
        failed = ReviewReady(
            run.run_id,
            run.session_id,
            request.answer_id,
            scorer.name,
            None,
            review_id=exc.response_id,
            error=str(exc),
        )
        run.emit(failed)
        return None
    run.emit(
        ReviewReady(
            run.run_id,
            run.session_id,
            request.answer_id,
            scorer.name,
            review.score,
            review.feedback,
            review.suggestions,
            review_id=review.response_id,
        )
    )
    return review
