"""A blind round: one prompt's answers labelled A, B, C... in a random order until the vote.

UI-free: the workspace asks it for each answer's label and order, hands it the person's verdict,
and gets back the vote to store (blind, the answers in the order shown) and the names to reveal.
"""

from __future__ import annotations

import random
import string
from collections.abc import Mapping, Sequence

from orchestrator_tui.core.arena.votes import Outcome, Vote, new_vote


class BlindRound:
    def __init__(self, models: Sequence[str], rng: random.Random | None = None) -> None:
        order = list(dict.fromkeys(models))
        (rng or random.Random()).shuffle(order)
        self.order = order
        """The models in the order their answers are shown (A first)."""
        self.labels = {model: string.ascii_uppercase[i % 26] for i, model in enumerate(order)}
        self.revealed = False

    def title(self, model: str) -> str:
        return f"Answer {self.labels[model]}"

    def model_for(self, label: str) -> str | None:
        """The model behind ``A`` (any case), ``None`` if no answer has that label."""
        wanted = label.strip().upper().removeprefix("ANSWER ").strip()
        return next((m for m, mark in self.labels.items() if mark == wanted), None)

    def vote(
        self,
        session_id: str,
        answers: Mapping[str, str],
        outcome: Outcome,
        winner: str | None = None,
        category: str | None = None,
    ) -> Vote:
        """The person's blind vote: ``answers`` maps each model to its answer's id; ``winner``
        is a model (for a win). The round is revealed from now on."""
        shown = [(answers[m], m) for m in self.order if m in answers]
        won = answers[winner] if winner is not None else None
        self.revealed = True
        return new_vote(session_id, shown, outcome, winner=won, blind=True, category=category)

    def reveal_text(self) -> str:
        """``A was mock:echo · B was mock:lorem``."""
        return " · ".join(f"{self.labels[m]} was {m}" for m in self.order)
