"""The council step (after llm-council and Mixture-of-Agents): answer, rank each other, synthesize.

1. Every member model answers the question at once.
2. Each member that answered ranks the *others'* answers, shown numbered in a shuffled order with
   no names (``core.arena.ranking``); a reply without a complete ``RANKING:`` line is a failed
   ranking, reported in the step's details and left out, never guessed at.
3. The rankings are aggregated (Borda, or Bradley-Terry over the wins they imply) and stored as
   votes (a ranking is N-1 win votes, voter: the ranking model).
4. The chairman (the step's ``model``) writes the final answer from the answers, best first, with
   the aggregate ranking; that answer is the step's output.

Every stage is a response in the run (answers, rankings as reviews, the final as a synthesis),
so each streams in the run view like any other.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Sequence
from dataclasses import dataclass

from orchestrator_tui.core.arena.ranking import (
    RANK_SYSTEM,
    Aggregate,
    RankingError,
    aggregate,
    parse_ranking,
    ranking_messages,
)
from orchestrator_tui.core.arena.votes import ranking_votes
from orchestrator_tui.core.chains.context import StepContext, StepError, failure, model_labels
from orchestrator_tui.core.chains.model import Step, StepResult
from orchestrator_tui.core.events import StepStatus, VotesCast
from orchestrator_tui.core.types import GenerationParams, Message

CHAIRMAN_SYSTEM = (
    "You chair a council of assistants. They answered the same question and ranked each other's "
    "answers without knowing who wrote which. Write the single best answer to the question: build "
    "on the best-ranked answers, keep what is correct in the others, settle their disagreements. "
    "Answer the question directly; do not describe the council."
)


@dataclass(frozen=True, slots=True)
class Member:
    label: str
    """The member's model, numbered if it sits twice (``m``, ``m#2``): its contestant name."""
    model: str
    answer_id: str
    text: str


async def council(ctx: StepContext, step: Step) -> StepResult:
    question = ctx.render(step, "prompt", step.prompt or "")
    params = ctx.params(step)
    ended = await asyncio.gather(
        *(ctx.respond(step, m, [Message("user", question)], params) for m in step.models)
    )
    labels = model_labels(step.models)
    members = [
        Member(label, model, answer_id, e.text)
        for label, model, (answer_id, e) in zip(labels, step.models, ended, strict=True)
        if e.status == "ok"
    ]
    errors = [failure(e) for _, e in ended if e.status == "failed"]
    if len(members) < 2:
        raise StepError(
            f"steps.{step.id}: a council needs two answers; got {len(members)}"
            + (f" ({'; '.join(errors)})" if errors else "")
        )
    by_label = {m.label: m for m in members}
    orders, failed = await _rank(ctx, step, question, members)
    votes = [
        vote
        for ranker, (shown, ranked) in orders.items()
        for vote in ranking_votes(
            ctx.run.session_id,
            [(by_label[label].answer_id, label) for label in shown],
            [by_label[label].answer_id for label in ranked],
            voter=by_label[ranker].model,
        )
    ]
    if votes:
        ctx.run.emit(VotesCast(ctx.run.run_id, ctx.run.session_id, tuple(votes)))
    if not orders:
        raise StepError(f"steps.{step.id}: every ranking failed ({'; '.join(failed.values())})")
    method: Aggregate = "bradley-terry" if step.aggregate == "bradley-terry" else "borda"
    standing = aggregate([ranked for _, ranked in orders.values()], method)
    ranked = [by_label[label] for label, _ in standing if label in by_label]
    ranked += [m for m in members if m not in ranked]  # an answer nobody could rank goes last
    chair_id, final = await ctx.respond(
        step,
        step.model or step.models[0],
        chairman_messages(question, ranked, standing),
        ctx.params(step, CHAIRMAN_SYSTEM),
        role="synthesis",
    )
    details: dict[str, object] = {
        "aggregate": method,
        "ranking": [{"model": label, "score": round(score, 4)} for label, score in standing],
        "rankings": len(orders),
        "failed_rankings": [{"model": who, "error": why} for who, why in failed.items()],
        "votes": len(votes),
    }
    status: StepStatus = "failed" if final.status == "empty" else final.status
    return StepResult(
        step.id,
        status,
        final.text,
        outputs={m.label: m.text for m in members},
        error=failure(final) if status in ("failed", "budget") else None,
        prompt=question,
        response_id=chair_id,
        details=details,
    )


async def _rank(
    ctx: StepContext, step: Step, question: str, members: Sequence[Member]
) -> tuple[dict[str, tuple[list[str], tuple[str, ...]]], dict[str, str]]:
    """Each member ranks the others' answers. Per member that managed: the labels in the order it
    saw them and as it ranked them; per member that did not: why."""
    shuffle = random.Random(f"{ctx.run.run_id}:{step.id}")
    shown = {
        m.label: shuffle.sample([o for o in members if o is not m], len(members) - 1)
        for m in members
    }
    ranking_params = GenerationParams(temperature=0, system=RANK_SYSTEM)

    async def one(member: Member) -> tuple[str, ...]:
        others = shown[member.label]
        _, ended = await ctx.respond(
            step,
            member.model,
            ranking_messages(question, [o.text for o in others]),
            ranking_params,
            role="review",
        )
        if ended.status != "ok":
            raise RankingError(failure(ended))
        return tuple(others[i].label for i in parse_ranking(ended.text, len(others)))

    results = await asyncio.gather(*(one(m) for m in members), return_exceptions=True)
    orders: dict[str, tuple[list[str], tuple[str, ...]]] = {}
    failed: dict[str, str] = {}
    for member, result in zip(members, results, strict=True):
        if isinstance(result, RankingError):
            failed[member.label] = str(result)
        elif isinstance(result, BaseException):
            raise result
        else:
            orders[member.label] = ([o.label for o in shown[member.label]], result)
    return orders, failed


def chairman_messages(
    question: str, ranked: Sequence[Member], standing: Sequence[tuple[str, float]]
) -> list[Message]:
    """The question, the answers best-ranked first (anonymised), and the council's scores."""
    score = dict(standing)
    parts = [f"## Question\n\n{question}"]
    for number, member in enumerate(ranked, start=1):
        mark = f" (council score {score[member.label]:.2f})" if member.label in score else ""
        parts.append(f"## Answer {number}{mark}\n\n{member.text}")
    parts.append("Write the final answer now.")
    return [Message("user", "\n\n".join(parts))]
