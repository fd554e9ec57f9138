"""Per-model figures over a period: calls, success rate, empty answers, median time to first token
and latency, tokens, cost, mean review score, and calls per day for small charts.

A call is one answer (its last attempt); retried attempts count in ``attempts`` only. Everything
still in the database counts, the trash included, since it was paid for. Two indexed range
queries fetch the period's rows; the figures are computed here (medians need every value anyway).
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from sqlite3 import Row

from orchestrator_tui.store.db import Database

DAY = 86_400.0
MAX_DAYS = 120


@dataclass(frozen=True, slots=True)
class ModelStats:
    model: str
    calls: int
    ok: int
    attempts: int
    input_tokens: int
    output_tokens: int
    cost: float | None
    median_ttft: float | None
    median_latency: float | None
    mean_score: float | None
    reviews: int
    daily_calls: tuple[int, ...] = ()
    """Calls per day across the period, oldest first (at most ``MAX_DAYS`` buckets)."""
    budget: int = 0
    """Calls the budget guard stopped mid-stream (refused ones were never made)."""
    empty: int = 0
    """Answers that ended without an error but blank: counted in ``calls``, not in ``ok``."""
    cancelled: int = 0
    """Answers the person stopped: counted in ``calls``, neither a success nor a failure."""

    @property
    def success_rate(self) -> float:
        """Of the answers that ran to their end (not cancelled), the share that succeeded."""
        finished = self.calls - self.cancelled
        return self.ok / finished if finished else 0.0


@dataclass
class _Tally:
    calls: int = 0
    ok: int = 0
    empty: int = 0
    cancelled: int = 0
    budget: int = 0
    attempts: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cost: float | None = None
    ttft: list[float] = field(default_factory=list)
    latency: list[float] = field(default_factory=list)
    scores: list[float] = field(default_factory=list)
    daily: list[int] = field(default_factory=list)


async def model_stats(db: Database, since: float, until: float) -> list[ModelStats]:
    """Figures per model for calls made in ``[since, until)``, busiest model first."""
    days = max(1, min(MAX_DAYS, int((until - since + DAY - 1) // DAY)))
    width = (until - since) / days
    last: dict[str, Row] = {}  # each answer's last attempt (retries have their own rows)
    for r in await db.fetchall(
        "SELECT interaction_id, model, status, attempt, input_tokens, output_tokens, cost, ttft,"
        " latency, created_at FROM requests WHERE created_at >= ? AND created_at < ?",
        (since, until),
    ):
        seen = last.get(r["interaction_id"])
        if seen is None or r["attempt"] > seen["attempt"]:
            last[r["interaction_id"]] = r
    tallies: dict[str, _Tally] = {}
    for r in last.values():
        t = tallies.setdefault(r["model"], _Tally(daily=[0] * days))
        t.calls += 1
        t.ok += r["status"] == "ok"
        t.empty += r["status"] == "empty"
        t.cancelled += r["status"] == "cancelled"
        t.budget += r["status"] == "budget"
        t.attempts += r["attempt"]
        t.input_tokens += r["input_tokens"] or 0
        t.output_tokens += r["output_tokens"] or 0
        if r["cost"] is not None:
            t.cost = (t.cost or 0.0) + r["cost"]
        if r["ttft"] is not None:
            t.ttft.append(r["ttft"])
        if r["latency"] is not None:
            t.latency.append(r["latency"])
        t.daily[min(days - 1, int((r["created_at"] - since) / width))] += 1
    for r in await db.fetchall(
        "SELECT i.model AS model, v.score AS score FROM reviews v"
        " JOIN interactions i ON i.id = v.interaction_id"
        " WHERE v.created_at >= ? AND v.created_at < ? AND v.score IS NOT NULL",
        (since, until),
    ):
        if r["model"] in tallies:
            tallies[r["model"]].scores.append(r["score"])
    ordered = sorted(tallies.items(), key=lambda item: (-item[1].calls, item[0]))
    return [
        ModelStats(
            model=model,
            calls=t.calls,
            ok=t.ok,
            attempts=t.attempts,
            input_tokens=t.input_tokens,
            output_tokens=t.output_tokens,
            cost=t.cost,
            median_ttft=statistics.median(t.ttft) if t.ttft else None,
            median_latency=statistics.median(t.latency) if t.latency else None,
            mean_score=statistics.fmean(t.scores) if t.scores else None,
            reviews=len(t.scores),
            daily_calls=tuple(t.daily),
            empty=t.empty,
            cancelled=t.cancelled,
            budget=t.budget,
        )
        for model, t in ordered
    ]
