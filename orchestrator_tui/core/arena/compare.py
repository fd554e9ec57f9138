"""Contestants over a question set: a model alone or a whole chain answers each input, and a judge
compares the two answers in both orders, so "does this orchestration pay for its cost here?"
has an answer in votes, cost and wins.

A contestant named ``chain:NAME`` runs that chain with the input's fields as its inputs (its
answer is the chain's output); any other name is a model, asked the input's ``question`` (or
``prompt``, or its only field). Each answer is an ordinary recorded run, and the judge's verdicts
are votes (voter: the judge) between the contestants' names.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from orchestrator_tui.core.arena.judge import Comparison, Contender, Judgement
from orchestrator_tui.core.conversation import Conversation
from orchestrator_tui.core.events import StepFinished

if TYPE_CHECKING:
    from orchestrator_tui.core.chains.model import Chain, Persona
    from orchestrator_tui.core.orchestrator import Orchestrator
    from orchestrator_tui.core.run import Run

CHAIN_PREFIX = "chain:"


class InputError(ValueError):
    """An input line a model contestant cannot be asked (no question in it)."""


@dataclass(frozen=True, slots=True)
class Entry:
    """One contestant's answer to one input: what the judge sees and what it cost."""

    contestant: str
    session_id: str
    answer_id: str | None
    text: str
    cost: float | None
    ok: bool


@dataclass(slots=True)
class Tally:
    """One contestant's record over the question set."""

    answers: int = 0
    failed: int = 0
    wins: int = 0
    ties: int = 0
    losses: int = 0
    cost: float = 0.0
    unpriced: int = 0

    def answered(self, entry: Entry) -> None:
        self.answers += 1
        self.failed += not entry.ok
        if entry.cost is None:
            self.unpriced += 1
        else:
            self.cost += entry.cost

    def as_dict(self) -> dict[str, object]:
        return {
            "answers": self.answers,
            "failed": self.failed,
            "wins": self.wins,
            "ties": self.ties,
            "losses": self.losses,
            "cost": round(self.cost, 6),
            "unpriced_runs": self.unpriced,
        }


def settle(first: Tally, second: Tally, first_answer: str, judgements: list[Judgement]) -> None:
    """One input's verdict: the first contestant wins it with more than half the points of the
    judgements reached (a tie counts half), loses it with less; exactly half is a tie."""
    reached = [j for j in judgements if j.verdict is not None]
    if not reached:
        return
    points = sum(0.5 if j.verdict == "TIE" else float(j.winner == first_answer) for j in reached)
    if points * 2 > len(reached):
        first.wins, second.losses = first.wins + 1, second.losses + 1
    elif points * 2 < len(reached):
        first.losses, second.wins = first.losses + 1, second.wins + 1
    else:
        first.ties, second.ties = first.ties + 1, second.ties + 1


def question_of(item: Mapping[str, str]) -> str:
    for key in ("question", "prompt"):
        if item.get(key):
            return item[key]
    if len(item) == 1:
        return next(iter(item.values()))
    raise InputError("give each line a 'question' (or 'prompt') field for a model contestant")


async def answer(
    orchestrator: Orchestrator,
    contestant: str,
    item: Mapping[str, str],
    chain: Chain | None,
    personas: Mapping[str, Persona] | None = None,
) -> Entry:
    """Run one contestant on one input and wait for its answer."""
    if chain is None:
        run = orchestrator.fan_out(question_of(item), [contestant], conversation=Conversation())
        await run.follow()
        ended = list(run.results.values())
        final = ended[-1] if ended else None
        ok = final is not None and final.status == "ok"
        text = final.text if final else ""
        answer_id = final.response_id if final else None
        return Entry(contestant, run.session_id, answer_id, text, _cost(run), ok)
    from orchestrator_tui.core.chains.engine import final_output, start_chain

    run = start_chain(orchestrator, chain, item, personas=personas)
    finished: dict[str, StepFinished] = {}

    def keep(event: object) -> None:
        if isinstance(event, StepFinished):
            finished[event.step_id] = event

    await run.follow(keep)
    out = final_output(chain, finished)
    text = out.output if out is not None and out.status == "ok" else ""
    found = [e for e in run.results.values() if text and e.text == text]
    answer_id = found[-1].response_id if found else None
    return Entry(contestant, run.session_id, answer_id, text, _cost(run), bool(answer_id))


def comparison(question: str, first: Entry, second: Entry) -> Comparison | None:
    """The two answers as one comparison for the judge (``None`` if either has no answer)."""
    if not (first.ok and second.ok and first.answer_id and second.answer_id):
        return None
    return Comparison(
        first.session_id,
        question,
        (
            Contender(first.answer_id, first.contestant, first.text),
            Contender(second.answer_id, second.contestant, second.text),
        ),
    )


def _cost(run: Run) -> float | None:
    costs = [e.cost for e in run.results.values()]
    if any(c is None for c in costs):
        return None
    return sum(c for c in costs if c is not None)
