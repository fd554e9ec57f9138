"""Peer rankings for the council: the request, a strict parse, and their aggregation.

A ranker sees the question and answers numbered 1..N (its own left out, the rest in a shuffled
order, no model names) and must end with one line ``RANKING: 2 > 1 > 3`` naming every answer once.
Anything else is a failed ranking: it is reported and left out, never guessed at.

Rankings are aggregated by Borda count (each ranking gives an answer the share of the others it
beat; an answer's score is its mean share) or by a Bradley-Terry fit over the pairwise wins the
rankings imply; never by a plain average of positions.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Literal

from orchestrator_tui.core.types import Message

RANKING_MARK = "RANKING:"
RANK_SYSTEM = (
    "You are a strict, fair judge. Several assistants answered the same question; their names are "
    "hidden. Rank the answers from best to worst: correctness first, then completeness and "
    "clarity. Explain briefly, then end with one line exactly: RANKING: followed by every answer's "
    "number once, best first, separated by '>' (for example RANKING: 2 > 1 > 3)."
)
Aggregate = Literal["borda", "bradley-terry"]
AGGREGATES: tuple[str, ...] = ("borda", "bradley-terry")
_LINE = re.compile(r"^\W*ranking:\s*(\d+(?:\s*>\s*\d+)*)\s*\W*$", re.IGNORECASE)


class RankingError(ValueError):
    """The ranker's reply does not end with a complete ranking line."""


def ranking_messages(question: str, answers: Sequence[str]) -> list[Message]:
    parts = [f"## Question\n\n{question}"]
    parts += [f"## Answer {n}\n\n{text}" for n, text in enumerate(answers, start=1)]
    order = " > ".join(str(n) for n in range(1, len(answers) + 1))
    parts.append(
        f"## Your ranking\n\nRank all {len(answers)} answers, best first. End with one line "
        f"like: {RANKING_MARK} {order}"
    )
    return [Message("user", "\n\n".join(parts))]


def parse_ranking(text: str, count: int) -> tuple[int, ...]:
    """Positions (0-based, best first) from the reply's last non-empty line, naming each of the
    ``count`` answers exactly once; else ``RankingError``."""
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    found = _LINE.match(lines[-1]) if lines else None
    if found is None:
        raise RankingError(f"the reply does not end with a '{RANKING_MARK} 2 > 1 > ...' line")
    numbers = [int(n) for n in re.findall(r"\d+", found.group(1))]
    if sorted(numbers) != list(range(1, count + 1)):
        raise RankingError(
            f"the ranking names {numbers}, not each of the {count} answers exactly once"
        )
    return tuple(n - 1 for n in numbers)


def borda(rankings: Sequence[Sequence[str]]) -> dict[str, float]:
    """Each ranking (contestants best first) gives a contestant the share of the others it beat;
    a contestant's score is the mean over the rankings it appears in (0..1)."""
    shares: dict[str, list[float]] = {}
    for ranking in rankings:
        below = len(ranking) - 1
        for position, name in enumerate(ranking):
            shares.setdefault(name, []).append((below - position) / below if below else 0.5)
    return {name: sum(values) / len(values) for name, values in shares.items()}


def bradley_terry(rankings: Sequence[Sequence[str]]) -> dict[str, float]:
    """Ratings (Elo-like scale) fitted to every pairwise win the rankings imply."""
    from orchestrator_tui.core.arena import ratings  # numpy, only when asked for

    wins = [
        (ranking[i], ranking[j], 1.0)
        for ranking in rankings
        for i in range(len(ranking))
        for j in range(i + 1, len(ranking))
    ]
    pooled = ratings.pool(wins)
    return dict(zip(pooled.contestants, (float(r) for r in ratings.fit(pooled)), strict=True))


def aggregate(rankings: Sequence[Sequence[str]], method: Aggregate) -> list[tuple[str, float]]:
    """Contestants best first with their aggregate score."""
    scores = borda(rankings) if method == "borda" else bradley_terry(rankings)
    return sorted(scores.items(), key=lambda item: (-item[1], item[0]))
