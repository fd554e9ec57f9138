"""Writing a whole ``SessionDetail`` at once: a fork's copy, or a session imported from an export.

The rows of requests, reviews and chain steps are written by one statement builder each, used
here and by the recorder as a run goes, so both write a row the same way.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace

from orchestrator_tui.store.db import Database
from orchestrator_tui.store.detail import ChainStepRow, RequestRow, ReviewRow, SessionDetail
from orchestrator_tui.store.rows import placeholders
from orchestrator_tui.store.votes import vote_insert

Statement = tuple[str, Sequence[object]]


def best_update(session_id: str, answers: Sequence[str], best: str | None) -> Statement | None:
    """Of ``answers`` (one prompt's answers), ``best`` is the best one; ``None`` unmarks them all.
    The others lose any earlier mark in the same statement. ``None`` when there is nothing to mark."""
    ids = list(dict.fromkeys([*answers, *([best] if best else [])]))
    if not ids:
        return None
    sql = f"UPDATE interactions SET best = (id IS ?) WHERE session_id = ? AND id IN ({placeholders(ids)})"
    return (sql, [best, session_id, *ids])


async def save_detail(db: Database, detail: SessionDetail) -> None:
    """Insert the session with its interactions, requests and reviews, in one transaction.

    Fails (and writes nothing) if the session or one of its interactions is already stored.
    """
    await db.write(statements(detail))


def statements(detail: SessionDetail) -> list[Statement]:
    s = detail.session
    out: list[Statement] = [
        (
            "INSERT INTO sessions (id, title, kind, status, chain_name, created_at, updated_at,"
            " deleted_at, metadata) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                s.id,
                s.title,
                s.kind,
                s.status,
                s.chain_name,
                s.created_at,
                s.updated_at,
                s.deleted_at,
                json.dumps(s.metadata),
            ),
        )
    ]
    out += [
        (
            "INSERT INTO interactions (id, session_id, parent_id, step_id, type, model, content,"
            " status, error, created_at, finished_at, metadata, best)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                i.id,
                s.id,
                i.parent_id,
                i.step_id,
                i.type,
                i.model,
                i.content,
                i.status,
                i.error,
                i.created_at,
                i.finished_at,
                json.dumps(i.metadata),
                int(i.best),
            ),
        )
        for i in detail.interactions
    ]
    out += [request_insert(s.id, r) for r in detail.requests]
    out += [review_insert(s.id, v) for v in detail.reviews]
    out += [step_insert(s.id, c) for c in detail.chain_steps]
    out += [vote_insert(replace(v, session_id=s.id)) for v in detail.votes]
    return out


def request_insert(session_id: str, r: RequestRow) -> Statement:
    return (
        "INSERT INTO requests (session_id, interaction_id, provider, model, params, attempt,"
        " status, error_kind, error, input_tokens, output_tokens, ttft, latency, cost, cached,"
        " created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            session_id,
            r.interaction_id,
            r.provider,
            r.model,
            json.dumps(r.params),
            r.attempt,
            r.status,
            r.error_kind,
            r.error,
            r.input_tokens,
            r.output_tokens,
            r.ttft,
            r.latency,
            r.cost,
            int(r.cached),
            r.created_at,
        ),
    )


def review_insert(session_id: str, v: ReviewRow) -> Statement:
    return (
        "INSERT INTO reviews (session_id, interaction_id, reviewer, score, feedback,"
        " suggestions, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            session_id,
            v.interaction_id,
            v.reviewer,
            v.score,
            v.feedback,
            json.dumps(list(v.suggestions)),
            v.created_at,
        ),
    )


def step_insert(session_id: str, c: ChainStepRow, on_conflict: str = "") -> Statement:
    """``on_conflict``: an ``ON CONFLICT`` clause, for the recorder's upsert."""
    return (
        "INSERT INTO chain_steps (session_id, run_id, step_id, kind, position, status, score,"
        " scores, output, error, details, started_at, finished_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)" + on_conflict,
        (
            session_id,
            c.run_id,
            c.step_id,
            c.kind,
            c.position,
            c.status,
            c.score,
            json.dumps(list(c.scores)),
            c.output,
            c.error,
            json.dumps(c.details),
            c.started_at,
            c.finished_at,
        ),
    )
