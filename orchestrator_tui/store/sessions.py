"""Reading sessions back: listing, one session's interactions, full-text search, crash recovery."""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from typing import Any

from orchestrator_tui.store.db import Database


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


@dataclass(frozen=True, slots=True)
class SearchHit:
    session_id: str
    session_title: str
    interaction_id: str
    type: str
    model: str | None
    snippet: str


_SESSION_COLUMNS = "id, title, kind, status, created_at, updated_at, chain_name, metadata"
_INTERACTION_COLUMNS = (
    "id, session_id, parent_id, step_id, type, model, content, status, error, created_at,"
    " finished_at, metadata"
)


def _session(row: Any) -> SessionRow:
    return SessionRow(**{**dict(row), "metadata": json.loads(row["metadata"] or "{}")})


def _interaction(row: Any) -> InteractionRow:
    return InteractionRow(**{**dict(row), "metadata": json.loads(row["metadata"] or "{}")})


def fts_query(text: str) -> str:
    """User words as an FTS5 query: every word must match, the last one as a prefix."""
    words = re.findall(r"\w+", text)
    if not words:
        return ""
    quoted = [f'"{w}"' for w in words]
    quoted[-1] += "*"
    return " ".join(quoted)


class SessionStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def recover_interrupted(self) -> int:
        """Mark sessions left ``active`` by a dead process as ``interrupted``; partial text stays."""
        rows = await self.db.fetchall("SELECT id, pid FROM sessions WHERE status = 'active'")
        dead = [row["id"] for row in rows if not _alive(row["pid"])]
        if dead:
            marks = ",".join("?" * len(dead))
            await self.db.write(
                [
                    (
                        f"UPDATE sessions SET status = 'interrupted', pid = NULL"
                        f" WHERE id IN ({marks})",
                        dead,
                    ),
                    (
                        f"UPDATE interactions SET status = 'interrupted'"
                        f" WHERE status = 'streaming' AND session_id IN ({marks})",
                        dead,
                    ),
                    (
                        f"UPDATE chain_steps SET status = 'interrupted'"
                        f" WHERE status = 'running' AND session_id IN ({marks})",
                        dead,
                    ),
                ]
            )
        return len(dead)

    async def list(self, limit: int = 50, offset: int = 0) -> list[SessionRow]:
        rows = await self.db.fetchall(
            f"SELECT {_SESSION_COLUMNS} FROM sessions WHERE deleted_at IS NULL"
            " ORDER BY created_at DESC LIMIT ? OFFSET ?",
            (limit, offset),
        )
        return [_session(r) for r in rows]

    async def get(self, session_id: str) -> SessionRow | None:
        row = await self.db.fetchone(
            f"SELECT {_SESSION_COLUMNS} FROM sessions WHERE id = ?", (session_id,)
        )
        return _session(row) if row else None

    async def interactions(self, session_id: str) -> list[InteractionRow]:
        rows = await self.db.fetchall(
            f"SELECT {_INTERACTION_COLUMNS} FROM interactions WHERE session_id = ? ORDER BY seq",
            (session_id,),
        )
        return [_interaction(r) for r in rows]

    async def search(self, text: str, limit: int = 50) -> list[SearchHit]:
        query = fts_query(text)
        if not query:
            return []
        rows = await self.db.fetchall(
            "SELECT i.session_id, s.title, i.id, i.type, i.model,"
            " snippet(interactions_fts, 0, '[', ']', '…', 12) AS snippet"
            " FROM interactions_fts JOIN interactions i ON i.seq = interactions_fts.rowid"
            " JOIN sessions s ON s.id = i.session_id"
            " WHERE interactions_fts MATCH ? AND s.deleted_at IS NULL"
            " ORDER BY rank LIMIT ?",
            (query, limit),
        )
        return [SearchHit(*tuple(r)) for r in rows]


def _alive(pid: int | None) -> bool:
    """Whether the process that was writing a session still runs (our own pid is a reused one)."""
    if not pid or pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
