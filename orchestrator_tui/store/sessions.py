"""The history, as front ends see it: one object over the queries in the modules beside it.

The TUI and the CLI reach every stored session through ``SessionStore`` (``Services.sessions``);
no widget or command writes SQL. Write operations are single transactions.
"""

from __future__ import annotations

import asyncio
import builtins
import time
from collections.abc import Iterable, Sequence
from pathlib import Path

from orchestrator_tui.core.arena.votes import Vote
from orchestrator_tui.store import export, listing, reopen, search, stats, upkeep, votes
from orchestrator_tui.store.db import Database
from orchestrator_tui.store.detail import SessionDetail, load_detail
from orchestrator_tui.store.listing import Cursor, Page, SessionFilter
from orchestrator_tui.store.rows import (
    INTERACTION_COLUMNS,
    SESSION_COLUMNS,
    InteractionRow,
    SessionRow,
    interaction_row,
    placeholders,
    session_row,
)
from orchestrator_tui.store.saving import best_update, save_detail
from orchestrator_tui.store.search import SearchHit, fts_query
from orchestrator_tui.store.votes import VoteFilter
from orchestrator_tui.store.writer import is_running

__all__ = [
    "InteractionRow",
    "SearchHit",
    "SessionFilter",
    "SessionRow",
    "SessionStore",
    "UnknownSession",
    "fts_query",
]


class UnknownSession(LookupError):
    """No session has that id (or the prefix fits none, or several)."""


class SessionStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def recover_interrupted(self) -> int:
        """Mark sessions left ``active`` by a dead process as ``interrupted``; partial text stays."""
        rows = await self.db.fetchall(
            "SELECT id, pid, pid_start FROM sessions WHERE status = 'active'"
        )
        dead = [row["id"] for row in rows if not is_running(row["pid"], row["pid_start"])]
        if dead:
            marks = placeholders(dead)
            await self.db.write(
                [
                    (
                        f"UPDATE sessions SET status = 'interrupted', pid = NULL, pid_start = NULL"
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

    # Reading

    async def list(self, limit: int = 50, offset: int = 0) -> list[SessionRow]:
        """Plain session rows, newest first (``page`` is the fast way through a long history)."""
        rows = await self.db.fetchall(
            f"SELECT {SESSION_COLUMNS} FROM sessions WHERE deleted_at IS NULL"
            " ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?",
            (limit, offset),
        )
        return [session_row(r) for r in rows]

    async def page(
        self, flt: SessionFilter = SessionFilter(), *, after: Cursor | None = None, limit: int = 50
    ) -> Page:
        """One page of the history table; pass ``page.next`` as ``after`` for the next one."""
        return await listing.list_page(self.db, flt, after=after, limit=limit)

    async def count(self, flt: SessionFilter = SessionFilter()) -> int:
        return await listing.count(self.db, flt)

    async def get(self, session_id: str) -> SessionRow | None:
        row = await self.db.fetchone(
            f"SELECT {SESSION_COLUMNS} FROM sessions WHERE id = ?", (session_id,)
        )
        return session_row(row) if row else None

    async def resolve(self, id_or_prefix: str) -> str:
        """The full id of the one session whose id starts with ``id_or_prefix`` (as git does)."""
        prefix = id_or_prefix.strip().lower()
        if not prefix:
            raise UnknownSession("no session id given")
        rows = await self.db.fetchall(
            "SELECT id FROM sessions WHERE id >= ? AND id < ? LIMIT 2", (prefix, prefix + "\uffff")
        )
        if not rows:
            raise UnknownSession(f"no session {id_or_prefix!r}")
        if len(rows) > 1 and rows[0]["id"] != prefix:
            raise UnknownSession(f"{id_or_prefix!r} fits several sessions; give more of the id")
        return str(rows[0]["id"])

    async def interactions(self, session_id: str) -> builtins.list[InteractionRow]:
        rows = await self.db.fetchall(
            f"SELECT {INTERACTION_COLUMNS} FROM interactions WHERE session_id = ? ORDER BY seq",
            (session_id,),
        )
        return [interaction_row(r) for r in rows]

    async def detail(self, session_id: str) -> SessionDetail:
        found = await load_detail(self.db, session_id)
        if found is None:
            raise UnknownSession(f"no session {session_id!r}")
        return found

    async def search(
        self, text: str, flt: SessionFilter = SessionFilter(), *, limit: int = 50
    ) -> builtins.list[SearchHit]:
        """Matches for words typed so far (the last one as a prefix): prompts first, newest first."""
        return await search.search(self.db, text, flt, limit=limit)

    async def stats(
        self, since: float, until: float | None = None
    ) -> builtins.list[stats.ModelStats]:
        return await stats.model_stats(self.db, since, until if until is not None else time.time())

    async def spent_since(self, since: float) -> float:
        """Dollars spent on requests made since ``since`` (unknown costs count as nothing)."""
        row = await self.db.fetchone(
            "SELECT COALESCE(SUM(cost), 0) AS spent FROM requests WHERE created_at >= ?", (since,)
        )
        return float(row["spent"]) if row else 0.0

    async def spent_in(self, session_id: str) -> float:
        """Dollars the session's requests cost so far (a reopened session's per-session budget
        counts them)."""
        row = await self.db.fetchone(
            "SELECT COALESCE(SUM(cost), 0) AS spent FROM requests WHERE session_id = ?",
            (session_id,),
        )
        return float(row["spent"]) if row else 0.0

    # Changing

    async def rename(self, session_id: str, title: str) -> None:
        title = " ".join(title.split())
        if not title:
            raise ValueError("the title is empty")
        if not await self.db.write(
            [("UPDATE sessions SET title = ? WHERE id = ?", (title, session_id))]
        ):
            raise UnknownSession(f"no session {session_id!r}")

    async def delete(self, session_ids: Iterable[str]) -> int:
        """Move sessions to the trash; they can be restored until the trash is emptied."""
        ids = list(session_ids)
        sql = f"UPDATE sessions SET deleted_at = ? WHERE deleted_at IS NULL AND id IN ({placeholders(ids)})"
        return await self.db.write([(sql, [time.time(), *ids])])

    async def restore(self, session_ids: Iterable[str]) -> int:
        ids = list(session_ids)
        sql = f"UPDATE sessions SET deleted_at = NULL WHERE deleted_at IS NOT NULL AND id IN ({placeholders(ids)})"
        return await self.db.write([(sql, ids)])

    async def empty_trash(self) -> int:
        """Delete for good every session in the trash, with all it holds."""
        return await self.db.write([("DELETE FROM sessions WHERE deleted_at IS NOT NULL", ())])

    async def mark_best(self, session_id: str, answers: Iterable[str], best: str | None) -> None:
        """Of ``answers`` (one prompt's answers, as shown side by side), ``best`` is the best one;
        ``None`` unmarks them all. The others lose any earlier mark, in the same transaction.
        The mark is also the person's vote, cast with the names in view (not blind)."""
        ids = list(answers)
        statement = best_update(session_id, ids, best)
        if statement is not None:
            shown = await votes.models_of(self.db, session_id, ids)
            await self.db.write([statement, *votes.best_vote_statements(session_id, shown, best)])

    async def add_votes(self, new: Iterable[Vote]) -> int:
        """Store votes (a blind round's verdict, a judge's, a council's rankings)."""
        return await votes.add(self.db, new)

    async def votes(
        self, flt: VoteFilter = VoteFilter(), *, limit: int | None = None
    ) -> builtins.list[Vote]:
        return await votes.list_votes(self.db, flt, limit=limit)

    async def fork(self, session_id: str, at: str, title: str | None = None) -> str:
        """A new session with copies of the interactions up to ``at``; its id."""
        copy = reopen.forked(await self.detail(session_id), at, title)
        await save_detail(self.db, copy)
        return copy.session.id

    async def import_detail(self, detail: SessionDetail) -> str:
        """Store a session read from an export (fails if that session is already here)."""
        await save_detail(self.db, detail)
        return detail.session.id

    # Continuing in the engine

    async def reopened(self, session_id: str) -> reopen.Reopened:
        """The session made live again: follow-ups continue each model's history, with the
        images its prompts carried read again from their files (off the event loop)."""
        return await asyncio.to_thread(reopen.reopened, await self.detail(session_id))

    async def rerun_plan(self, session_id: str, prompt_id: str | None = None) -> reopen.RerunPlan:
        return await asyncio.to_thread(reopen.rerun_plan, await self.detail(session_id), prompt_id)

    # Files

    async def export(self, sessions: str | Sequence[str], fmt: str) -> str:
        """A session (or several) as one file's text in an export format (``export.EXPORTERS``)."""
        session_ids = [sessions] if isinstance(sessions, str) else sessions
        exporter = export.EXPORTERS.get(fmt)
        if exporter is None:
            known = ", ".join(export.EXPORTERS)
            raise ValueError(f"unknown export format {fmt!r} (one of {known})")
        return exporter.render([await self.detail(i) for i in session_ids])

    async def vacuum(self) -> tuple[int, int]:
        return await upkeep.vacuum(self.db)

    async def backup(self, target: Path) -> int:
        return await upkeep.backup(self.db, target)
