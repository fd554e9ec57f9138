"""Per-model figures over a period: calls, success rate, median time to first token and latency,
tokens, cost, mean review score, and calls per day for small charts.

A call is one answer (its last attempt); retried attempts count in ``attempts`` only. Everything
still in the database counts, the trash included, since it was paid for.
"""

from __future__ import annotations

from dataclasses import dataclass

from orchestrator_tui.store.db import Database

DAY = 86_400.0

_FINAL = """
final AS (
    SELECT r.* FROM requests r
    WHERE r.created_at >= ? AND r.created_at < ?
      AND NOT EXISTS (
        SELECT 1 FROM requests later
        WHERE later.interaction_id = r.interaction_id AND later.attempt > r.attempt
      )
)"""


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

    @property
    def success_rate(self) -> float:
        return self.ok / self.calls if self.calls else 0.0


MAX_DAYS = 120


async def model_stats(db: Database, since: float, until: float) -> list[ModelStats]:
    """Figures per model for calls made in ``[since, until)``, busiest model first."""
    period = (since, until)
    totals = await db.fetchall(
        f"WITH {_FINAL} SELECT model, COUNT(*) AS calls, SUM(status = 'ok') AS ok,"
        " SUM(attempt) AS attempts, SUM(COALESCE(input_tokens, 0)) AS tin,"
        " SUM(COALESCE(output_tokens, 0)) AS tout, SUM(cost) AS cost"
        " FROM final GROUP BY model ORDER BY calls DESC, model",
        period,
    )
    ttft = await _medians(db, "ttft", period)
    latency = await _medians(db, "latency", period)
    scores = {
        r["model"]: (r["mean"], r["n"])
        for r in await db.fetchall(
            "SELECT i.model AS model, AVG(v.score) AS mean, COUNT(v.score) AS n"
            " FROM reviews v JOIN interactions i ON i.id = v.interaction_id"
            " WHERE v.created_at >= ? AND v.created_at < ? AND v.score IS NOT NULL"
            " GROUP BY i.model",
            period,
        )
    }
    daily = await _daily(db, since, until)
    return [
        ModelStats(
            model=r["model"],
            calls=r["calls"],
            ok=r["ok"] or 0,
            attempts=r["attempts"] or 0,
            input_tokens=r["tin"],
            output_tokens=r["tout"],
            cost=r["cost"],
            median_ttft=ttft.get(r["model"]),
            median_latency=latency.get(r["model"]),
            mean_score=scores.get(r["model"], (None, 0))[0],
            reviews=scores.get(r["model"], (None, 0))[1],
            daily_calls=daily.get(r["model"], ()),
        )
        for r in totals
    ]


async def _medians(db: Database, column: str, period: tuple[float, float]) -> dict[str, float]:
    """The exact median of ``column`` per model, computed in SQLite with window functions."""
    rows = await db.fetchall(
        f"WITH {_FINAL}, ranked AS ("
        f"  SELECT model, {column} AS v,"
        f"    ROW_NUMBER() OVER (PARTITION BY model ORDER BY {column}) AS n,"
        "    COUNT(*) OVER (PARTITION BY model) AS total"
        f"  FROM final WHERE {column} IS NOT NULL)"
        " SELECT model, AVG(v) AS median FROM ranked"
        " WHERE n IN ((total + 1) / 2, (total + 2) / 2) GROUP BY model",
        period,
    )
    return {r["model"]: r["median"] for r in rows}


async def _daily(db: Database, since: float, until: float) -> dict[str, tuple[int, ...]]:
    days = max(1, min(MAX_DAYS, int((until - since + DAY - 1) // DAY)))
    width = (until - since) / days
    rows = await db.fetchall(
        f"WITH {_FINAL} SELECT model, CAST((created_at - ?) / ? AS INTEGER) AS bucket,"
        " COUNT(*) AS calls FROM final GROUP BY model, bucket",
        (since, until, since, width),
    )
    out: dict[str, list[int]] = {}
    for r in rows:
        buckets = out.setdefault(r["model"], [0] * days)
        buckets[min(days - 1, r["bucket"])] += r["calls"]
    return {model: tuple(b) for model, b in out.items()}
