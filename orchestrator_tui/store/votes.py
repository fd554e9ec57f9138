"""Votes in SQLite: written with a session (a fork, an import) or one by one, read back filtered.

The leaderboard asks for battles (``battles``) and per-contestant cost and latency (``figures``);
both read only the columns they need, so a history of 100,000 votes is rated in well under a second.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from orchestrator_tui.core.arena.leaderboard import Figures, Standing, standings
from orchestrator_tui.core.arena.votes import USER, Tally, Vote, battles, new_vote, tally
from orchestrator_tui.store.db import Database

Statement = tuple[str, Sequence[object]]
VOTE_COLUMNS = (
    "session_id, answers, contestants, outcome, voter, winner, blind, category, created_at"
)
JUDGES = "judges"
"""The ``voter`` filter for every judge model (any voter but the person)."""


@dataclass(frozen=True, slots=True)
class VoteFilter:
    """Which votes count. ``voter``: ``user``, ``judges``, one judge model, or ``None`` for all;
    ``include_open``: votes cast with the models' names in view count too (blind ones only by
    default); ``since``/``until``: epoch seconds."""

    voter: str | None = None
    category: str | None = None
    since: float | None = None
    until: float | None = None
    include_open: bool = False
    session_id: str | None = None

    def where(self) -> tuple[str, list[Any]]:
        clauses: list[str] = ["1"]
        params: list[Any] = []
        if self.voter == JUDGES:
            clauses.append("voter != ?")
            params.append(USER)
        elif self.voter is not None:
            clauses.append("voter = ?")
            params.append(self.voter)
        if self.category is not None:
            clauses.append("category = ?")
            params.append(self.category)
        if self.since is not None:
            clauses.append("created_at >= ?")
            params.append(self.since)
        if self.until is not None:
            clauses.append("created_at < ?")
            params.append(self.until)
        if not self.include_open:
            clauses.append("blind = 1")
        if self.session_id is not None:
            clauses.append("session_id = ?")
            params.append(self.session_id)
        return " AND ".join(clauses), params


def vote_insert(vote: Vote) -> Statement:
    return (
        f"INSERT INTO votes ({VOTE_COLUMNS}, won) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            vote.session_id,
            json.dumps(list(vote.answers)),
            json.dumps(list(vote.contestants)),
            vote.outcome,
            vote.voter,
            vote.winner,
            int(vote.blind),
            vote.category,
            vote.created_at,
            tally(vote).winner,
        ),
    )


def vote_from_row(row: Any) -> Vote:
    return Vote(
        row["session_id"],
        tuple(json.loads(row["answers"])),
        tuple(json.loads(row["contestants"])),
        row["outcome"],
        row["voter"],
        row["winner"],
        bool(row["blind"]),
        row["category"],
        row["created_at"],
    )


async def add(db: Database, votes: Iterable[Vote]) -> int:
    return await db.write([vote_insert(vote) for vote in votes])


async def list_votes(db: Database, flt: VoteFilter, *, limit: int | None = None) -> list[Vote]:
    """Matching votes, newest first."""
    where, params = flt.where()
    sql = f"SELECT {VOTE_COLUMNS} FROM votes WHERE {where} ORDER BY created_at DESC, id DESC"
    if limit is not None:
        sql += " LIMIT ?"
        params.append(limit)
    return [vote_from_row(row) for row in await db.fetchall(sql, params)]


async def session_votes(db: Database, session_id: str) -> list[Vote]:
    """Every vote on a session's answers, blind or not, oldest first (for its export)."""
    rows = await db.fetchall(
        f"SELECT {VOTE_COLUMNS} FROM votes WHERE session_id = ? ORDER BY id", (session_id,)
    )
    return [vote_from_row(row) for row in rows]


async def tallies(db: Database, flt: VoteFilter) -> list[Tally]:
    """The matching votes counted in SQL: one row per contestants, outcome and winner's place."""
    where, params = flt.where()
    rows = await db.fetchall(
        "SELECT contestants, outcome, won, COUNT(*) AS n FROM votes"
        f" WHERE {where} GROUP BY contestants, outcome, won",
        params,
    )
    return [
        Tally(tuple(json.loads(r["contestants"])), r["outcome"], r["won"], r["n"]) for r in rows
    ]


async def figures(db: Database, flt: VoteFilter, contestants: Sequence[str]) -> dict[str, Figures]:
    """Mean cost and latency of each contestant's answers over the filter's period: every
    successful request of that model, voted on or not (more answers, steadier means, and one
    indexed pass instead of a walk through every vote). Unknown costs are left out of the mean;
    a contestant that is not a model (a chain) has none."""
    if not contestants:
        return {}
    clauses = [f"model IN ({','.join('?' * len(contestants))})", "status = 'ok'"]
    params: list[Any] = [*contestants]
    if flt.since is not None:
        clauses.append("created_at >= ?")
        params.append(flt.since)
    if flt.until is not None:
        clauses.append("created_at < ?")
        params.append(flt.until)
    rows = await db.fetchall(
        "SELECT model, AVG(cost) AS cost, AVG(latency) AS latency FROM requests"
        f" WHERE {' AND '.join(clauses)} GROUP BY model",
        params,
    )
    return {row["model"]: Figures(row["cost"], row["latency"]) for row in rows}


def best_vote_statements(
    session_id: str, shown: Sequence[tuple[str, str]], best: str | None
) -> list[Statement]:
    """The person's best mark as a vote seen with names (``v`` in the workspace): it replaces any
    earlier mark on these answers; unmarking removes it. ``shown``: (answer id, model) in the
    order shown."""
    if not shown:
        return []
    answers = [answer for answer, _ in shown]
    marks = ",".join("?" * len(answers))
    out: list[Statement] = [
        (
            f"DELETE FROM votes WHERE session_id = ? AND voter = ? AND blind = 0"
            f" AND winner IN ({marks})",
            [session_id, USER, *answers],
        )
    ]
    named = [(answer, model) for answer, model in shown if model]
    if best is not None and best in dict(named) and len(named) >= 2:
        out.append(vote_insert(new_vote(session_id, named, "win", winner=best)))
    return out


async def models_of(db: Database, session_id: str, answers: Sequence[str]) -> list[tuple[str, str]]:
    """(answer id, model) of each of ``answers`` stored in the session, in the given order."""
    marks = ",".join("?" * len(answers))
    rows = await db.fetchall(
        f"SELECT id, model FROM interactions WHERE session_id = ? AND id IN ({marks})",
        [session_id, *answers],
    )
    model = {row["id"]: row["model"] or "" for row in rows}
    return [(answer, model[answer]) for answer in answers if answer in model]


async def leaderboard(
    db: Database,
    flt: VoteFilter,
    *,
    resamples: int = 1000,
    seed: int = 0,
    with_figures: bool = True,
) -> list[Standing]:
    """The standings for the matching votes; the fit runs in a thread (the loop stays free).

    ``resamples=0, with_figures=False`` is the quick first look: ratings and counts only.
    """
    found = list(battles(await tallies(db, flt)))
    names = sorted({name for a, b, _, _ in found for name in (a, b)})
    shown = await figures(db, flt, names) if with_figures else None
    return await asyncio.to_thread(standings, found, resamples=resamples, seed=seed, figures=shown)
