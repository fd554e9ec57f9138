"""Follows one item's run and turns its events into the item's outcome.

It is a run listener, so it hears ``RunStarted`` and ``RunFinished`` right after the recorder
does, with no await in between: what it hands the queue lands in the same transaction.
"""

from __future__ import annotations

from collections.abc import Callable

from orchestrator_tui.core.batch.model import BatchItem, ItemOutcome, Turn
from orchestrator_tui.core.chains.engine import final_output
from orchestrator_tui.core.chains.model import Chain
from orchestrator_tui.core.events import (
    ResponseEnded,
    ResponseStarted,
    RunEvent,
    RunFinished,
    RunStarted,
    StepFinished,
)

Started = Callable[[BatchItem, str], None]
Finished = Callable[[BatchItem, ItemOutcome], None]


class ItemTracker:
    def __init__(
        self,
        item: BatchItem,
        chain: Chain,
        started: Started | None = None,
        finished: Finished | None = None,
        *,
        prior: list[Turn] | None = None,
    ) -> None:
        """``prior``: turns an earlier attempt completed, which this run goes on from."""
        self.item = item
        self.chain = chain
        self.outcome: ItemOutcome | None = None
        """Set when the run completed or failed; ``None`` when it was cancelled."""
        self.turns: list[Turn] = list(prior or ())
        self._started = started
        self._finished = finished
        self._session_id: str | None = None
        self._steps: dict[str, StepFinished] = {}
        self._roles: dict[str, tuple[str | None, str]] = {}

    def cut_short(self, since: int = 0) -> ItemOutcome | None:
        """This attempt as an ``interrupted`` one (its turns from ``since`` on), if it started."""
        if self._session_id is None:
            return None
        return ItemOutcome("interrupted", self._session_id, turns=tuple(self.turns[since:]))

    def __call__(self, event: RunEvent) -> None:
        match event:
            case RunStarted():
                self._session_id = event.session_id
                if self._started is not None:
                    self._started(self.item, event.session_id)
            case ResponseStarted():
                self._roles[event.response_id] = (event.step_id, event.role)
            case ResponseEnded():
                step_id, role = self._roles.pop(event.response_id, (None, "response"))
                self.turns.append(
                    Turn(
                        event.response_id,
                        step_id,
                        role,
                        event.model,
                        event.status,
                        event.text,
                        event.usage.input_tokens or 0,
                        event.usage.output_tokens or 0,
                        event.cost,
                    )
                )
            case StepFinished():
                self._steps[event.step_id] = event
            case RunFinished(status="cancelled"):
                return  # the item stays queued: it runs again on resume
            case RunFinished():
                self.outcome = self._outcome(event)
                if self._finished is not None:
                    self._finished(self.item, self.outcome)

    def _outcome(self, event: RunFinished) -> ItemOutcome:
        answer = final_output(self.chain, self._steps)
        details = dict(answer.details) if answer else {}
        failed = next((s for s in self._steps.values() if s.status == "failed"), None)
        error = event.error or (f"{failed.step_id}: {failed.error}" if failed else None)
        costs = [t.cost for t in self.turns]
        quality = details.get("quality")
        return ItemOutcome(
            "done" if event.status == "completed" else "failed",
            self._session_id,
            answer.output if answer else "",
            answer.score if answer else None,
            float(quality) if isinstance(quality, int | float) else None,
            details,
            sum(t.input_tokens for t in self.turns),
            sum(t.output_tokens for t in self.turns),
            sum(c for c in costs if c is not None) if any(c is not None for c in costs) else None,
            error if event.status != "completed" else None,
            tuple(self.turns),
            answer.kind if answer else None,
        )
