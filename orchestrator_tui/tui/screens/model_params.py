"""A small dialog for one model's temperature, max tokens and system prompt."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.validation import Integer, Number
from textual.widgets import Button, Input, Label, TextArea

from orchestrator_tui.core.types import GenerationParams


class ModelParamsScreen(ModalScreen[GenerationParams | None]):
    """Dismissed with the new parameters, or ``None`` when cancelled; empty fields mean default."""

    CSS_PATH = Path(__file__).with_name("model_params.tcss")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="params.cancel"),
        Binding("ctrl+s", "save", "Save", id="params.save"),
    ]

    def __init__(self, model: str, params: GenerationParams | None) -> None:
        super().__init__()
        self.model = model
        self.params = params or GenerationParams()

    def compose(self) -> ComposeResult:
        p = self.params
        with Vertical(id="dialog") as dialog:
            dialog.border_title = f"Parameters of {self.model}"
            yield Label("Temperature (0—2, empty = provider default)")
            yield Input(
                "" if p.temperature is None else f"{p.temperature:g}",
                id="temperature",
                validators=[Number(minimum=0, maximum=2)],
            )
            yield Label("Max tokens (empty = provider default)")
            yield Input(
                "" if p.max_tokens is None else str(p.max_tokens),
                id="max_tokens",
                validators=[Integer(minimum=1)],
            )
            yield Label("System prompt (overrides /system for this model)")
            yield TextArea(p.system or "", id="system", soft_wrap=True)
            with Horizontal(id="buttons"):
                yield Button("Save", variant="primary", id="save")
                yield Button("Cancel", id="cancel")

    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        inputs = [self.query_one("#temperature", Input), self.query_one("#max_tokens", Input)]
        for field in inputs:
            if field.value.strip() and not field.validate(field.value).is_valid:
                field.focus()
                self.notify(f"{field.id.replace('_', ' ')}: not a valid value", severity="error")
                return
        temperature, max_tokens = (field.value.strip() for field in inputs)
        system = self.query_one("#system", TextArea).text.strip()
        self.dismiss(
            GenerationParams(
                temperature=float(temperature) if temperature else None,
                max_tokens=int(max_tokens) if max_tokens else None,
                system=system or None,
            )
        )

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
