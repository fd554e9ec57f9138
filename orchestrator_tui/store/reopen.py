"""Continuing a stored session: rebuild its ``Conversation``, rerun a prompt, fork at an interaction.

The engine knows nothing of SQLite, so this turns stored rows back into core types: each model's
message history, exactly as ``Conversation.record`` would have built it live.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import get_args

from orchestrator_tui.core.context_window import summary_lead
from orchestrator_tui.core.conversation import Conversation, new_id
from orchestrator_tui.core.events import (
    ResponseEnded,
    ResponseFailed,
    ResponseFinished,
    ResponseStatus,
    ReviewReady,
    RunKind,
)
from orchestrator_tui.core.types import GenerationParams, Message, Usage
from orchestrator_tui.store.attached_images import stored_prompt
from orchestrator_tui.store.detail import ChainStepRow, SessionDetail
from orchestrator_tui.store.rows import InteractionRow


@dataclass(frozen=True, slots=True)
class Reopened:
    """A stored session made live again: its conversation, its last prompt as it was sent (for
    retry, review and synthesis), and the images sent earlier that could not be read again."""

    conversation: Conversation
    prompt: Message | None = None
    lost: tuple[str, ...] = ()
    """Each image left out, with why (``/path/photo.png (no longer there)``)."""


def lost_note(lost: Sequence[str]) -> str | None:
    """One line that says which earlier images a continued conversation goes on without."""
    if not lost:
        return None
    images = "an image" if len(lost) == 1 else f"{len(lost)} images"
    return f"The conversation continues without {images} sent earlier: {'; '.join(lost)}"


def reopened(
    detail: SessionDetail, *, upto: str | None = None, session_id: str | None = None
) -> Reopened:
    """The conversation as it stood after interaction ``upto`` (default: the end), its prompts'
    images read again from their files (``attached_images.stored_prompt``).

    ``session_id`` gives the conversation a new session (a rerun) instead of continuing this one.
    """
    items = _until(detail.interactions, upto)
    histories: dict[str, list[Message]] = {}
    last_prompt: tuple[InteractionRow, Message] | None = None
    lost: list[str] = []
    summaries = {i.id: i.content for i in items if i.type == "summary" and i.status == "ok"}
    for item in items:
        if item.type == "prompt":
            sent, missing = stored_prompt(item)
            last_prompt = item, sent
            lost += missing
        elif item.type == "context" and item.model:
            history = histories.get(item.model, [])
            kept = int(item.metadata.get("kept", 0)) * 2
            summary = summaries.get(item.metadata.get("summary_id") or "")
            lead = summary_lead(summary) if summary else []
            histories[item.model] = [*lead, *(history[len(history) - kept :] if kept else [])]
        elif item.type == "response" and item.model and last_prompt is not None:
            prompt, sent = last_prompt
            if item.parent_id != prompt.id or (item.status != "ok" and not item.content):
                continue
            histories.setdefault(item.model, []).extend((sent, Message("assistant", item.content)))
    session = detail.session
    conversation = Conversation(
        session_id=session_id or session.id,
        kind=_kind(session.kind),
        histories=histories,
        last_prompt_id=last_prompt[0].id if last_prompt and not session_id else None,
        title=None if session_id else session.title,
        mode=session.metadata.get("mode"),
    )
    return Reopened(
        conversation, last_prompt[1] if last_prompt else None, tuple(dict.fromkeys(lost))
    )


@dataclass(frozen=True, slots=True)
class StoredAnswer:
    """A stored answer as a front end shows it again: how it ended, its last review, its mark."""

    ended: ResponseEnded
    review: ReviewReady | None
    best: bool
    earlier: tuple[tuple[str, str], ...] = ()
    """The model's answers to the prompts before, each with the prompt that followed it."""
    prompt: str = ""
    """The prompt of the first turn shown (above the first of ``earlier``, or above ``ended``)."""


def last_answers(detail: SessionDetail) -> list[StoredAnswer]:
    """Each model's latest answer, with its earlier turns, in the order the models first answered.

    Built as the events the live run emitted, so a reopened session is drawn as it was. A turn is
    the model's last answer to one prompt (a retry, stored as the same prompt sent again, replaces
    the answer before it); an answer to something other than a prompt (a chain step) belongs to
    the prompt before it.
    """
    prompts: dict[str, str] = {}
    turns: dict[str, dict[str, InteractionRow]] = {}
    current = ""
    for item in detail.interactions:
        if item.type == "prompt":
            prompts[item.id] = item.content
            current = item.id
        elif item.type == "response" and item.model:
            prompt = (item.parent_id if item.parent_id in prompts else current) or ""
            model_turns = turns.setdefault(item.model, {})
            previous = next(reversed(model_turns), None)
            if previous not in (None, prompt) and prompts.get(previous) == prompts.get(prompt):
                del model_turns[previous]  # a retry is sent as the same prompt again
            model_turns[prompt] = item
    answers = []
    for by_prompt in turns.values():
        *before, (last_prompt, last) = by_prompt.items()
        shown = [(prompt, item) for prompt, item in before if item.content]
        following = [*(prompt for prompt, _ in shown), last_prompt][1:]
        earlier = tuple(
            (item.content, prompts.get(prompt, ""))
            for (_, item), prompt in zip(shown, following, strict=True)
        )
        first = prompts.get(shown[0][0] if shown else last_prompt, "")
        answers.append(replace(_stored(detail, last), earlier=earlier, prompt=first))
    return answers


