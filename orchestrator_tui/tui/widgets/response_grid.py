"""The panes of a run side by side: as many columns as fit the width, wrapping to rows."""

from __future__ import annotations

import math

from textual.containers import Container
from textual.events import Resize

from orchestrator_tui.tui.themes import ACCENT_CLASSES, accent_class
from orchestrator_tui.tui.widgets.response_pane import ResponsePane

MIN_PANE_WIDTH = 38


def grid_shape(panes: int, width: int, min_width: int = MIN_PANE_WIDTH) -> tuple[int, int]:
    """``(columns, rows)`` for ``panes`` panes in ``width`` cells."""
    if panes <= 0:
        return 1, 1
    columns = max(1, min(panes, width // min_width))
    return columns, math.ceil(panes / columns)


class ResponseGrid(Container):
    """Holds ``ResponsePane``s keyed by a name (the model, or ``synthesis``)."""

    def pane(self, key: str) -> ResponsePane | None:
        return next((p for p in self.query(ResponsePane) if p.name == key), None)

    def panes(self) -> list[ResponsePane]:
        return list(self.query(ResponsePane))

    async def show(self, keys: list[tuple[str, str]]) -> list[ResponsePane]:
        """Make the grid hold exactly these ``(key, title)`` panes, in this order, keeping
        existing ones.

        New panes are mounted together into a grid already shaped for them, so each is laid out
        once at its final size (a pane resized mid-stream must wrap its text again).
        """
        wanted = {key for key, _ in keys}
        stale = [pane for pane in self.panes() if pane.name not in wanted]
        if stale:
            await self.remove_children(stale)
        existing = {pane.name: pane for pane in self.panes()}
        new = [
            ResponsePane(key, title=title, name=key) for key, title in keys if key not in existing
        ]
        self._relayout(len(keys))
        if new:
            await self.mount_all(new)
        panes = {pane.name: pane for pane in self.panes()}
        ordered = [panes[key] for key, _ in keys]
        if self.panes() != ordered:  # in the order asked for, whatever order they came in
            for index, pane in enumerate(ordered):
                self.move_child(pane, before=index)
        self._accents()
        return ordered

    async def add(self, key: str, title: str) -> ResponsePane:
        pane = self.pane(key)
        if pane is None:
            pane = ResponsePane(key, title=title, name=key)
            self._relayout(len(self.panes()) + 1)
            await self.mount(pane)
            self._accents()
        return pane

    def on_resize(self, event: Resize) -> None:
        self._relayout(len(self.panes()))

    def _accents(self) -> None:
        """Each pane takes the theme's accent for its place (classes change only when it moves:
        every class change restyles the pane, which costs 10-20 ms each for eight panes)."""
        for index, pane in enumerate(self.panes()):
            wanted = accent_class(index)
            stale = [name for name in ACCENT_CLASSES if name != wanted and pane.has_class(name)]
            if stale or not pane.has_class(wanted):
                pane.remove_class(*stale).add_class(wanted)

    def _relayout(self, count: int) -> None:
        columns, rows = grid_shape(count, self.size.width or MIN_PANE_WIDTH)
        self.styles.grid_size_columns = columns
        self.styles.grid_size_rows = rows
