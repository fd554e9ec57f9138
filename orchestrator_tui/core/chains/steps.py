"""The step kinds: each turns a ``Step`` into a ``StepResult`` through one ``StepContext``.

A failed model call ends its step as ``failed`` with whatever text arrived kept as the output; the
engine then stops the chain, so later steps never run on a broken input.

A response the user cancelled is not a failure: the step goes on with what it has without it (the
other answers of a ``parallel`` step, the best reviewed version of a ``refine``, the turns so far
of a ``conversation``), and ends as ``cancelled`` only when nothing is left. Its partial text stays
in the run, marked cancelled, but no later step reads it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from orchestrator_tui.core.chains.context import StepContext, StepError, failure, model_labels
from orchestrator_tui.core.chains.council import council
from orchestrator_tui.core.chains.dialogue import converse
from orchestrator_tui.core.chains.model import Step, StepResult
from orchestrator_tui.core.events import ResponseEnded, StepIteration, StepStatus
from orchestrator_tui.core.synthesis import SYNTHESIS_SYSTEM, synthesis_messages
from orchestrator_tui.core.types import Message, Review

REFINE_REQUEST = (
    "A reviewer scored your answer {score:.2f} out of 1.\n\n## Feedback\n\n{feedback}\n\n"
    "## Suggestions\n\n{suggestions}\n\nRewrite the answer to address every point. "
    "Reply with the improved answer only."
)


async def generate(ctx: StepContext, step: Step) -> StepResult:
    prompt = ctx.render(step, "prompt", step.prompt or "")
    assert step.model is not None  # the loader requires it
    response_id, ended = await ctx.respond(
        step, step.model, [Message("user", prompt)], ctx.params(step)
    )
    return _one_answer(step, ended, prompt, response_id)


async def parallel(ctx: StepContext, step: Step) -> StepResult:
    """Every model at once; one failing or cancelled never stops the others.

    The answers that came back whole are the step's ``outputs``; with none, the step failed if a
    model failed or answered blank, else (every answer cancelled) it was cancelled.
    """
    prompt = ctx.render(step, "prompt", step.prompt or "")
    params = ctx.params(step)
    ended = await asyncio.gather(
        *(ctx.respond(step, m, [Message("user", prompt)], params) for m in step.models)
    )
    by_label = list(zip(model_labels(step.models), (e for _, e in ended), strict=True))
    outputs = {label: e.text for label, e in by_label if e.status == "ok"}
    errors = [
        failure(e) for _, e in by_label if e.status in ("failed", "empty", "budget", "skipped")
    ]
    cancelled = sum(e.status == "cancelled" for _, e in by_label)
    status: StepStatus = "ok" if outputs else "failed" if errors else "cancelled"
    return StepResult(
        step.id,
        status,
        "\n\n".join(f"## {label}\n\n{text}" for label, text in outputs.items()),
        outputs=outputs,
        error="; ".join(errors) or None,
        prompt=prompt,
        response_id=ended[0][0],
        details={"cancelled": cancelled} if cancelled else {},
    )


async def review(ctx: StepContext, step: Step) -> StepResult:
    target = ctx.results[step.target or ""]
    verdict = await ctx.review(
        step, ctx.scorers(step), target.prompt, target.output, target.response_id
    )
    return StepResult(
        step.id,
        "ok",
        _verdict_text(verdict),
        score=verdict.score,
        scores=(verdict.score,),
        feedback=verdict.feedback,
        prompt=target.prompt,
        response_id=target.response_id,
    )


async def refine(ctx: StepContext, step: Step) -> StepResult:
    """Review, then rewrite with the feedback, until the threshold or ``max_iterations`` rewrites.

    A loop that never reaches the threshold keeps its best-scored version (the latest of equals),
    not its last: a rewrite can score lower than the text it rewrote. ``details["kept"]`` says
    which iteration that is (0 is the target's own text).
    """
    target = ctx.results[step.target or ""]
    writer, scorers, params = ctx.writer(step), ctx.scorers(step), ctx.params(step)
    text, answer_id, prompt = target.output, target.response_id, target.prompt
    extra = ctx.render(step, "prompt", step.prompt) if step.prompt else ""
    scores: list[float | None] = []
    iteration, passed, feedback, stopped = 0, False, "", ""
    best: _Version | None = None

    def so_far(status: StepStatus = "ok", error: str | None = None) -> StepResult:
        details: dict[str, object] = {"rewrites": iteration, "passed": passed}
        kept = _Version(scores[-1] if scores else None, iteration, text, answer_id, feedback)
        if not passed and best is not None:
            kept, details["kept"] = best, best.iteration
        if stopped:
            details["stopped"] = stopped
        return StepResult(
            step.id,
            status,
            kept.text,
            score=kept.score,
            scores=tuple(scores),
            feedback=kept.feedback,
            error=error,
            prompt=prompt,
            response_id=kept.response_id,
            details=details,
        )

    while True:
        try:
            verdict = await ctx.review(step, scorers, prompt, text, answer_id)
        except StepError as exc:
            raise StepError(str(exc), so_far()) from None
        passed, feedback = verdict.score >= step.threshold, verdict.feedback
        scores.append(verdict.score)
        if best is None or verdict.score >= (best.score or 0.0):
            best = _Version(verdict.score, iteration, text, answer_id, feedback)
        ctx.run.emit(
            StepIteration(
                ctx.run.run_id,
                ctx.run.session_id,
                step.id,
                iteration,
                verdict.score,
                passed,
                answer_id,
            )
        )
        if passed or iteration >= step.max_iterations:
            return so_far()
        iteration += 1
        request = REFINE_REQUEST.format(
            score=verdict.score,
            feedback=verdict.feedback or "(none)",
            suggestions="\n".join(f"- {s}" for s in verdict.suggestions) or "(none)",
        )
        messages = [
            Message("user", prompt),
            Message("assistant", text),
            Message("user", f"{request}\n\n{extra}".strip()),
        ]
        new_id, ended = await ctx.respond(
            step, writer, messages, params, role="refinement", parent_id=answer_id
        )
        if ended.status == "cancelled":  # the best reviewed version stands
            iteration, stopped = iteration - 1, "cancelled"
            return so_far()
        if ended.status != "ok":
            return so_far("failed", failure(ended))
        text, answer_id = ended.text, new_id


@dataclass(frozen=True, slots=True)
class _Version:
    """One version of a refine loop's text, as reviewed."""

    score: float | None
    iteration: int
    text: str
    response_id: str | None
    feedback: str


async def synthesize(ctx: StepContext, step: Step) -> StepResult:
    answers: list[tuple[str, str]] = []
    for source in step.sources:
        result = ctx.results[source]
        if result.status == "skipped":
            continue
        if result.outputs:
            answers += [(f"{source}: {label}", text) for label, text in result.outputs.items()]
        else:
            answers.append((source, result.output))
    if not answers:
        raise StepError(f"{step.at('sources')}: steps.{step.id}.from: every source was skipped")
    if step.prompt:
        request = ctx.render(step, "prompt", step.prompt)
    else:
        request = ctx.results[step.sources[0]].prompt
    assert step.model is not None  # the loader requires it
    response_id, ended = await ctx.respond(
        step,
        step.model,
        synthesis_messages(request, answers),
        ctx.params(step, SYNTHESIS_SYSTEM),
        role="synthesis",
    )
    return _one_answer(step, ended, request, response_id)


StepRunner = Callable[[StepContext, Step], Awaitable[StepResult]]
RUNNERS: dict[str, StepRunner] = {
    "generate": generate,
    "parallel": parallel,
    "review": review,
    "refine": refine,
    "synthesize": synthesize,
    "conversation": converse,
    "council": council,
}


def _one_answer(step: Step, ended: ResponseEnded, prompt: str, response_id: str) -> StepResult:
    """The result of a step made of one answer: it ends as that answer did (a blank one fails:
    nothing would reach the next step)."""
    status: StepStatus = "failed" if ended.status == "empty" else ended.status
    return StepResult(
        step.id,
        status,
        ended.text,
        error=failure(ended) if status in ("failed", "budget") else None,
        prompt=prompt,
        response_id=response_id,
    )


def _verdict_text(verdict: Review) -> str:
    lines = [f"Score: {verdict.score:.2f}", "", verdict.feedback]
    if verdict.suggestions:
        lines += ["", *(f"- {s}" for s in verdict.suggestions)]
    return "\n".join(lines).strip()
