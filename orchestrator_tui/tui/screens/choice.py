"""Pick one item from a short list (which model synthesizes, which chain to open)."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from orchestrator_tui.tui import safe


class ChoiceDialog(ModalScreen[str | None]):
    """Dismisses with the chosen value (Enter or a click), or ``None`` on Escape."""

    CSS_PATH = Path(__file__).with_name("choice.tcss")
    ACTION_HELP: ClassVar[dict[str, str]] = {"cancel": "Close without choosing"}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="choice.cancel")
    ]

    def __init__(self, question: str, choices: list[tuple[str, str]]) -> None:
        """``choices`` are ``(value, label)`` pairs, shown in this order, the first highlighted."""
        super().__init__()
        self.question = question
        self.choices = choices

    def compose(self) -> ComposeResult:
        with Vertical(id="choice"):
            yield Label(safe.content(self.question))
            yield OptionList(  # model and chain names come from the user's files: shown safe
                *(Option(safe.content(label), id=value) for value, label in self.choices),
                id="choices",
            )

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.highlighted = 0 if self.choices else None
        options.focus()

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        """Close without choosing."""
        self.dismiss(None)
