"""The footer of main keys, drawn with the rest of its screen instead of a frame later."""

from __future__ import annotations

from textual.screen import Screen
from textual.widgets import Footer


class KeysFooter(Footer):
    """Textual's ``Footer``, recomposed as soon as the screen's bindings change.

    Textual's own waits for the next refresh, so on start-up the keys reach the terminal a frame
    (on a busy machine, a few hundred milliseconds) after the rest of the workspace.
    """

    def bindings_changed(self, screen: Screen[object]) -> None:
        self._bindings_ready = True  # what Footer.compose checks before listing the keys
        if self.app.app_focus and self.is_attached and screen is self.screen:
            self.call_later(self.recompose)
