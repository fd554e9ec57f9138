"""A Markdown view that streams cheaply: one widget, lines drawn through Textual's Line API.

Finished top-level blocks are rendered once with Rich and kept as strips; only the open last block
is rendered again, at most every ``interval`` seconds. Blocks that finish together are rendered
together (one Rich render costs about the same for one block as for ten). When the text is
complete, what was drawn is checked against one parse of the whole text, so the final lines equal
a one-shot render.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from time import monotonic
from typing import TYPE_CHECKING

from rich.console import RenderableType
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.geometry import Region, Size
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.timer import Timer

from orchestrator_tui.tui.markdown_blocks import (
    Block,
    may_define_references,
    rich_markdown,
    split_blocks,
    visible_controls,
)

if TYPE_CHECKING:
    from markdown_it.token import Token

_BLANK = Strip([])


@dataclass(slots=True)
class _Group:
    """Consecutive top-level blocks, ``text[start:end]``, drawn by one Rich render."""

    start: int
    end: int
    opens_with_blank: bool
    blank_after: bool
    tokens: list[Token]
    strips: list[Strip]


class StreamingMarkdown(ScrollView, can_focus=False):
    """Feed it with ``append``; ``finish`` when the text is complete; ``note`` adds plain lines."""

    DEFAULT_CSS = """
    StreamingMarkdown {
        height: 1fr;
        scrollbar-gutter: stable;
        overflow-x: hidden;
    }
    """
    interval = 0.1
    """Seconds between renders of the open block while text streams in."""
    chunk = 2_000
    """Characters of finished Markdown drawn per turn of the event loop, so a burst of text (or
    the end of a fast answer) never blocks the loop for one long render."""

    def __init__(self, *, name: str | None = None, id: str | None = None) -> None:
        super().__init__(name=name, id=id)
        self._text = ""
        self._pending: list[str] = []
        self._groups: list[_Group] = []
        self._open: _Group | None = None
        """The last block, still growing: drawn again on every flush."""
        self._open_block: Block | None = None
        self._backlog: list[Block] = []
        """Finished blocks parsed but not drawn yet (drawn ``chunk`` characters at a time)."""
        self._complete = False
        self._prefix: list[RenderableType | None] = []
        """Earlier messages (Markdown), notes (Text) and blank lines (None), wrapped on demand."""
        self._prefix_lines: list[Strip] | None = None
        self._done: list[Strip] = []
        """Lines of the prefix and the finished groups, in order: what ``render_line`` reads."""
        self._width = 0
        """The width everything drawn was wrapped at."""
        self._stale = False
        """Something was drawn at another width, or skipped before the first layout."""
        self._rewrap_scheduled = False
        self._flush_timer: Timer | None = None
        self._flush_scheduled = False
        self._last_flush = 0.0
        self._end_y = 0
        """Where the view last scrolled to follow the tail."""
        self._line_style = Style()

    # -- public ---------------------------------------------------------------------------------

    @property
    def text(self) -> str:
        """The current message as shown (control characters made visible), drawn or not."""
        return self._text + visible_controls("".join(self._pending))

    @property
    def line_count(self) -> int:
        return len(self._done) + (len(self._open.strips) if self._open else 0)

    def lines(self) -> list[Strip]:
        return [*self._done, *(self._open.strips if self._open else ())]

    @property
    def drawn(self) -> bool:
        """The text is complete and every line of it is drawn."""
        return self._complete and not (self._pending or self._backlog or self._open)

    def append(self, text: str) -> None:
        """Queue streamed text; it is drawn on the next turn of the loop or within ``interval``."""
        self._pending.append(text)
        if not self._flush_scheduled:
            wait = self._last_flush + self.interval - monotonic()
            self._request_flush(wait)

    def finish(self) -> None:
        """The text is complete: the rest is drawn over the next turns of the loop (see ``drawn``),
        and the lines then equal one render of the whole."""
        self._complete = True
        if may_define_references(self.text):
            self._cancel_flush()
            self._take_pending()
            blocks, _ = split_blocks(self._text)
            self._groups = [self._group(0, blocks, len(self._text))] if blocks else []
            self._backlog, self._open, self._open_block = [], None, None
            self._rebuild_done()
            self._show()
            return
        self._request_flush(0)

    def set_text(self, text: str) -> None:
        """Show a complete text (a reopened answer)."""
        self.reset()
        self._pending.append(text)
        self.finish()

    def note(self, text: Text) -> None:
        """Close the current message and add a line of plain text (a follow-up's prompt)."""
        self._cancel_flush()
        self._take_pending()
        if self._text:
            self._prefix += [rich_markdown(self._text), None]
        self._prefix += [text, None]
        self._prefix_lines = None
        self._text, self._groups, self._backlog = "", [], []
        self._open, self._open_block, self._complete = None, None, False
        self._rebuild_done()
        self._show()

    def reset(self) -> None:
        self._cancel_flush()
        self._text = ""
        self._pending.clear()
        self._prefix.clear()
        self._prefix_lines = None
        self._groups.clear()
        self._backlog.clear()
        self._open, self._open_block, self._complete = None, None, False
        self._rebuild_done()
        self._show()

    def code_blocks(self) -> list[str]:
        """The fenced and indented code of the current message, without the fences."""
        codes = []
        for block in split_blocks(self.text)[0]:
            if block.kind == "fence":
                lines = block.source.splitlines()[1:]
                if lines and lines[-1].strip().startswith(("```", "~~~")):
                    lines = lines[:-1]
                codes.append("\n".join(lines))
            elif block.kind == "code_block":
                codes.append("\n".join(line[4:] for line in block.source.rstrip().splitlines()))
        return codes

    @property
    def following(self) -> bool:
        """True unless the person scrolled up; new text then keeps the last line in view.

        Compared with where the view last scrolled itself, not with the current maximum, so a
        resize (which moves the maximum) never unsticks the view.
        """
        return self.scroll_y >= min(self._end_y, self.max_scroll_y)

    # -- streaming ------------------------------------------------------------------------------

    def _request_flush(self, wait: float) -> None:
        """Flush after ``wait`` seconds, or on the next turn of the loop when ``wait <= 0``."""
        if wait <= 0 and self._flush_timer is not None:
            self._cancel_flush()
        if self._flush_scheduled:
            return
        self._flush_scheduled = True
        if wait > 0:
            self._flush_timer = self.set_timer(wait, self._flush)
        else:
            self.call_later(self._flush)

    def _cancel_flush(self) -> None:
        self._flush_scheduled = False
        if self._flush_timer is not None:
            self._flush_timer.stop()
            self._flush_timer = None

    def _take_pending(self) -> None:
        self._text += visible_controls("".join(self._pending))
        self._pending.clear()

    def _flush(self) -> None:
        if not self._flush_scheduled:
            return  # cancelled (reset, note) after it was queued
        self._flush_timer = None
        self._flush_scheduled = False
        self._last_flush = monotonic()
        if not self._backlog:
            if not self._pending and not (self._complete and self._open is not None):
                return
            self._take_pending()
            self._split_tail()
        self._draw_backlog()
        self._show()
        if self.drawn:
            self.refresh(layout=True)  # settle the scrollbar once the answer is complete
            self.call_after_refresh(self._sync_scrollbar)
        if self._backlog:
            self._request_flush(0)
        elif self._pending:
            self._request_flush(self.interval)

    def _split_tail(self) -> None:
        """Parse what follows the drawn groups: finished blocks to draw, and the open last one."""
        base = self._groups[-1].end if self._groups else 0
        blocks = [replace(b, start=base + b.start) for b in split_blocks(self._text[base:])[0]]
        if self._complete or not blocks:
            self._backlog, self._open_block = blocks, None
        else:
            self._backlog, self._open_block = blocks[:-1], blocks[-1]

    def _draw_backlog(self) -> None:
        """Draw up to ``chunk`` characters of finished blocks as one group, then the open block."""
        if self._backlog:
            take, size = [], 0
            while self._backlog and (not take or size + len(self._backlog[0].source) <= self.chunk):
                block = self._backlog.pop(0)
                take.append(block)
                size += len(block.source)
            following = self._backlog[0] if self._backlog else self._open_block
            end = following.start if following else len(self._text)
            self._groups.append(self._group(take[0].start if self._groups else 0, take, end))
            self._done += self._joined(len(self._groups) - 1)
        block = self._open_block
        if self._backlog or block is None:
            self._open = None
        else:
            self._open = self._group(block.start, [block], len(self._text), draw=False)
            self._open_lines()

    def _group(self, start: int, blocks: list[Block], end: int, *, draw: bool = True) -> _Group:
        tokens = [token for block in blocks for token in block.tokens]
        first, last = blocks[0], blocks[-1]
        group = _Group(start, end, first.brings_own_blank, last.blank_after, tokens, [])
        if draw:
            group.strips = self._draw(group)
        return group

    # -- drawing --------------------------------------------------------------------------------

    def _draw(self, group: _Group) -> list[Strip]:
        return self._render(rich_markdown(self._text[group.start : group.end], group.tokens))

    def _render(self, renderable: RenderableType) -> list[Strip]:
        region_width = self.scrollable_content_region.width
        if not region_width:
            self._stale = True  # not laid out yet: drawn once the size is known
            return []
        width = max(region_width, 10)
        if not self._width:
            self._width = width
        elif width != self._width:
            self._stale = True
        options = self.app.console.options.update_width(width)
        lines = self.app.console.render_lines(renderable, options, pad=False)
        return [Strip(Segment.simplify(line)) for line in lines]

    def _separator(self, group: _Group, index: int) -> list[Strip]:
        if index == 0:
            return []
        previous = self._groups[index - 1]
        return [_BLANK] if previous.blank_after and not group.opens_with_blank else []

    def _joined(self, index: int) -> list[Strip]:
        group = self._groups[index]
        return [*self._separator(group, index), *group.strips]

    def _open_lines(self) -> None:
        if self._open is not None:
            self._open.strips = [
                *self._separator(self._open, len(self._groups)),
                *self._draw(self._open),
            ]

    def _prefix_strips(self) -> list[Strip]:
        if self._prefix_lines is None:
            lines: list[Strip] = []
            for item in self._prefix:
                lines += [_BLANK] if item is None else self._render(item)
            self._prefix_lines = lines
        return self._prefix_lines

    def _rebuild_done(self) -> None:
        groups = [line for index in range(len(self._groups)) for line in self._joined(index)]
        self._done = [*self._prefix_strips(), *groups]

    def _show(self) -> None:
        follow = self.following
        self._resize_content(Size(max(self.scrollable_content_region.width, 10), self.line_count))
        self.refresh()
        if follow:
            self._scroll_to_end()

    def _resize_content(self, size: Size) -> None:
        """Set the scrollable size, re-laying out the screen only when the scrollbar must appear.

        Assigning ``virtual_size`` re-lays out the whole screen; doing that on every flush of
        eight streaming panes costs more than drawing their text. While the scrollbar stays as it
        is, the new height goes to the scrollbar directly.
        """
        old = self.virtual_size
        if size != old:
            viewport = self.scrollable_content_region.height
            scrollbar_changes = (old.height > viewport) != (size.height > viewport)
            if size.width != old.width or scrollbar_changes or not self.show_vertical_scrollbar:
                self.virtual_size = size
            else:
                self.set_reactive(StreamingMarkdown.virtual_size, size)
        self._sync_scrollbar()

    def _sync_scrollbar(self) -> None:
        """Give the scrollbar the current height (a layout does not when the size was set early)."""
        if self.show_vertical_scrollbar:
            bar = self.vertical_scrollbar
            bar.window_virtual_size = self.virtual_size.height
            bar.window_size = self.scrollable_content_region.height
            bar.position = self.scroll_y
            bar.refresh()

    def _scroll_to_end(self) -> None:
        self._end_y = self.max_scroll_y
        self.scroll_to(y=self._end_y, animate=False, immediate=True, force=True)

    def _rewrap(self) -> bool:
        """Draw everything again at the current width if it changed; True when it did."""
        self._rewrap_scheduled = False
        width = max(self.scrollable_content_region.width, 10)
        if width == self._width and not self._stale:
            return False
        self._width, self._stale = width, False
        self._prefix_lines = None
        for group in self._groups:
            group.strips = self._draw(group)
        self._open_lines()
        self._rebuild_done()
        self._show()
        return True

    # -- Textual hooks --------------------------------------------------------------------------

    def watch_show_vertical_scrollbar(self, shown: bool) -> None:
        if shown:  # a scrollbar appearing mid-stream starts at the top; put it where the view is
            self.call_after_refresh(self._sync_scrollbar)

    def on_resize(self) -> None:
        if not self._rewrap() and self.following:
            self._scroll_to_end()

    def render_lines(self, crop: Region) -> list[Strip]:
        self._line_style = self.rich_style  # once per frame, not once per line: it walks the DOM
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        if (max(width, 10) != self._width or self._stale) and not self._rewrap_scheduled:
            self._rewrap_scheduled = True  # sized after text arrived: wrap again, once
            self.call_later(self._rewrap)
        scroll_x, scroll_y = self.scroll_offset
        index = scroll_y + y
        style = self._line_style
        if index < len(self._done):
            line = self._done[index]
        elif self._open is not None and index - len(self._done) < len(self._open.strips):
            line = self._open.strips[index - len(self._done)]
        else:
            return Strip.blank(width, style)
        return line.crop_extend(scroll_x, scroll_x + width, style).apply_style(style)
