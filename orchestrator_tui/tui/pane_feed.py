"""Routes a run's events to the panes that show them; the hot path of the workspace."""

from __future__ import annotations

from orchestrator_tui.core.events import (
    AttemptFailed,
    ContextCompacted,
    ResponseEnded,
    ResponseStarted,
    ReviewReady,
    RunEvent,
    TextDelta,
)
from orchestrator_tui.core.run import Run
from orchestrator_tui.tui.widgets.response_grid import ResponseGrid
from orchestrator_tui.tui.widgets.response_pane import ResponsePane

SYNTHESIS = "synthesis"


class PaneFeed:
    """One per run. ``prompt`` is shown above each new answer (below the earlier exchanges of a
    ``follow_up``); a ``retry`` replaces each pane's last answer and keeps those before it."""

    def __init__(
        self,
        run: Run,
        grid: ResponseGrid,
        prompt: str | None = None,
        *,
        retry: bool = False,
        follow_up: bool = False,
    ) -> None:
        self.run = run
        self.grid = grid
        self.prompt = prompt
        self.retry = retry
        self.follow_up = follow_up
        self.responses: dict[str, ResponsePane] = {}

    def handle(self, event: RunEvent) -> None:
        match event:
            case TextDelta(response_id=rid, text=text):
                pane = self.responses.get(rid)
                if pane is not None:
                    pane.append(text)
            case ResponseStarted(role="response" | "synthesis" as role):
                key = SYNTHESIS if role == "synthesis" else event.model
                pane = self.grid.pane(key)
                if pane is not None:
                    self.responses[event.response_id] = pane
                    pane.start(
                        event.response_id, self.prompt, retry=self.retry, follow_up=self.follow_up
                    )
            case ContextCompacted():
                pane = self.grid.pane(event.model)
                if pane is not None:
                    pane.compacted(event.note)
            case AttemptFailed():
                pane = self.responses.get(event.response_id)
                if pane is not None:
                    pane.attempt_failed(event)
            case ResponseEnded():
                pane = self.responses.get(event.response_id)
                if pane is not None and pane.response_id == event.response_id:
                    pane.end(event)
            case ReviewReady():
                pane = next(
                    (p for p in self.grid.panes() if p.response_id == event.target_id), None
                )
                if pane is not None:
                    pane.reviewed(event)

    def cancel(self, pane: ResponsePane) -> bool:
        """Cancel ``pane``'s answer if this run is producing it."""
        rid = pane.response_id
        return rid is not None and self.responses.get(rid) is pane and self.run.cancel(rid)
