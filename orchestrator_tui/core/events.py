"""Run events: the one stream the TUI renders, the CLI prints and the store records.

Small frozen dataclasses; consumers dispatch on their type with ``match``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from orchestrator_tui.core.types import GenerationParams, Message, Usage

if TYPE_CHECKING:
    from orchestrator_tui.core.arena.votes import Vote

RunKind = Literal["compare", "chat", "chain", "conversation"]
ResponseStatus = Literal["ok", "empty", "failed", "cancelled", "budget", "skipped"]
"""``empty``: the model finished without an error but its answer is blank (nothing, or spaces);
``budget``: refused before it started, or stopped mid-stream, by the budget guard."""
ResponseRole = Literal["response", "review", "refinement", "synthesis", "turn", "summary"]


def now() -> float:
    return time.time()


@dataclass(frozen=True, slots=True)
class RunStarted:
    """A run began. ``session_id`` is stable across follow-ups of one conversation.

    ``prompt`` is the user's new prompt (its text, and any images among it: the history keeps
    their paths and hashes, not the bytes), or ``None`` for runs that add to earlier answers
    (reviews, synthesis).
    """

    run_id: str
    session_id: str
    kind: RunKind
    prompt_id: str | None
    prompt: Message | None
    models: tuple[str, ...]
    params: GenerationParams
    parent_id: str | None = None
    title: str | None = None
    chain_name: str | None = None
    mode: str | None = None
    at: float = field(default_factory=now)


@dataclass(frozen=True, slots=True)
class ResponseStarted:
    run_id: str
    session_id: str
    response_id: str
    model: str
    parent_id: str | None
    role: ResponseRole = "response"
    step_id: str | None = None
    at: float = field(default_factory=now)


@dataclass(frozen=True, slots=True)
class TextDelta:
    run_id: str
    response_id: str
    text: str


@dataclass(frozen=True, slots=True)
class AttemptFailed:
    """One attempt failed before any token reached the user; the engine retries after ``retry_in``.

    ``retry_in`` is ``None`` when no retry follows (the failure ends the response).
    ``model`` is the model of this attempt; ``next_model`` is set when a fallback model is tried next.
    """

    run_id: str
    session_id: str
    response_id: str
    model: str
    attempt: int
    error_kind: str
    error: str
    retry_in: float | None
    latency: float
    next_model: str | None = None
    at: float = field(default_factory=now)


@dataclass(frozen=True, slots=True)
class ResponseEnded:
    """Base of the two ways a response ends; ``text`` is everything received, partial or not.

    ``model`` is the model of the last attempt; ``fallback_from`` names the requested model when a
    fallback answered instead. ``cached`` marks an answer replayed from the response cache.
    """

    run_id: str
    session_id: str
    response_id: str
    model: str
    status: ResponseStatus
    text: str
    usage: Usage
    ttft: float | None
    latency: float
    cost: float | None
    params: GenerationParams = GenerationParams()
    attempts: int = 1
    cached: bool = False
    fallback_from: str | None = None
    error_kind: str | None = None
    error: str | None = None
    at: float = field(default_factory=now)


@dataclass(frozen=True, slots=True)
class ResponseFinished(ResponseEnded):
    """The model finished its answer (``ok``, or ``empty`` when it is blank)."""


@dataclass(frozen=True, slots=True)
class ResponseFailed(ResponseEnded):
    """The answer ended early: ``status`` is ``failed`` or ``cancelled``; partial ``text`` kept."""


@dataclass(frozen=True, slots=True)
class ReviewReady:
    """A scorer's verdict on answer ``target_id``; ``error`` set (and ``score`` None) when it failed.

    ``review_id`` is the reviewer's own response (its raw text), or ``None`` for heuristic scorers.
    """

    run_id: str
    session_id: str
    target_id: str
    reviewer: str
    score: float | None
    feedback: str = ""
    suggestions: tuple[str, ...] = ()
    review_id: str | None = None
    error: str | None = None
    at: float = field(default_factory=now)


StepStatus = Literal["ok", "failed", "skipped", "cancelled", "budget"]


@dataclass(frozen=True, slots=True)
class StepStarted:
    """A chain step began (``index`` counts from 0 of ``total``); skipped steps never start."""

    run_id: str
    session_id: str
    step_id: str
    kind: str
    index: int
    total: int
    at: float = field(default_factory=now)


@dataclass(frozen=True, slots=True)
class StepIteration:
    """One reviewed version inside a refine loop: iteration 0 is the text the loop started from."""

    run_id: str
    session_id: str
    step_id: str
    iteration: int
    score: float | None
    passed: bool
    response_id: str | None = None
    at: float = field(default_factory=now)


@dataclass(frozen=True, slots=True)
class StepFinished:
    """A chain step ended; ``output`` is what later steps read as ``steps.<id>.output``."""

    run_id: str
    session_id: str
    step_id: str
    kind: str
    index: int
    status: StepStatus
    output: str = ""
    score: float | None = None
    scores: tuple[float | None, ...] = ()
    error: str | None = None
    details: dict[str, object] = field(default_factory=dict)
    """Kind-specific facts: a refine loop's ``rewrites`` and ``passed``, a conversation's
    ``turns``, ``models`` (how many took part), ``stopped`` (why) and ``judge_score``."""
    at: float = field(default_factory=now)


@dataclass(frozen=True, slots=True)
class VotesCast:
    """Verdicts reached inside a run (a council's peer rankings): stored as votes, rated later."""

    run_id: str
    session_id: str
    votes: tuple[Vote, ...]
    at: float = field(default_factory=now)


@dataclass(frozen=True, slots=True)
class RunFinished:
    run_id: str
    session_id: str
    status: Literal["completed", "failed", "cancelled", "budget"]
    error: str | None = None
    at: float = field(default_factory=now)


@dataclass(frozen=True, slots=True)
class ContextCompacted:
    """Older turns of ``model``'s conversation were summarized or dropped to fit its context window.

    ``note`` is the marker shown in the pane and stored with the session; ``summary_id`` is the
    summarizer's answer (a ``summary`` response, recorded like any other) when there is one.
    """

    run_id: str
    session_id: str
    prompt_id: str | None
    model: str
    strategy: str
    dropped: int
    """Exchanges (a prompt and its answer) no longer sent word for word."""
    kept: int
    """The last exchanges still sent word for word, after the summary if there is one."""
    note: str
    summary_id: str | None = None
    at: float = field(default_factory=now)


@dataclass(frozen=True, slots=True)
class BestMarked:
    """The person marked ``best`` the best of ``answers`` (one prompt's answers side by side);
    ``None`` unmarks them all. An event, so the recorder writes it after the answers it names."""

    session_id: str
    answers: tuple[str, ...]
    best: str | None
    at: float = field(default_factory=now)
    models: tuple[str, ...] = ()
    """The model of each answer, in the same order: the mark is also the person's vote."""


RunEvent = (
    RunStarted
    | ContextCompacted
    | ResponseStarted
    | TextDelta
    | AttemptFailed
    | ResponseEnded
    | ReviewReady
    | StepStarted
    | StepIteration
    | StepFinished
    | VotesCast
    | RunFinished
    | BestMarked
)
