"""The history table: sessions newest first, one page at a time, with filters.

Paging is by key (``created_at``, ``id``), not by offset, so the thousandth page costs what the first
does. Totals (tokens, cost, best review score, models used) are summed for the page's rows only.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from orchestrator_tui.store.db import Database
from orchestrator_tui.store.rows import ANSWER_TYPES, placeholders

Cursor = tuple[float, str]
SESSION_STATUSES = ("completed", "failed", "cancelled", "budget", "interrupted", "active")
ANSWER_STATUSES = ("empty",)
"""Statuses of an answer, filtered on like a session's: a session matches if an answer has one."""
STATUSES = SESSION_STATUSES + ANSWER_STATUSES
"""Everything the history can be filtered on by status, in the order filters list them."""


@dataclass(frozen=True, slots=True)
class SessionFilter:
    """What the history shows: empty tuples and ``None`` mean "any"; ``trash`` shows deleted ones."""

    kinds: tuple[str, ...] = ()
    models: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    since: float | None = None
    until: float | None = None
    trash: bool = False

    def where(self, alias: str = "s") -> tuple[str, list[Any]]:
        """SQL conditions on sessions (as ``alias``) and their parameters."""
        deleted = "IS NOT NULL" if self.trash else "IS NULL"
        clauses = [f"{alias}.deleted_at {deleted}"]
        params: list[Any] = []
        if self.kinds:
            clauses.append(f"{alias}.kind IN ({placeholders(self.kinds)})")
            params += self.kinds
        if self.statuses:
            own = [s for s in self.statuses if s not in ANSWER_STATUSES]
            held = [s for s in self.statuses if s in ANSWER_STATUSES]
            either = [f"{alias}.status IN ({placeholders(own)})"] if own else []
            if held:
                either.append(
                    f"EXISTS (SELECT 1 FROM interactions i WHERE i.session_id = {alias}.id"
                    f" AND i.status IN ({placeholders(held)}))"
                )
            clauses.append(f"({' OR '.join(either)})")
            params += own + held
        if self.since is not None:
            clauses.append(f"{alias}.created_at >= ?")
            params.append(self.since)
        if self.until is not None:
            clauses.append(f"{alias}.created_at < ?")
            params.append(self.until)
        if self.models:
            clauses.append(
                f"EXISTS (SELECT 1 FROM requests r WHERE r.session_id = {alias}.id"
                f" AND r.model IN ({placeholders(self.models)}))"
            )
            params += self.models
        return " AND ".join(clauses), params

    @property
    def is_default(self) -> bool:
        return self == SessionFilter()


@dataclass(frozen=True, slots=True)
class SessionSummary:
    """One row of the history table."""

    id: str
    title: str
    kind: str
    status: str
    created_at: float
    updated_at: float
    chain_name: str | None
    deleted_at: float | None
    models: tuple[str, ...]
    input_tokens: int
    output_tokens: int
    cost: float | None
    best_score: float | None

    @property
    def tokens(self) -> int:
        return self.input_tokens + self.output_tokens


@dataclass(frozen=True, slots=True)
class Page:
    rows: list[SessionSummary]
    next: Cursor | None = None
    """Pass to ``list_page(after=...)`` for the following page; ``None`` on the last one."""
    filter: SessionFilter = field(default_factory=SessionFilter)


async def list_page(
    db: Database,
    flt: SessionFilter = SessionFilter(),
    *,
    after: Cursor | None = None,
    limit: int = 50,
) -> Page:
    where, params = flt.where()
    if flt.models and await _rare(db, flt.models):
        # Few sessions used these models: start from them rather than test every session.
        where += f" AND s.id IN (SELECT session_id FROM requests WHERE model IN ({placeholders(flt.models)}))"
        params += flt.models
    if after is not None:
        where += " AND (s.created_at, s.id) < (?, ?)"
        params += list(after)
    rows = await db.fetchall(
        "SELECT s.id, s.title, s.kind, s.status, s.created_at, s.updated_at, s.chain_name,"
        f" s.deleted_at, s.metadata FROM sessions s WHERE {where}"
        " ORDER BY s.created_at DESC, s.id DESC LIMIT ?",
        [*params, limit + 1],
    )
    more = len(rows) > limit
    rows = rows[:limit]
    summaries = await summarize(db, rows)
    last = summaries[-1] if more and summaries else None
    return Page(summaries, (last.created_at, last.id) if last else None, flt)


async def count(db: Database, flt: SessionFilter = SessionFilter()) -> int:
    if flt.is_default:  # the total minus the (indexed) trash: no scan of the table
        row = await db.fetchone(
            "SELECT (SELECT COUNT(*) FROM sessions)"
            " - (SELECT COUNT(*) FROM sessions WHERE deleted_at IS NOT NULL)"
        )
        return int(row[0]) if row else 0
    where, params = flt.where()
    row = await db.fetchone(f"SELECT COUNT(*) FROM sessions s WHERE {where}", params)
    return int(row[0]) if row else 0


async def _rare(db: Database, models: tuple[str, ...], share: float = 0.02) -> bool:
    """Whether the models answered in under ``share`` of the sessions (both counts are indexed)."""
    row = await db.fetchone(
        f"SELECT (SELECT COUNT(*) FROM requests WHERE model IN ({placeholders(models)})),"
        " (SELECT COUNT(*) FROM sessions)",
        models,
    )
    return row is not None and row[0] < share * row[1]


async def summarize(db: Database, rows: Sequence[Any]) -> list[SessionSummary]:
    """Session rows with their totals, from two grouped queries over just these sessions."""
    ids = [row["id"] for row in rows]
    if not ids:
        return []
    usage: dict[str, dict[str, Any]] = {}
    for r in await db.fetchall(
        "SELECT session_id, SUM(input_tokens) AS tin, SUM(output_tokens) AS tout,"
        " SUM(cost) AS cost, COUNT(cost) AS priced FROM requests"
        f" WHERE session_id IN ({placeholders(ids)}) GROUP BY session_id",
        ids,
    ):
        usage[r["session_id"]] = dict(r)
    models: dict[str, list[str]] = {}
    for r in await db.fetchall(
        "SELECT session_id, model FROM interactions"
        f" WHERE session_id IN ({placeholders(ids)}) AND model IS NOT NULL"
        f" AND type IN ({placeholders(ANSWER_TYPES)})"
        " GROUP BY session_id, model ORDER BY MIN(seq)",
        [*ids, *ANSWER_TYPES],
    ):
        models.setdefault(r["session_id"], []).append(r["model"])
    best = {
        r["session_id"]: r["best"]
        for r in await db.fetchall(
            "SELECT session_id, MAX(score) AS best FROM reviews"
            f" WHERE session_id IN ({placeholders(ids)}) GROUP BY session_id",
            ids,
        )
    }
    out = []
    for row in rows:
        totals = usage.get(row["id"], {})
        answered = models.get(row["id"]) or json.loads(row["metadata"] or "{}").get("models", [])
        out.append(
            SessionSummary(
                id=row["id"],
                title=row["title"],
                kind=row["kind"],
                status=row["status"],
                created_at=row["created_at"],
                updated_at=row["updated_at"],
                chain_name=row["chain_name"],
                deleted_at=row["deleted_at"],
                models=tuple(answered),
                input_tokens=totals.get("tin") or 0,
                output_tokens=totals.get("tout") or 0,
                cost=totals["cost"] if totals.get("priced") else None,
                best_score=best.get(row["id"]),
            )
        )
    return out
