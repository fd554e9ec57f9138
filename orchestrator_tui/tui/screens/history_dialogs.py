"""Small dialogs of the history: rename, confirm a deletion, choose an export's format and file."""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar, Literal

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select

from orchestrator_tui.core.text import terminal_safe
from orchestrator_tui.store.export import EXPORTERS
from orchestrator_tui.tui import safe


class _Dialog(ModalScreen[Any]):
    CSS_PATH = Path(__file__).with_name("history.tcss")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="history.dialog.cancel")
    ]

    def action_cancel(self) -> None:
        self.dismiss(None)


class RenameDialog(_Dialog):
    """Asks for a new title; dismisses with it, or ``None``."""

    def __init__(self, title: str) -> None:
        super().__init__()
        self.current = title

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("Rename session")
            # An imported title may hold control characters: they are edited as their symbols.
            yield Input(terminal_safe(self.current), id="rename-input", select_on_focus=True)

    @on(Input.Submitted)
    def _done(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip() or None)


class ConfirmDialog(_Dialog):
    """A yes/no question; dismisses with ``True`` only on yes.

    Enter presses the button that has focus: ``yes`` for what can be undone (a deletion to the
    trash), ``Cancel`` otherwise (``enter_confirms=False``), so a reflex Enter never loses data.
    """

    def __init__(
        self,
        question: str,
        yes: str = "Delete",
        *,
        enter_confirms: bool = False,
        variant: Literal["error", "primary"] = "error",
    ) -> None:
        super().__init__()
        self.question, self.yes, self.enter_confirms = question, yes, enter_confirms
        self.variant = variant
        """The yes button's colour: ``error`` for what destroys, ``primary`` for what spends."""

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(safe.content(self.question))
            with Horizontal(classes="buttons"):
                yield Button(self.yes, variant=self.variant, id="yes")
                yield Button("Cancel", id="no")

    def on_mount(self) -> None:
        self.query_one("#yes" if self.enter_confirms else "#no").focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")


class ExportDialog(_Dialog):
    """Format and file name; dismisses with ``(format, path)`` or ``None``."""

    def __init__(self, stem: str, folder: Path) -> None:
        super().__init__()
        self.stem, self.folder = stem, folder

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("Export session")
            yield Select(
                [(name, name) for name in EXPORTERS],
                value="markdown",
                allow_blank=False,
                id="export-format",
            )
            yield Input(str(self.folder / f"{self.stem}.md"), id="export-path")
            with Horizontal(classes="buttons"):
                yield Button("Export", variant="primary", id="export")
                yield Button("Cancel", id="cancel")

    @on(Select.Changed, "#export-format")
    def _format_changed(self, event: Select.Changed) -> None:
        path = self.query_one("#export-path", Input)
        path.value = str(Path(path.value).with_suffix(EXPORTERS[str(event.value)].suffix))

    @on(Input.Submitted)
    @on(Button.Pressed, "#export")
    def _export(self) -> None:
        fmt = str(self.query_one("#export-format", Select).value)
        self.dismiss((fmt, Path(self.query_one("#export-path", Input).value).expanduser()))

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.dismiss(None)
