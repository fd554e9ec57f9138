"""Asks what a new chain should do and which model writes it (the chain editor's F7)."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label


class DraftDialog(ModalScreen[tuple[str, str] | None]):
    """Dismisses with ``(description, model)`` on Enter in either field, or ``None`` on Escape."""

    CSS_PATH = Path(__file__).with_name("chain_draft.tcss")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="chain_draft.cancel")
    ]

    def __init__(self, model: str = "") -> None:
        super().__init__()
        self.model = model

    def compose(self) -> ComposeResult:
        with Vertical(id="draft"):
            yield Label("Write a chain from a sentence")
            yield Input(placeholder="draft with one model, have another critique…", id="draft-what")
            yield Input(self.model, placeholder="the model that writes it", id="draft-model")

    @on(Input.Submitted)
    def _submitted(self) -> None:
        what = self.query_one("#draft-what", Input).value.strip()
        model = self.query_one("#draft-model", Input).value.strip()
        if not what:
            self.query_one("#draft-what", Input).focus()
        elif not model:
            self.query_one("#draft-model", Input).focus()
        else:
            self.dismiss((what, model))

    def action_cancel(self) -> None:
        """Close without drafting."""
        self.dismiss(None)
