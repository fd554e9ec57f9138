"""A small dialog for one model's temperature, max tokens, persona and system prompt."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.validation import Integer, Number
from textual.widgets import Button, Input, Label, Select, Static, TextArea

from orchestrator_tui.core.session import ModelSettings
from orchestrator_tui.core.types import GenerationParams
from orchestrator_tui.tui import safe

if TYPE_CHECKING:
    from orchestrator_tui.core.chains.model import Persona


class ModelParamsScreen(ModalScreen[ModelSettings | None]):
    """Dismissed with the new settings, or ``None`` when cancelled; empty fields mean default.

    The persona's system prompt comes first, then the one typed here, as in a chain step.
    """

    CSS_PATH = Path(__file__).with_name("model_params.tcss")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="params.cancel"),
        Binding("ctrl+s", "save", "Save", id="params.save"),
    ]

    def __init__(
        self,
        model: str,
        settings: ModelSettings | None,
        personas: Mapping[str, Persona] | None = None,
        warnings: Sequence[str] = (),
    ) -> None:
        super().__init__()
        self.model = model
        self.settings = settings or ModelSettings()
        self.personas = personas or {}
        self.warnings = warnings
        """Problems with the user's personas file, shown under the list."""

    def compose(self) -> ComposeResult:
        p, chosen = self.settings.params, self.settings.persona
        with VerticalScroll(id="dialog", can_focus=False) as dialog:
            dialog.border_title = safe.content(f"Parameters of {self.model}")
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
            yield Label("Persona (its system prompt comes first)")
            yield Select(
                [(_label(persona), name) for name, persona in sorted(self.personas.items())],
                prompt="none",
                value=chosen if chosen in self.personas else Select.NULL,
                id="persona",
            )
            yield Static("", id="persona-system")
            if self.warnings:
                yield Static(safe.content("\n".join(self.warnings)), id="persona-warnings")
            yield Label("System prompt (added after the persona's; overrides /system)")
            yield TextArea(self.settings.own_system or "", id="system", soft_wrap=True)
            with Horizontal(id="buttons"):
                yield Button("Save", variant="primary", id="save")
                yield Button("Cancel", id="cancel")

    @on(Select.Changed, "#persona")
    def _persona_chosen(self, event: Select.Changed) -> None:
        persona = self.personas.get(event.value) if isinstance(event.value, str) else None
        shown = self.query_one("#persona-system", Static)
        shown.update(safe.content(persona.system) if persona else "")
        shown.display = persona is not None

    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        inputs = [self.query_one("#temperature", Input), self.query_one("#max_tokens", Input)]
        for field in inputs:
            checked = field.validate(field.value) if field.value.strip() else None
            if checked is not None and not checked.is_valid:
                field.focus()
                name = (field.id or "value").replace("_", " ")
                self.notify(f"{name}: not a valid value", severity="error")
                return
        temperature, max_tokens = (field.value.strip() for field in inputs)
        value = self.query_one("#persona", Select).value
        persona = self.personas.get(value) if isinstance(value, str) else None
        own = self.query_one("#system", TextArea).text.strip() or None
        parts = [persona.system.strip() if persona else "", own or ""]
        self.dismiss(
            ModelSettings(
                GenerationParams(
                    temperature=float(temperature) if temperature else None,
                    max_tokens=int(max_tokens) if max_tokens else None,
                    system="\n\n".join(part for part in parts if part) or None,
                ),
                persona.name if persona else None,
                own,
            )
        )

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


def _label(persona: Persona) -> Text:
    """``critic — Finds the weakest points first`` (roles say so), as plain text (a Rich ``Text``:
    the list's type-to-search reads only those)."""
    text = persona.name + (" (role)" if persona.kind == "role" else "")
    if persona.description:
        text += f" — {persona.description}"
    return safe.text(text)
