"""The panes of a run side by side: as many columns as fit the width, wrapping to rows; when the
rows do not all fit at a readable height, as many as fit form a page (ctrl+down: the next)."""

from __future__ import annotations

import math

from textual.containers import Container
from textual.events import Resize
from textual.message import Message

from orchestrator_tui.tui.themes import ACCENT_CLASSES, accent_class
from orchestrator_tui.tui.widgets.response_pane import ResponsePane

MIN_PANE_WIDTH = 38
MIN_PANE_HEIGHT = 10
"""Border, the two header lines, and six lines of the answer."""


def grid_shape(panes: int, width: int, min_width: int = MIN_PANE_WIDTH) -> tuple[int, int]:
    """``(columns, rows)`` for ``panes`` panes in ``width`` cells."""
    if panes <= 0:
        return 1, 1
    columns = max(1, min(panes, width // min_width))
    return columns, math.ceil(panes / columns)


def rows_per_page(rows: int, height: int, min_height: int = MIN_PANE_HEIGHT) -> int:
    """How many rows of panes are shown at once in ``height`` cells (all, if they fit)."""
    if height <= 0 or rows * min_height <= height:
        return rows
    return max(1, height // min_height)


class ResponseGrid(Container):
    """The answers of a run, one pane each, in pages of rows when they do not all fit."""

    class Paged(Message):
        """Which panes are in view: ``first`` to ``last`` (from 1) of ``total``."""

        def __init__(self, first: int, last: int, total: int) -> None:
            super().__init__()
            self.first, self.last, self.total = first, last, total

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._page_height = 0
        """Cells one page of rows takes; 0 while every row fits."""
        self._shown: tuple[int, int, int] | None = None

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
        height = self.size.height
        page = rows_per_page(rows, height)
        if page < rows:
            row_height = height // page
            self.styles.grid_rows = str(row_height)
            self._page_height = row_height * page
        else:
            self.styles.grid_rows = "1fr"
            self._page_height = 0
        self._report(count, columns)

    @property
    def paged(self) -> bool:
        """Not every pane fits: they are shown a page of rows at a time."""
        return bool(self._page_height)

    def page(self, delta: int) -> bool:
        """Show the next (``1``) or previous (``-1``) page of panes; ``False`` if there is none."""
        if not self._page_height:
            return False
        top = round(self.scroll_y / self._page_height) + delta
        pages = math.ceil(self.virtual_size.height / self._page_height)
        if not 0 <= top < pages:
            return False
        self.scroll_to(y=top * self._page_height, animate=False)
        return True

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        columns = self.styles.grid_size_columns or 1
        self._report(len(self.panes()), columns)

    def _report(self, count: int, columns: int) -> None:
        """Say which panes are in view, when that changed."""
        if not self._page_height or not count:
            shown = (1, count, count)
        else:
            row_height = int(self.styles.grid_rows[0].value) if self.styles.grid_rows else 1
            top_row = round(self.scroll_y / max(1, row_height))
            rows = self._page_height // max(1, row_height)
            first = top_row * columns + 1
            shown = (first, min(count, first + rows * columns - 1), count)
        if shown != self._shown:
            self._shown = shown
            self.post_message(self.Paged(*shown))
