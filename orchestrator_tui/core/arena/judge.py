"""A judge model compares answers two at a time, each pair in both orders.

The judge sees the question and two answers labelled A and B, never their models, and must end
its reply with one line, ``VERDICT: A``, ``VERDICT: B`` or ``VERDICT: TIE``; anything else is a
failed judgement (never a guess). Asking twice with the order swapped exposes position bias: a
judge that prefers whatever comes first gives opposite verdicts for the same pair. Its
*consistency* is the share of pairs with the same verdict both ways; its *agreement* is the
share of the person's own pairwise verdicts it matches (over the pairs it judged consistently).
A judge never judges an answer of its own model.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Literal

from orchestrator_tui.core.arena.votes import USER, Vote, new_vote
from orchestrator_tui.core.catalog import ModelConfig
from orchestrator_tui.core.conversation import new_id
from orchestrator_tui.core.responder import Responder
from orchestrator_tui.core.run import Run
from orchestrator_tui.core.types import GenerationParams, Message

VERDICT_MARK = "VERDICT:"
PAIR_SYSTEM = (
    "You are a strict, fair judge. Two assistants answered the same question. Decide which answer "
    "serves the asker better: correctness first, then completeness and clarity. Ignore the order "
    "the answers are shown in and their length as such. Explain briefly, then end with one line "
    "exactly: VERDICT: A, VERDICT: B or VERDICT: TIE."
)
_VERDICT = re.compile(r"^\W*verdict:\s*(a|b|tie)\W*$", re.IGNORECASE)
PairVerdict = Literal["A", "B", "TIE"]


class JudgementError(ValueError):
    """The judge's reply did not end with a verdict line."""


@dataclass(frozen=True, slots=True)
class Contender:
    """An answer in the arena: its interaction id, who wrote it (a model or a chain), its text."""

    answer_id: str
    contestant: str
    text: str


@dataclass(frozen=True, slots=True)
class Comparison:
    """Answers to the same question, to be compared pairwise."""

    session_id: str
    question: str
    answers: tuple[Contender, ...]
    category: str | None = None


@dataclass(frozen=True, slots=True)
class Judgement:
    """One verdict in one order: ``first`` was shown as A. ``verdict`` is ``None`` if it failed."""

    comparison: Comparison
    first: Contender
    second: Contender
    verdict: PairVerdict | None
    judge: str
    error: str | None = None
    response_id: str | None = None

    def vote(self) -> Vote | None:
        if self.verdict is None:
            return None
        shown = [(self.first.answer_id, self.first.contestant)]
        shown.append((self.second.answer_id, self.second.contestant))
        winner = {"A": self.first.answer_id, "B": self.second.answer_id}.get(self.verdict)
        return new_vote(
            self.comparison.session_id,
            shown,
            "tie" if winner is None else "win",
            winner=winner,
            voter=self.judge,
            blind=True,
            category=self.comparison.category,
        )

    @property
    def winner(self) -> str | None:
        """The winning answer's id; ``None`` for a tie (or a failed judgement)."""
        return {"A": self.first.answer_id, "B": self.second.answer_id}.get(self.verdict or "")


def pair_messages(question: str, a: str, b: str) -> list[Message]:
    text = (
        f"## Question\n\n{question}\n\n## Answer A\n\n{a}\n\n## Answer B\n\n{b}\n\n"
        "## Your verdict\n\nWhich answer is better? End with one line: VERDICT: A, VERDICT: B "
        "or VERDICT: TIE."
    )
    return [Message("user", text)]


def parse_pair_verdict(text: str) -> PairVerdict:
    """The verdict on the reply's last non-empty line; anything else raises ``JudgementError``."""
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    found = _VERDICT.match(lines[-1]) if lines else None
    if found is None:
        raise JudgementError("the judge's reply does not end with VERDICT: A, B or TIE")
    return found.group(1).upper()  # type: ignore[return-value]


def pairs_to_judge(comparison: Comparison, judge: str) -> list[tuple[Contender, Contender]]:
    """Every pair of different contestants, in both orders, leaving out the judge's own answers."""
    answers = [a for a in comparison.answers if a.contestant != judge]
    out = []
    for x, y in combinations(answers, 2):
        if x.contestant != y.contestant:
            out += [(x, y), (y, x)]
    return out


