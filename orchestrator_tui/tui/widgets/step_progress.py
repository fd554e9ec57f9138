"""One chain step in the run view: status, score, and the refine loop's score history as a sparkline."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.content import Content
from textual.widgets import ListItem, Sparkline, Static

from orchestrator_tui.core import display
from orchestrator_tui.core.text import terminal_safe

ICONS = {
    "waiting": ("·", "$text-muted"),
    "running": ("▶", "$text-accent"),
    "ok": ("✓", "$text-success"),
    "failed": ("✗", "$text-error"),
    "skipped": ("-", "$text-muted"),
    "cancelled": ("■", "$text-warning"),
    "budget": ("$", "$text-warning"),
}


class StepProgress(ListItem):
    def __init__(self, step_id: str, kind: str, models: str) -> None:
        super().__init__(id=f"step-{step_id}")
        self.step_id = step_id
        self.kind = kind
        self.models = models
        self.status = "waiting"
        self.scores: list[float | None] = []
        self.output = ""
        self.error: str | None = None
        self.notes = ""

    def compose(self) -> ComposeResult:
        yield Static(self._label(), classes="step-label")
        yield Sparkline([], summary_function=max, classes="step-scores")

    def update_status(
        self, status: str, *, output: str | None = None, error: str | None = None, notes: str = ""
    ) -> None:
        self.status = status
        if output is not None:
            self.output = output
        self.error = error
        self.notes = notes
        self._refresh()

    def add_score(self, score: float | None) -> None:
        self.scores.append(score)
        self._refresh()

    def _refresh(self) -> None:
        self.query_one(".step-label", Static).update(self._label())
        sparkline = self.query_one(Sparkline)
        sparkline.data = [s if s is not None else 0.0 for s in self.scores]
        sparkline.display = len(self.scores) > 1

    def _label(self) -> Content:
        """The step's facts; its models, notes and error quote files and servers: made safe."""
        icon, style = ICONS[self.status]
        parts: list[tuple[str, str] | str] = [
            (f"{icon} ", style),
            (terminal_safe(self.step_id), "bold"),
            (f"  {self.kind}", "$text-accent"),
            (f"  {self.status}", style),
        ]
        if self.scores:
            shown = " ".join("✗" if s is None else display.score(s) for s in self.scores[-5:])
            parts.append((f"\n  scores {shown}", ""))
        parts.append((f"\n  {terminal_safe(self.models)}", "$text-muted"))
        if self.notes:
            parts.append((f"\n  {terminal_safe(self.notes)}", "$text-muted"))
        if self.error:
            parts.append((f"\n  {terminal_safe(self.error)}", "$text-error"))
        return Content.assemble(*parts)
