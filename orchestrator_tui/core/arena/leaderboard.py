"""The leaderboard: ratings with intervals, vote counts, win rate, cost and latency per contestant.

A contestant in fewer than ``PROVISIONAL`` battles is shown as provisional: listed, not ranked.
The cost-quality view keeps the contestants no other beats on both rating and mean cost.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

from orchestrator_tui.core.arena.votes import Battle

PROVISIONAL = 10


@dataclass(frozen=True, slots=True)
class Figures:
    """What a contestant's answers cost and took, on average (``None``: unknown)."""

    mean_cost: float | None = None
    mean_latency: float | None = None


@dataclass(frozen=True, slots=True)
class Standing:
    model: str
    rating: float
    votes: int
    """Battles this contestant was in (a vote over N answers is N-1 battles for each)."""
    wins: int
    ties: int
    losses: int
    ci_low: float | None = None
    ci_high: float | None = None
    rank: int | None = None
    """1 for the best; ``None`` while provisional."""
    mean_cost: float | None = None
    mean_latency: float | None = None

    @property
    def provisional(self) -> bool:
        return self.votes < PROVISIONAL

    @property
    def win_rate(self) -> float:
        """Share of battles won, a tie counting half (as in the fit)."""
        return (self.wins + 0.5 * self.ties) / self.votes if self.votes else 0.0

    def as_dict(self) -> dict[str, object]:
        return {
            "model": self.model,
            "rating": round(self.rating, 1),
            "ci_low": None if self.ci_low is None else round(self.ci_low, 1),
            "ci_high": None if self.ci_high is None else round(self.ci_high, 1),
            "votes": self.votes,
            "wins": self.wins,
            "ties": self.ties,
            "losses": self.losses,
            "win_rate": round(self.win_rate, 4),
            "rank": self.rank,
            "provisional": self.provisional,
            "mean_cost": self.mean_cost,
            "mean_latency": self.mean_latency,
        }


def standings(
    battles: Iterable[Battle | tuple[str, str, float]],
    *,
    resamples: int = 1000,
    seed: int = 0,
    figures: Mapping[str, Figures] | None = None,
) -> list[Standing]:
    """Every contestant, best rating first; intervals from ``resamples`` bootstrap refits (0:
    none, for a first quick look)."""
    from orchestrator_tui.core.arena import ratings  # numpy: loaded only when a board is wanted

    pooled = ratings.pool(battles)
    names = pooled.contestants
    if not names:
        return []
    point = ratings.fit(pooled)
    low = high = None
    if resamples:
        low, high = ratings.interval(ratings.bootstrap(pooled, resamples=resamples, seed=seed))
    tally = {name: [0, 0, 0] for name in names}
    for p in range(len(pooled.first)):
        a, b = names[pooled.first[p]], names[pooled.second[p]]
        wins, ties, losses = int(pooled.wins[p]), int(pooled.ties[p]), int(pooled.losses[p])
        tally[a] = [tally[a][0] + wins, tally[a][1] + ties, tally[a][2] + losses]
        tally[b] = [tally[b][0] + losses, tally[b][1] + ties, tally[b][2] + wins]
    figures = figures or {}
    rows = [
        Standing(
            name,
            float(point[i]),
            sum(tally[name]),
            wins=tally[name][0],
            ties=tally[name][1],
            losses=tally[name][2],
            ci_low=None if low is None else float(low[i]),
            ci_high=None if high is None else float(high[i]),
            mean_cost=figures.get(name, Figures()).mean_cost,
            mean_latency=figures.get(name, Figures()).mean_latency,
        )
        for i, name in enumerate(names)
    ]
    rows.sort(key=lambda row: (row.provisional, -row.rating, row.model))
    rank = 0
    ranked = []
    for row in rows:
        if not row.provisional:
            rank += 1
            row = replace(row, rank=rank)
        ranked.append(row)
    return ranked


def cost_quality(rows: Iterable[Standing]) -> list[Standing]:
    """Contestants with a known mean cost that no other beats on both: at least as well rated
    and at most as costly, better on one. Cheapest first."""
    priced = [row for row in rows if row.mean_cost is not None]
    front = [
        row
        for row in priced
        if not any(
            other.rating >= row.rating
            and (other.mean_cost or 0.0) <= (row.mean_cost or 0.0)
            and (other.rating > row.rating or (other.mean_cost or 0.0) < (row.mean_cost or 0.0))
            for other in priced
        )
    ]
    return sorted(front, key=lambda row: (row.mean_cost, -row.rating))
