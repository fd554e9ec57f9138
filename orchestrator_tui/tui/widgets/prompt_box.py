"""The prompt: multi-line, Enter sends, alt+Enter or ctrl+j breaks the line, Tab completes /commands."""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import TextArea

from orchestrator_tui.tui import slash


class PromptBox(TextArea):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "send", "Send", id="prompt.send", priority=True),
        Binding("alt+enter,ctrl+j", "newline", "New line", id="prompt.newline", priority=True),
        Binding("tab", "complete", "Complete", id="prompt.complete", show=False, priority=True),
    ]

    class Submitted(Message):
        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    class HintChanged(Message):
        """The slash commands matching what is typed (empty when not typing a command)."""

        def __init__(self, names: list[str]) -> None:
            super().__init__()
            self.names = names

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(
            id=id,
            soft_wrap=True,
            show_line_numbers=False,
            tab_behavior="focus",
            placeholder="Ask every selected model…  (Enter sends · alt+Enter new line · /help)",
        )
        self._hint: list[str] = []

    def action_send(self) -> None:
        text = self.text
        if not text.strip():
            return
        self.post_message(self.Submitted(text))
        self.clear()

    def action_newline(self) -> None:
        self.insert("\n")

    def action_complete(self) -> None:
        completed = slash.complete(self.text)
        if completed is None:
            self.screen.focus_next()
            return
        self.text = completed
        self.move_cursor(self.document.end)

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        names = slash.matches(self.text)
        if names != self._hint:
            self._hint = names
            self.post_message(self.HintChanged(names))
