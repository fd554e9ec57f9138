"""The chain editor's step list: one item per step, kind, models and condition at a glance."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.content import Content
from textual.widgets import ListItem, Static

from orchestrator_tui.core.text import terminal_safe


def step_label(number: int, summary: tuple[str, str, str, str], invalid: bool) -> Content:
    step_id, kind, models, when = (terminal_safe(part) for part in summary)  # a file's words
    parts: list[tuple[str, str] | str] = [
        (f"{number}. {step_id}", "bold $text-error" if invalid else "bold"),
        (f"  {kind}", "$text-accent"),
    ]
    if models:
        parts.append((f"\n   {models}", "$text-muted"))
    if when:
        parts.append((f"\n   when {when}", "$text-warning"))
    return Content.assemble(*parts)


class StepItem(ListItem):
    """One step; ``show`` redraws it after an edit without rebuilding the list."""

    def __init__(self, label: Content) -> None:
        super().__init__()
        self._label = label

    def compose(self) -> ComposeResult:
        yield Static(self._label)

    def show(self, label: Content) -> None:
        self._label = label
        self.query_one(Static).update(label)
