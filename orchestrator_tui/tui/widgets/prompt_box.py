"""The prompt: multi-line, Enter sends, alt+Enter / ctrl+j / shift+Enter break the line, Tab
completes /commands and the file path after /attach, Up and Down in an empty box bring back
earlier prompts.

Its keys are handled in the box's own queue of key events, in the order they were typed: a
priority binding would run at the app as soon as Enter arrives, before the characters typed
just ahead of it had reached the box, and a fast burst (a paste over SSH, a text expander) was
split in two.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from textual import events
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import TextArea

from orchestrator_tui.tui import slash

PLACEHOLDER = "Ask every selected model  (Enter sends · ctrl+j newline · ↑ recall · /help)"
OWN_ACTIONS = ("send", "newline", "complete", "earlier", "later")
ATTACH = "/attach "


class PromptBox(TextArea):
    HELP = """Enter sends to every selected model; ctrl+j, alt+Enter or shift+Enter start a new
line. A prompt sent while answers stream waits its turn. Up in the empty box brings back
earlier prompts; Tab completes /commands."""
    ACTION_HELP: ClassVar[dict[str, str]] = {
        "send": "Send the prompt to every selected model",
        "newline": "Start a new line in the prompt",
        "complete": "Complete the /command being typed",
        "earlier": "In the empty box: the prompt before (or the one waiting to be sent)",
        "later": "While going through earlier prompts: the next one",
    }
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "send", "Send", id="prompt.send"),
        Binding(
            "alt+enter,ctrl+j,shift+enter", "newline", "New line", id="prompt.newline", show=False
        ),
        Binding("tab", "complete", "Complete", id="prompt.complete", show=False),
        Binding("up", "earlier", "Earlier prompt", id="prompt.earlier", show=False),
        Binding("down", "later", "Later prompt", id="prompt.later", show=False),
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
            placeholder=PLACEHOLDER,
        )
        # A blinking cursor redraws the box twice a second, idle or not, and while answers
        # stream it widens every frame's update to the bottom of the screen (a tenth of the CPU).
        self.cursor_blink = False
        self._hint: list[str] = []
        self.earlier: list[str] = []
        """Earlier prompts, oldest first (the workspace loads and keeps them)."""
        self.take_back: Callable[[], str | None] = lambda: None
        """Gives back the newest prompt still waiting to be sent (Up in an empty box asks it first)."""
        self._recalled: int | None = None
        """Which entry of ``earlier`` the box shows, while it is shown unchanged."""

    async def _on_key(self, event: events.Key) -> None:
        for binding in self._bindings.key_to_bindings.get(event.key, ()):
            if binding.action in OWN_ACTIONS:
                event.stop()
                event.prevent_default()
                await self.run_action(binding.action)
                return

    def action_send(self) -> None:
        text = self.text
        if not text.strip():
            return
        if not self.earlier or self.earlier[-1] != text:
            self.earlier.append(text)
        self.clear()
        self._recalled = None
        self.post_message(self.Submitted(text))

    def restore(self, text: str) -> None:
        """Put back a prompt that was not sent, ahead of anything typed since."""
        typed = self.text
        self.text = f"{text}\n{typed}" if typed.strip() else text
        self.move_cursor(self.document.end)

    def action_newline(self) -> None:
        self.insert("\n")

    def action_complete(self) -> None:
        """Tab: a /command's name, the file path after /attach, or else the next pane."""
        if self.text.startswith(ATTACH) and "\n" not in self.text:
            self._complete_path(self.text[len(ATTACH) :])
            return
        completed = slash.complete(self.text)
        if completed is None:
            self.screen.focus_next()
            return
        self.text = completed
        self.move_cursor(self.document.end)

    def _complete_path(self, typed: str) -> None:
        from orchestrator_tui.core.attachments import complete_path

        found = complete_path(typed)
        if found.text != typed:
            self.text = ATTACH + found.text
            self.move_cursor(self.document.end)
        elif found.choices:
            shown = "  ".join(found.choices[:12]) + ("  …" if len(found.choices) > 12 else "")
            self.app.notify(shown, title="Files that match", timeout=4, markup=False)

    def action_earlier(self) -> None:
        """Up: move the cursor, or in an empty box (or one showing a recalled prompt) go back."""
        if not self._recalling():
            self.action_cursor_up()
            return
        waiting = self.take_back() if self._recalled is None else None
        if waiting is not None:
            self._show(waiting, None)
            return
        index = len(self.earlier) if self._recalled is None else self._recalled
        if index > 0:
            self._show(self.earlier[index - 1], index - 1)

    def action_later(self) -> None:
        """Down: move the cursor, or while recalling go forward (past the newest: empty)."""
        if self._recalled is None or not self._recalling():
            self.action_cursor_down()
            return
        index = self._recalled + 1
        self._show(self.earlier[index] if index < len(self.earlier) else "", index)
        if index >= len(self.earlier):
            self._recalled = None

    def _recalling(self) -> bool:
        if not self.text:
            return True
        recalled = self._recalled
        return (
            recalled is not None
            and recalled < len(self.earlier)
            and (self.earlier[recalled] == self.text)
        )

    def _show(self, text: str, index: int | None) -> None:
        self.text = text
        self._recalled = index
        self.move_cursor(self.document.end)

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        names = slash.matches(self.text)
        if names != self._hint:
            self._hint = names
            self.post_message(self.HintChanged(names))
