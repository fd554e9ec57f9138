"""The footer of main keys, drawn with the rest of its screen instead of a frame later."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer


class KeysFooter(Footer):
    """Textual's ``Footer`` (compact), the app's own keys first (help, settings, quit: they must
    not be cut off at 80 columns), and its keys come with the screen's first frame.

    Textual's own lists the keys only after the next refresh, so on start-up they reach the
    terminal a frame (on a busy machine, a few hundred milliseconds) after the rest of the
    workspace. The first time the bindings are known, this one also recomposes at once; later
    changes (focus moving) go Textual's way.
    """

    def __init__(self) -> None:
        super().__init__(compact=True)
        self._keys_listed = False

    def compose(self) -> ComposeResult:
        everywhere = {b.action for b in self.app.BINDINGS if isinstance(b, Binding) and b.show}
        keys = list(super().compose())
        yield from sorted(keys, key=lambda key: getattr(key, "action", None) not in everywhere)

    def bindings_changed(self, screen: Screen[object]) -> None:
        super().bindings_changed(screen)
        if self._keys_listed or not (self.app.app_focus and self.is_attached):
            return
        if screen is self.screen:
            self._keys_listed = True
            self.call_later(self.recompose)
