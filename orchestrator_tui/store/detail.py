"""One session in full: its interactions, the requests behind each answer, and the reviews.

Loaded with three indexed queries, so a session of hundreds of interactions opens at once. The
same structure is what exports write and read back.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from orchestrator_tui.core import display
from orchestrator_tui.core.arena.votes import Vote
from orchestrator_tui.store.db import Database
from orchestrator_tui.store.rows import (
    ANSWER_TYPES,
    INTERACTION_COLUMNS,
    SESSION_COLUMNS,
    InteractionRow,
    SessionRow,
    interaction_row,
    session_row,
)
from orchestrator_tui.store.votes import session_votes


@dataclass(frozen=True, slots=True)
class RequestRow:
    """One call to a provider (retried attempts have their own rows)."""

    interaction_id: str
    provider: str
    model: str
    attempt: int
    status: str
    created_at: float
    params: dict[str, Any] = field(default_factory=dict)
    error_kind: str | None = None
    error: str | None = None
    input_tokens: int | None = None
    output_tokens: int | None = None
    ttft: float | None = None
    latency: float | None = None
    cost: float | None = None
    cached: bool = False


@dataclass(frozen=True, slots=True)
class ReviewRow:
    """A verdict on interaction ``interaction_id``; ``score`` is ``None`` when the review failed."""

    interaction_id: str
    reviewer: str
    score: float | None
    created_at: float
    feedback: str = ""
    suggestions: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ChainStepRow:
    """One step of a chain run: its outcome and, for refine steps, every iteration's score."""

    run_id: str
    step_id: str
    kind: str
    position: int
    status: str
    started_at: float
    score: float | None = None
    scores: tuple[float | None, ...] = ()
    output: str = ""
    error: str | None = None
    finished_at: float | None = None
    details: dict[str, Any] = field(default_factory=dict)
    """Refine: ``rewrites``, ``passed``; conversation: ``turns``, ``stopped``, ``judge_score``."""

    @property
    def outcome(self) -> str:
        """``ok, score 0.55 → 0.72 → 0.86`` (the status, each iteration's score, a conversation's
        quality, any error)."""
        text = self.status
        if self.scores:
            text += ", score " + " → ".join(display.score(x) for x in self.scores)
        elif self.score is not None:
            text += f", score {display.score(self.score)}"
        quality = self.details.get("quality")
        if isinstance(quality, int | float):  # a conversation's quality (seed 004)
            text += f", quality {display.score(quality)}"
        if self.error:
            text += f" ({self.error})"
        return text


@dataclass(frozen=True, slots=True)
class SessionDetail:
    session: SessionRow
    interactions: list[InteractionRow]
    requests: list[RequestRow] = field(default_factory=list)
    reviews: list[ReviewRow] = field(default_factory=list)
    chain_steps: list[ChainStepRow] = field(default_factory=list)
    votes: list[Vote] = field(default_factory=list)

    def requests_for(self, interaction_id: str) -> list[RequestRow]:
        return [r for r in self.requests if r.interaction_id == interaction_id]

    def reviews_for(self, interaction_id: str) -> list[ReviewRow]:
        return [r for r in self.reviews if r.interaction_id == interaction_id]

    def usage_of(self, interaction_id: str) -> RequestRow | None:
        """The request that produced the interaction's text: its last attempt."""
        attempts = self.requests_for(interaction_id)
        return max(attempts, key=lambda r: r.attempt) if attempts else None

    @property
    def models(self) -> tuple[str, ...]:
        """Models that answered, in order of first answer."""
        seen = dict.fromkeys(
            i.model for i in self.interactions if i.model and i.type in ANSWER_TYPES
        )
        return tuple(m for m in seen if m)

    @property
    def input_tokens(self) -> int:
        return sum(r.input_tokens or 0 for r in self.requests)

    @property
    def output_tokens(self) -> int:
        return sum(r.output_tokens or 0 for r in self.requests)

    @property
    def cost(self) -> float | None:
        priced = [r.cost for r in self.requests if r.cost is not None]
        return sum(priced) if priced else None


async def load_detail(db: Database, session_id: str) -> SessionDetail | None:
    row = await db.fetchone(f"SELECT {SESSION_COLUMNS} FROM sessions WHERE id = ?", (session_id,))
    if row is None:
        return None
    interactions = await db.fetchall(
        f"SELECT {INTERACTION_COLUMNS} FROM interactions WHERE session_id = ? ORDER BY seq",
        (session_id,),
    )
    requests = await db.fetchall(
        "SELECT interaction_id, provider, model, attempt, status, created_at, params, error_kind,"
        " error, input_tokens, output_tokens, ttft, latency, cost, cached FROM requests"
        " WHERE session_id = ? ORDER BY id",
        (session_id,),
    )
    reviews = await db.fetchall(
        "SELECT interaction_id, reviewer, score, created_at, feedback, suggestions FROM reviews"
        " WHERE session_id = ? ORDER BY id",
        (session_id,),
    )
    steps = await db.fetchall(
        "SELECT run_id, step_id, kind, position, status, started_at, score, scores, output, error,"
        " finished_at, details FROM chain_steps WHERE session_id = ? ORDER BY started_at, position",
        (session_id,),
    )
    return SessionDetail(
        session_row(row),
        [interaction_row(r) for r in interactions],
        [
            RequestRow(
                **{
                    **dict(r),
                    "params": json.loads(r["params"] or "{}"),
                    "cached": bool(r["cached"]),
                }
            )
            for r in requests
        ],
        [
            ReviewRow(**{**dict(r), "suggestions": tuple(json.loads(r["suggestions"] or "[]"))})
            for r in reviews
        ],
        [
            ChainStepRow(
                **{
                    **dict(r),
                    "scores": tuple(json.loads(r["scores"] or "[]")),
                    "details": json.loads(r["details"] or "{}"),
                }
            )
            for r in steps
        ],
        await session_votes(db, session_id),
    )
