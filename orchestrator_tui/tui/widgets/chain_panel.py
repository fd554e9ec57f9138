"""What the next prompt will run: plain "compare" fan-out, or the steps of a loaded chain."""

from __future__ import annotations

from collections.abc import Sequence

from textual.content import Content
from textual.widgets import Static

from orchestrator_tui.core.text import terminal_safe


class ChainPanel(Static):
    """``show_compare`` for fan-out; ``show_steps`` with ``(step id, kind)`` pairs for a chain."""

    def on_mount(self) -> None:
        self.border_title = "Chain"

    def show_compare(self, models: Sequence[str]) -> None:
        count = len(models)
        noun = "model" if count == 1 else "models"
        self.update(
            Content.assemble(
                ("compare", "bold"), (f"\none prompt → {count} {noun} in parallel", "$text-muted")
            )
        )

    def show_steps(self, name: str, steps: Sequence[tuple[str, str]]) -> None:
        lines: list[Content | str | tuple[str, str]] = [(terminal_safe(name), "bold")]
        for number, (step_id, kind) in enumerate(steps, 1):
            lines.append((f"\n{number}. {terminal_safe(step_id)}", ""))
            lines.append((f"  {terminal_safe(kind)}", "$text-muted"))
        self.update(Content.assemble(*lines))