def _stored(detail: SessionDetail, item: InteractionRow) -> StoredAnswer:
    usage = detail.usage_of(item.id)
    status = _STATUSES.get(item.status, "failed")
    ended = (ResponseFinished if status in ("ok", "empty") else ResponseFailed)(
        run_id="",
        session_id=detail.session.id,
        response_id=item.id,
        model=item.model or "",
        status=status,
        text=item.content,
        usage=Usage(usage.input_tokens, usage.output_tokens) if usage else Usage(),
        ttft=usage.ttft if usage else None,
        latency=(usage.latency or 0.0) if usage else 0.0,
        cost=usage.cost if usage else None,
        attempts=usage.attempt if usage else 1,
        cached=usage.cached if usage else False,
        error_kind=usage.error_kind if usage else None,
        error=item.error or (None if status == item.status else item.status),
        at=item.finished_at or item.created_at,
    )
    reviews = detail.reviews_for(item.id)
    review = None
    if reviews:
        last = reviews[-1]
        failed = last.score is None
        review = ReviewReady(
            run_id="",
            session_id=detail.session.id,
            target_id=item.id,
            reviewer=last.reviewer,
            score=last.score,
            feedback="" if failed else last.feedback,
            suggestions=last.suggestions,
            error=(last.feedback or "the review failed") if failed else None,
            at=last.created_at,
        )
    return StoredAnswer(ended, review, item.best)


@dataclass(frozen=True, slots=True)
class RerunPlan:
    """What a rerun sends: the prompt, the models and parameters it had, and the history before it."""

    prompt: Message
    """Its images read again from their files, as the history before it."""
    models: tuple[str, ...]
    params: GenerationParams
    conversation: Conversation
    """The history before the prompt, in a new session."""
    lost: tuple[str, ...] = ()
    """Images of the prompt and that history that could not be read again (see ``Reopened``)."""


def rerun_plan(detail: SessionDetail, prompt_id: str | None = None) -> RerunPlan:
    """Rerun a prompt (default: the first) in a new session that has the same history before it."""
    prompts = [i for i in detail.interactions if i.type == "prompt"]
    if not prompts:
        raise ValueError("this session has no prompt to rerun")
    prompt = next((p for p in prompts if p.id == prompt_id), None) if prompt_id else prompts[0]
    if prompt is None:
        raise ValueError(f"no prompt {prompt_id} in this session")
    before = detail.interactions[: detail.interactions.index(prompt)]
    earlier = before[-1].id if before else None
    before_it = (
        reopened(detail, upto=earlier, session_id=new_id())
        if earlier
        else Reopened(Conversation(kind=_kind(detail.session.kind)))
    )
    models = tuple(
        dict.fromkeys(
            i.model
            for i in detail.interactions
            if i.parent_id == prompt.id and i.type == "response" and i.model
        )
    ) or tuple(prompt.metadata.get("models", ()))
    params = prompt.metadata.get("params") or {}
    sent, lost = stored_prompt(prompt)
    return RerunPlan(
        sent,
        models,
        GenerationParams(**{k: params.get(k) for k in ("temperature", "max_tokens", "system")}),
        before_it.conversation,
        tuple(dict.fromkeys((*before_it.lost, *lost))),
    )


def forked(detail: SessionDetail, at: str, title: str | None = None) -> SessionDetail:
    """A new session holding copies of the interactions up to ``at``, with their usage, reviews
    and the records of the chain steps that ended by then (``_steps_before``)."""
    items = _until(detail.interactions, at)
    ids = {item.id: new_id() for item in items}
    source = detail.session
    now = time.time()
    session = replace(
        source,
        id=new_id(),
        title=title or f"{source.title} (fork)",
        status="completed",
        created_at=now,
        updated_at=now,
        deleted_at=None,
        metadata={**source.metadata, "forked_from": {"session": source.id, "interaction": at}},
    )
    return SessionDetail(
        session,
        [
            replace(i, id=ids[i.id], session_id=session.id, parent_id=ids.get(i.parent_id or ""))
            for i in items
        ],
        [
            replace(r, interaction_id=ids[r.interaction_id])
            for r in detail.requests
            if r.interaction_id in ids
        ],
        [
            replace(v, interaction_id=ids[v.interaction_id])
            for v in detail.reviews
            if v.interaction_id in ids
        ],
        _steps_before(detail, len(items)),
    )


def _steps_before(detail: SessionDetail, kept: int) -> list[ChainStepRow]:
    """Copies of the chain steps that ended before the first interaction left out of a fork.

    A step the fork point cuts through is left out: its record (output, scores) would speak of
    answers the fork does not have. Each run gets a new id, as the copy is a run of its own.
    """
    rest = detail.interactions[kept:]
    runs: dict[str, str] = {}
    copies = []
    for step in detail.chain_steps:
        if rest and (step.finished_at is None or step.finished_at > rest[0].created_at):
            continue
        run_id = runs.setdefault(step.run_id, new_id())
        status = "interrupted" if step.status == "running" else step.status
        copies.append(replace(step, run_id=run_id, status=status))
    return copies


def _until(items: list[InteractionRow], upto: str | None) -> list[InteractionRow]:
    if upto is None:
        return items
    for index, item in enumerate(items):
        if item.id == upto:
            return items[: index + 1]
    raise ValueError(f"no interaction {upto} in this session")


_KINDS: dict[str, RunKind] = {k: k for k in ("compare", "chat", "chain", "conversation")}
_STATUSES: dict[str, ResponseStatus] = {s: s for s in get_args(ResponseStatus)}
"""Stored kinds and statuses as the engine's types; anything else reads as a chat, a failure."""


def _kind(stored: str) -> RunKind:
    return _KINDS.get(stored, "chat")
