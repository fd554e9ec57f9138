"""A vote: someone's verdict on answers shown together, and the pairwise battles it stands for.

The voter is the person (``user``) or a judge model. A vote over N answers names one winner (it
beat each of the others), a tie, or ``all_bad`` (none is better: counted as ties, as Chatbot Arena
counts "both bad"). A ranking of N answers is stored as N-1 successive win votes (the first beat
the rest, the second beat those after it, ...), so every verdict is the same kind of row.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Literal, get_args

Outcome = Literal["win", "tie", "all_bad"]
OUTCOMES: tuple[str, ...] = get_args(Outcome)
USER = "user"
"""The voter name of the person at the keyboard; any other voter is a judge model."""


@dataclass(frozen=True, slots=True)
class Vote:
    session_id: str
    answers: tuple[str, ...]
    """The answers' interaction ids, in the order they were shown."""
    contestants: tuple[str, ...]
    """The model (or chain) behind each answer, same order."""
    outcome: Outcome
    voter: str = USER
    winner: str | None = None
    """The winning answer's id (``outcome == "win"`` only)."""
    blind: bool = False
    """Whether the voter saw the answers without their models' names."""
    category: str | None = None
    created_at: float = 0.0

    def __post_init__(self) -> None:
        if self.outcome not in OUTCOMES:
            raise ValueError(f"unknown vote outcome {self.outcome!r} (one of {OUTCOMES})")
        if len(self.answers) != len(self.contestants) or len(self.answers) < 2:
            raise ValueError("a vote compares two or more answers, each with its contestant")
        if (self.outcome == "win") != (self.winner is not None):
            raise ValueError("a win names its winner; a tie or all-bad vote names none")
        if self.winner is not None and self.winner not in self.answers:
            raise ValueError(f"the winner {self.winner!r} is not among the answers compared")

    @property
    def winning_contestant(self) -> str | None:
        if self.winner is None:
            return None
        return self.contestants[self.answers.index(self.winner)]


def new_vote(
    session_id: str,
    shown: Sequence[tuple[str, str]],
    outcome: Outcome,
    *,
    winner: str | None = None,
    voter: str = USER,
    blind: bool = False,
    category: str | None = None,
) -> Vote:
    """A vote made now over ``shown``: (answer id, contestant) pairs in the order shown."""
    return Vote(
        session_id,
        tuple(a for a, _ in shown),
        tuple(c for _, c in shown),
        outcome,
        voter,
        winner,
        blind,
        category,
        time.time(),
    )


def ranking_votes(
    session_id: str,
    shown: Sequence[tuple[str, str]],
    ranked: Sequence[str],
    *,
    voter: str,
    blind: bool = True,
    category: str | None = None,
) -> list[Vote]:
    """A ranking as N-1 win votes: each answer beat every answer ranked below it.

    ``shown``: (answer id, contestant) in the order the ranker saw them; ``ranked``: the answer
    ids best first. Each vote lists the answers still in play in the order shown.
    """
    votes = []
    remaining = list(shown)
    for winner in ranked[:-1]:
        votes.append(
            new_vote(
                session_id,
                remaining,
                "win",
                winner=winner,
                voter=voter,
                blind=blind,
                category=category,
            )
        )
        remaining = [item for item in remaining if item[0] != winner]
    return votes


Battle = tuple[str, str, float, int]
"""(contestant a, contestant b, a's score: 1 won, 0.5 tied, 0 lost; how many such battles)."""


@dataclass(frozen=True, slots=True)
class Tally:
    """``count`` votes alike: same contestants in the same order, same outcome and winner's place
    (what the store counts in SQL, so the leaderboard never loads 100,000 rows one by one)."""

    contestants: tuple[str, ...]
    outcome: Outcome
    winner: int | None
    """The winner's position among ``contestants`` (a win), else ``None``."""
    count: int = 1


def tally(vote: Vote) -> Tally:
    won = vote.answers.index(vote.winner) if vote.winner is not None else None
    return Tally(vote.contestants, vote.outcome, won)


def battles(votes: Iterable[Vote | Tally]) -> Iterator[Battle]:
    """Each vote's pairwise battles: the winner against each other answer, or a tie per pair.

    A contestant against itself (one model shown twice) tells nothing about ratings: skipped.
    """
    for item in votes:
        group = tally(item) if isinstance(item, Vote) else item
        names, count = group.contestants, group.count
        if group.winner is not None:
            first = names[group.winner]
            for index, other in enumerate(names):
                if index != group.winner and other != first:
                    yield (first, other, 1.0, count)
            continue
        for left in range(len(names)):
            for right in range(left + 1, len(names)):
                if names[left] != names[right]:
                    yield (names[left], names[right], 0.5, count)
