"""Asks for a chain's inputs before it runs; dismisses with the values, or ``None`` on cancel."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label

from orchestrator_tui.core.chains.model import ChainInput
from orchestrator_tui.tui import safe


class ChainInputsScreen(ModalScreen[dict[str, str] | None]):
    CSS_PATH = Path(__file__).with_name("chain_inputs.tcss")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="chain_inputs.cancel"),
    ]

    def __init__(self, title: str, inputs: Sequence[ChainInput]) -> None:
        super().__init__()
        self.title_text = title
        self.inputs = tuple(inputs)

    def compose(self) -> ComposeResult:
        with Vertical(id="inputs-box") as box:
            box.border_title = safe.content(self.title_text)
            for spec in self.inputs:
                yield Label(safe.content(f"{spec.name}  {spec.description}".rstrip()))
                yield Input(spec.default or "", placeholder=spec.name, id=f"input-{spec.name}")
            with Horizontal(id="inputs-buttons"):
                yield Button("Run", variant="primary", id="inputs-run")
                yield Button("Cancel", id="inputs-cancel")

    @on(Input.Submitted)
    @on(Button.Pressed, "#inputs-run")
    def _submit(self) -> None:
        values = {
            spec.name: self.query_one(f"#input-{spec.name}", Input).value for spec in self.inputs
        }
        self.dismiss(values)

    @on(Button.Pressed, "#inputs-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
