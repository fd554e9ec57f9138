"""Blind mode in the workspace: answers labelled A, B, C... in a random order, every tell hidden
until the person votes; the vote (a winner, a tie, or all bad) is stored and reveals the names.

Hidden during a round: model names (pane titles are labels), cost, tokens, time to first token,
latency, provider error wording (the pane says only that the answer failed), the model list (the
sidebar collapses) and today's spend. The round's logic is ``core.arena.blind.BlindRound``; this
module only draws it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from orchestrator_tui.core.arena.blind import BlindRound

if TYPE_CHECKING:
    from orchestrator_tui.core.arena.votes import Outcome
    from orchestrator_tui.tui.screens.workspace import WorkspaceScreen

VOTE_WORDS: dict[str, Outcome] = {"tie": "tie", "bad": "all_bad", "all-bad": "all_bad"}
HOW = "vote with v on the best pane, t for a tie, a if all are bad (or /vote A, /vote tie)"


class BlindMode:
    def __init__(self, screen: WorkspaceScreen, on: bool = False) -> None:
        self.screen = screen
        self.on = on
        self.round: BlindRound | None = None

    @property
    def hiding(self) -> bool:
        """A round is on screen and not yet voted on."""
        return self.round is not None and not self.round.revealed

    def toggle(self, argument: str = "") -> str:
        word = argument.strip().lower()
        self.on = {"on": True, "off": False}.get(word, not self.on)
        if self.on:
            return f"Blind mode on: the next answers are labelled A, B, C… until you vote; {HOW}"
        return "Blind mode off: the next answers show their models"

    async def start(self, models: list[str]) -> None:
        """Show the panes of a new prompt's answers, shuffled and labelled."""
        grid = self.screen.grid
        self.round = BlindRound(models)
        await grid.show([])
        panes = await grid.show([(m, self.round.title(m)) for m in self.round.order])
        for pane in panes:
            pane.hide_identity()
        self.screen.action_toggle_models(show=False)

    async def vote(self, outcome: Outcome, winner: str | None = None) -> None:
        """Store the person's verdict on the round shown, then reveal who wrote what."""
        screen, blind = self.screen, self.round
        if blind is None or blind.revealed:
            screen.notify("No blind round to vote on", severity="warning")
            return
        answers = {m: a for m, a in screen.session.answers.items() if m in blind.labels}
        if any(a.ended is None for a in answers.values()) or len(answers) < 2:
            screen.notify("Wait for every answer before voting", severity="warning")
            return
        session_id = screen.session.conversation.session_id
        ids = {m: a.response_id for m, a in answers.items()}
        vote = blind.vote(session_id, ids, outcome, winner)
        await screen.services.recorder.flush()  # the answers' rows first
        await screen.services.sessions.add_votes([vote])
        for pane in screen.grid.panes():
            if pane.name in blind.labels:
                pane.reveal(pane.model)
        verdict = {"win": "Voted", "tie": "Voted a tie", "all_bad": "Voted all bad"}[outcome]
        screen.notify(f"{verdict}. {blind.reveal_text()}", markup=False)
        screen.show_spend()

    async def command(self, argument: str) -> bool:
        """``/vote A``, ``/vote tie``, ``/vote bad``; ``False`` for a word that is none of them."""
        word = argument.strip().lower()
        if word in VOTE_WORDS:
            await self.vote(VOTE_WORDS[word])
            return True
        model = self.round.model_for(word) if self.round is not None else None
        if model is None:
            self.screen.notify(f"Vote how? {HOW}", severity="warning")
            return False
        await self.vote("win", model)
        return True
