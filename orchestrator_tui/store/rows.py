"""The session and interaction records as read back from SQLite."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class SessionRow:
    id: str
    title: str
    kind: str
    status: str
    created_at: float
    updated_at: float
    chain_name: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    deleted_at: float | None = None


@dataclass(frozen=True, slots=True)
class InteractionRow:
    id: str
    session_id: str
    parent_id: str | None
    step_id: str | None
    type: str
    model: str | None
    content: str
    status: str
    error: str | None
    created_at: float
    finished_at: float | None
    metadata: dict[str, Any] = field(default_factory=dict)
    best: bool = False
    """Marked by the person as the best of the answers shown together."""


ANSWER_TYPES = ("response", "refinement", "synthesis", "turn")
"""Interaction types that are a model's answer (reviews and prompts are not)."""

SESSION_COLUMNS = (
    "id, title, kind, status, created_at, updated_at, chain_name, metadata, deleted_at"
)
INTERACTION_COLUMNS = (
    "id, session_id, parent_id, step_id, type, model, content, status, error, created_at,"
    " finished_at, metadata, best"
)


def session_row(row: Any) -> SessionRow:
    return SessionRow(**{**dict(row), "metadata": json.loads(row["metadata"] or "{}")})


def interaction_row(row: Any) -> InteractionRow:
    return InteractionRow(
        **{**dict(row), "metadata": json.loads(row["metadata"] or "{}"), "best": bool(row["best"])}
    )


def placeholders(values: Any) -> str:
    """``?,?,?`` for an ``IN (...)`` over ``values``."""
    return ",".join("?" * len(values))
