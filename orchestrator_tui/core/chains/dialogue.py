"""The ``conversation`` step: models take turns on a topic, stop early, and the dialogue is scored.

Each model sees the whole transcript as one user message, so any number of speakers works with
any provider. The dialogue stops at ``turns``, at a closing phrase, or when a turn repeats an
earlier one; at the end it gets seed 004's quality score (``quality``) and a judge (if given)
rates its coherence and flow.
"""

from __future__ import annotations

from dataclasses import replace

from orchestrator_tui.core.chains.context import StepContext, StepError, failure
from orchestrator_tui.core.chains.model import Step, StepResult
from orchestrator_tui.core.chains.quality import conversation_quality
from orchestrator_tui.core.events import StepStatus
from orchestrator_tui.core.review import LLMJudge
from orchestrator_tui.core.types import Message

CLOSING_PHRASES = ("[end]", "goodbye", "let's end here", "nothing more to add")
REPEAT_RATIO = 0.9
DIALOGUE_CRITERIA = (
    "Rate the dialogue as a whole: is it coherent (each turn answers the one before), does it "
    "flow, does it stay on the topic and go somewhere?"
)


def speaker(index: int, model: str) -> str:
    return f"Speaker {index + 1} ({model})"


def turn_prompt(topic: str, transcript: list[tuple[str, str]], me: str) -> str:
    lines = [f"## Topic\n\n{topic}"]
    if transcript:
        lines.append(
            "## Conversation so far\n\n" + "\n\n".join(f"**{w}**: {t}" for w, t in transcript)
        )
    lines.append(
        f"You are {me}. Write your next turn: respond to what was said, add something new, and "
        "keep it short. Reply with the turn's text only."
    )
    return "\n\n".join(lines)


def shingles(text: str) -> set[tuple[str, ...]]:
    """Word trigrams of ``text``, lower-cased: the fingerprint repetition is judged on."""
    words = text.lower().split()
    return {tuple(words[i : i + 3]) for i in range(max(len(words) - 2, 1))}


def stop_reason(text: str, earlier: list[str], phrases: tuple[str, ...]) -> str | None:
    """Why the dialogue should end after ``text``, if it should.

    Repetition is a turn sharing most of its word trigrams with an earlier one: linear in the
    length of the turns, unlike an edit-distance ratio.
    """
    lowered = text.lower()
    for phrase in phrases:
        if phrase.lower() in lowered:
            return f"closing phrase {phrase!r}"
    mine = shingles(text)
    for before in earlier:
        theirs = shingles(before)
        if len(mine & theirs) >= REPEAT_RATIO * min(len(mine), len(theirs)):
            return "repetition"
    return None


async def converse(ctx: StepContext, step: Step) -> StepResult:
    topic = ctx.render(step, "prompt", step.prompt or "")
    params = ctx.params(step)
    phrases = step.stop_phrases or CLOSING_PHRASES
    done = ctx.resumed.get(step.id, ())
    speakers = [model for model, _ in done]
    transcript = [(speaker(n % len(step.models), m), text) for n, (m, text) in enumerate(done)]
    last_id: str | None = None
    stopped = "turn limit"
    for turn in range(len(done), step.turns):
        index = turn % len(step.models)
        model = step.models[index]
        me = speaker(index, model)
        prompt = turn_prompt(topic, transcript, me)
        response_id, ended = await ctx.respond(
            step, model, [Message("user", prompt)], params, role="turn", parent_id=last_id
        )
        if ended.status == "cancelled":  # the dialogue ends with the turns before this one
            stopped = "cancelled"
            break
        if ended.text:
            transcript.append((me, ended.text))
        if ended.status != "ok":
            return _result(step, "failed", topic, transcript, last_id, failure(ended), "failed")
        speakers.append(model)
        last_id = response_id
        reason = stop_reason(ended.text, [t for _, t in transcript[:-1]], phrases)
        if reason:
            stopped = reason
            break
    result = _result(
        step, "ok" if transcript else "cancelled", topic, transcript, last_id, None, stopped
    )
    result.details["models"] = len(set(speakers))
    quality = conversation_quality(speakers, [text for _, text in transcript], stopped)
    result.details["quality"] = quality.score
    result.details["quality_factors"] = quality.factors
    if not step.judge or not transcript:
        return result
    judge = LLMJudge(ctx.responder, ctx.model(step.judge))
    request = f"A conversation on this topic:\n\n{topic}\n\n{DIALOGUE_CRITERIA}"
    try:
        verdict = await ctx.review(step, [judge], request, result.output, last_id)
    except StepError as exc:
        raise StepError(str(exc), result) from None
    result.details["judge_score"] = verdict.score
    return replace(result, score=verdict.score, scores=(verdict.score,), feedback=verdict.feedback)


def _result(
    step: Step,
    status: StepStatus,
    topic: str,
    transcript: list[tuple[str, str]],
    last_id: str | None,
    error: str | None,
    stopped: str,
) -> StepResult:
    return StepResult(
        step.id,
        status,
        "\n\n".join(f"**{who}**: {text}" for who, text in transcript),
        outputs={f"{i + 1}. {who}": text for i, (who, text) in enumerate(transcript)},
        error=error,
        prompt=topic,
        response_id=last_id,
        details={"turns": len(transcript), "stopped": stopped},
    )
