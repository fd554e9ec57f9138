"""What a running step may use: its chain's inputs and earlier results, templates, voices, models.

Every step kind is a short function over a ``StepContext``; the shared work (rendering with the
right error location, composing the system prompt, streaming one response, scoring an answer)
lives here once.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from orchestrator_tui.core.catalog import Catalog, ModelConfig
from orchestrator_tui.core.chains import templating
from orchestrator_tui.core.chains.loader import CHECK_MAKERS
from orchestrator_tui.core.chains.model import Chain, Check, Persona, Step, StepResult
from orchestrator_tui.core.conversation import new_id
from orchestrator_tui.core.events import ResponseEnded, ResponseRole
from orchestrator_tui.core.heuristics import KeywordScorer, LengthScorer, RegexScorer
from orchestrator_tui.core.responder import Responder
from orchestrator_tui.core.review import LLMJudge, Scorer, ScoreRequest, review_answer
from orchestrator_tui.core.run import Run
from orchestrator_tui.core.types import GenerationParams, Message, Review


class StepError(Exception):
    """A step cannot go on; the message is for the user (it names file, line and field).

    ``partial`` is what the step had produced before it failed, kept as its output.
    """

    def __init__(self, message: str, partial: StepResult | None = None) -> None:
        super().__init__(message)
        self.partial = partial


@dataclass(slots=True)
class StepContext:
    run: Run
    chain: Chain
    inputs: Mapping[str, str]
    catalog: Catalog
    responder: Responder
    personas: Mapping[str, Persona]
    prompt_id: str
    results: dict[str, StepResult] = field(default_factory=dict)
    resumed: Mapping[str, Sequence[tuple[str, str]]] = field(default_factory=dict)
    """Turns a conversation step already had, ``(model, text)`` by step id: an attempt taken
    over from a worker that died goes on from its last completed turn."""

    def render(self, step: Step, name: str, source: str) -> str:
        try:
            return templating.render(source, templating.context(self.inputs, self.results))
        except templating.TemplateProblem as exc:
            raise StepError(f"{step.at(name)}: steps.{step.id}.{name}: {exc}") from None

    def condition(self, step: Step) -> bool:
        if step.when is None:
            return True
        try:
            return templating.evaluate(step.when, templating.context(self.inputs, self.results))
        except templating.TemplateProblem as exc:
            raise StepError(f"{step.at('when')}: steps.{step.id}.when: {exc}") from None

    def params(self, step: Step, base: str | None = None) -> GenerationParams:
        """The step's sampling settings and system prompt: base, persona, role, then ``system``."""
        parts = [base]
        for name in (step.persona, step.role):
            if name and name in self.personas:
                parts.append(self.personas[name].system)
        if step.system:
            parts.append(self.render(step, "system", step.system))
        system = "\n\n".join(p.strip() for p in parts if p and p.strip()) or None
        return GenerationParams(step.temperature, step.max_tokens, system)

    def model(self, name: str) -> ModelConfig:
        return self.catalog.resolve(name)

    def writer(self, step: Step) -> str:
        """Who writes a refine step's new versions (``Chain.writer``)."""
        model = self.chain.writer(step)
        if model is None:
            raise StepError(f"{step.at('model')}: steps.{step.id}.model: no writer model")
        return model

    async def respond(
        self,
        step: Step,
        model: str,
        messages: Sequence[Message],
        params: GenerationParams,
        *,
        role: ResponseRole = "response",
        parent_id: str | None = None,
    ) -> tuple[str, ResponseEnded]:
        """Stream one response as its own cancellable task; returns its id and how it ended."""
        response_id = new_id()
        coro = self.responder.respond(
            self.run,
            self.model(model),
            messages,
            params,
            response_id=response_id,
            parent_id=parent_id or self.prompt_id,
            role=role,
            step_id=step.id,
        )
        return response_id, await self.run.spawn(response_id, coro)

    def scorers(self, step: Step) -> list[Scorer]:
        found: list[Scorer] = [scorer_for(check) for check in step.checks]
        if step.reviewer:
            found.insert(0, LLMJudge(self.responder, self.model(step.reviewer)))
        return found

    async def review(
        self, step: Step, scorers: Sequence[Scorer], prompt: str, answer: str, answer_id: str | None
    ) -> Review:
        """Every scorer's verdict, combined: the lowest score, all feedback; a failure fails the step."""
        if step.criteria:
            prompt += "\n\n## Review criteria\n\n" + self.render(step, "criteria", step.criteria)
        request = ScoreRequest(self.run, prompt, answer, answer_id or self.prompt_id, step.id)
        verdicts = await asyncio.gather(*(review_answer(s, request) for s in scorers))
        failed = [s.name for s, v in zip(scorers, verdicts, strict=True) if v is None]
        if failed:
            who = ", ".join(failed)
            raise StepError(f"steps.{step.id}: the review by {who} failed (no usable verdict)")
        reviews = [v for v in verdicts if v is not None]
        return Review(
            score=min(r.score for r in reviews),
            feedback="\n".join(r.feedback for r in reviews if r.feedback),
            suggestions=tuple(s for r in reviews for s in r.suggestions),
            reviewer=", ".join(r.reviewer for r in reviews),
        )


def scorer_for(check: Check) -> Scorer:
    if check.kind in CHECK_MAKERS:
        return CHECK_MAKERS[check.kind](check.options)
    if check.kind == "length":
        return LengthScorer(check.min_words, check.max_words)
    if check.kind == "keywords":
        return KeywordScorer(check.words)
    return RegexScorer(check.pattern or "")


def failure(ended: ResponseEnded) -> str:
    if ended.status == "empty":
        return f"{ended.model}: the answer was empty"
    return f"{ended.model}: {ended.error or ended.status}"


def model_labels(models: Sequence[str]) -> list[str]:
    """Model names, numbered when one model appears twice (``m``, ``m#2``)."""
    seen: dict[str, int] = {}
    labels = []
    for model in models:
        seen[model] = seen.get(model, 0) + 1
        labels.append(model if seen[model] == 1 else f"{model}#{seen[model]}")
    return labels