async def judge_pair(
    responder: Responder,
    run: Run,
    judge: ModelConfig,
    comparison: Comparison,
    first: Contender,
    second: Contender,
) -> Judgement:
    """Ask ``judge`` once; its reply is recorded as a review of the answer shown first."""
    response_id = new_id()
    ended = await responder.respond(
        run,
        judge,
        pair_messages(comparison.question, first.text, second.text),
        GenerationParams(system=PAIR_SYSTEM, temperature=0),
        response_id=response_id,
        parent_id=first.answer_id,
        role="review",
    )
    made = Judgement(comparison, first, second, None, judge.name, response_id=response_id)
    if ended.status != "ok":
        return _failed(made, ended.error or f"the judgement was {ended.status}")
    try:
        verdict = parse_pair_verdict(ended.text)
    except JudgementError as exc:
        return _failed(made, str(exc))
    return Judgement(comparison, first, second, verdict, judge.name, response_id=response_id)


def _failed(made: Judgement, error: str) -> Judgement:
    return Judgement(
        made.comparison, made.first, made.second, None, made.judge, error, made.response_id
    )


async def judge_comparison(
    responder: Responder, run: Run, judge: ModelConfig, comparison: Comparison, concurrency: int = 4
) -> list[Judgement]:
    """Every pair of ``comparison`` in both orders, ``concurrency`` at a time."""
    gate = asyncio.Semaphore(concurrency)

    async def one(first: Contender, second: Contender) -> Judgement:
        async with gate:
            return await judge_pair(responder, run, judge, comparison, first, second)

    pairs = pairs_to_judge(comparison, judge.name)
    return list(await asyncio.gather(*(one(x, y) for x, y in pairs)))


@dataclass(frozen=True, slots=True)
class JudgeReport:
    """How far a judge can be trusted: consistency across orders, agreement with the person."""

    judge: str
    judgements: int
    failed: int
    pairs: int
    """Pairs judged in both orders (neither failed)."""
    consistent: int
    first_shown_won: int
    """Verdicts (ties aside) that went to the answer shown first: about half for a fair judge."""
    decided: int
    compared_with_user: int
    agreed_with_user: int

    @property
    def consistency(self) -> float | None:
        return self.consistent / self.pairs if self.pairs else None

    @property
    def agreement(self) -> float | None:
        return self.agreed_with_user / self.compared_with_user if self.compared_with_user else None

    @property
    def inconsistent(self) -> bool:
        """Fewer than four pairs in five judged the same both ways."""
        return self.consistency is not None and self.consistency < 0.8

    def as_dict(self) -> dict[str, object]:
        return {
            "judge": self.judge,
            "judgements": self.judgements,
            "failed": self.failed,
            "pairs": self.pairs,
            "consistent": self.consistent,
            "consistency": self.consistency,
            "inconsistent": self.inconsistent,
            "first_shown_won": self.first_shown_won,
            "decided": self.decided,
            "compared_with_user": self.compared_with_user,
            "agreed_with_user": self.agreed_with_user,
            "agreement": self.agreement,
        }


def report(judge: str, judgements: Sequence[Judgement], user_votes: Iterable[Vote]) -> JudgeReport:
    """Consistency over the pairs judged both ways; agreement with the person's pairwise verdicts
    (from their votes on the same answers) over the pairs the judge judged consistently."""
    ok = [j for j in judgements if j.verdict is not None]
    both: dict[frozenset[str], list[Judgement]] = {}
    for j in ok:
        both.setdefault(frozenset((j.first.answer_id, j.second.answer_id)), []).append(j)
    settled: dict[frozenset[str], str | None] = {}
    consistent = 0
    for key, found in both.items():
        if len(found) < 2:
            continue
        if found[0].winner == found[1].winner:
            consistent += 1
            settled[key] = found[0].winner
    pairs = sum(len(found) >= 2 for found in both.values())
    decided = [j for j in ok if j.verdict != "TIE"]
    user = _pairwise(v for v in user_votes if v.voter == USER)
    compared = [key for key in settled if key in user]
    agreed = sum(settled[key] == user[key] for key in compared)
    return JudgeReport(
        judge,
        len(judgements),
        len(judgements) - len(ok),
        pairs,
        consistent,
        sum(j.verdict == "A" for j in decided),
        len(decided),
        len(compared),
        agreed,
    )


def _pairwise(votes: Iterable[Vote]) -> dict[frozenset[str], str | None]:
    """The person's verdict per pair of answers: the winning answer's id, or ``None`` (a tie)."""
    out: dict[frozenset[str], str | None] = {}
    for vote in votes:
        if vote.winner is not None:
            for other in vote.answers:
                if other != vote.winner:
                    out[frozenset((vote.winner, other))] = vote.winner
        else:
            for x, y in combinations(vote.answers, 2):
                out[frozenset((x, y))] = None
    return out
