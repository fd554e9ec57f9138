"""A Markdown view that streams cheaply: one widget, lines drawn through Textual's Line API.

Each finished top-level block is rendered once with Rich and kept as strips; only the open last
block is rendered again, on the app's shared redraw tick (``RedrawPacer``), so streaming panes
share frames instead of each asking for its own. What is in view is drawn first: when a burst of text arrives
(a fast model, a reopened answer) the blocks at the tail are drawn at once and the ones above
them afterwards, newest first, a slice at a time, so the event loop never waits for a whole
answer to render. When the text is complete the lines equal a one-shot render of the whole.
Only lines that changed are drawn again, and while text streams the view scrolls in jumps: on
the terminal, every scroll rewrites the whole pane.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.console import RenderableType
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.geometry import Region, Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from orchestrator_tui.core.text import terminal_safe
from orchestrator_tui.tui.markdown_blocks import (
    Block,
    may_define_references,
    rich_markdown,
    split_blocks,
)
from orchestrator_tui.tui.redraw_pacer import RedrawPacer

if TYPE_CHECKING:
    from collections.abc import Sequence

    from markdown_it.token import Token

_BLANK = Strip([])
JUMP_SHARE = 2
"""While text streams, the view scrolls by 1/JUMP_SHARE of its height at a time."""


def _blank() -> _Earlier:
    return _Earlier(None, [_BLANK])


@dataclass(slots=True)
class _Group:
    """Top-level blocks, ``text[start:end]``, drawn by one Rich render (usually one block)."""

    start: int
    end: int
    opens_with_blank: bool
    blank_after: bool
    tokens: list[Token] | None
    """Parsed tokens until drawn (then dropped: thousands of objects the garbage collector would
    walk on every full pass; drawing again at another width parses the block's text anew)."""
    strips: list[Strip] | None = None
    """``None`` until drawn."""


@dataclass(slots=True)
class _Earlier:
    """Something above the current message: an earlier message (Markdown source), a note, or a
    blank line (``None``). Drawn like the groups: what is in view first, the rest in slices; an
    earlier message is first split into its blocks (``split``), so each slice draws a few."""

    item: str | Text | None
    strips: list[Strip] | None = None
    split: bool = False
    """``item`` is one block of a message (or a message drawn whole), not a message to split."""
    tokens: Sequence[Token] | None = None
    """A block's parsed tokens until drawn (see ``_Group.tokens``)."""


class StreamingMarkdown(ScrollView, can_focus=False):
    """Feed it with ``append``; ``finish`` when the text is complete; ``note`` adds plain lines."""

    DEFAULT_CSS = """
    StreamingMarkdown {
        height: 1fr;
        overflow-x: hidden;
        overflow-y: scroll;
        scrollbar-background: transparent;
    }
    """
    paced = True
    """Streamed text waits for the shared redraw tick; ``False`` draws it on the next loop turn."""

    def __init__(self, *, name: str | None = None, id: str | None = None) -> None:
        super().__init__(name=name, id=id)
        self._text = ""
        self._pending: list[str] = []
        self._groups: list[_Group] = []
        """The finished blocks, drawn or not, in order."""
        self._undrawn = 0
        """How many of ``_groups`` are not drawn yet."""
        self._open: _Group | None = None
        """The last block, still growing: drawn again on every redraw."""
        self._complete = False
        self._prefix: list[_Earlier] = []
        """Earlier messages and notes, in order."""
        self._earlier_undrawn = 0
        self._earlier_next = -1
        """Every entry of ``_prefix`` after this index is drawn (the backfill resumes here)."""
        self._done: list[Strip] = []
        """Lines of the prefix and the drawn groups, in order: what ``render_line`` reads."""
        self._width = 0
        """The width everything drawn was wrapped at."""
        self._stale = False
        """Something was drawn at another width, or skipped before the first layout."""
        self._rewrap_scheduled = False
        self._redraw_scheduled = False
        self._end_y = 0
        """Where the view last scrolled to follow the tail."""
        self._shown: list[Strip] = []
        """The lines as Textual was last asked to show them (see ``_refresh_changed``)."""
        self._line_style = Style()
        self._line_width = 0
        self._styled: dict[int, tuple[Strip, Strip]] = {}
        """Lines as last drawn (cropped to the view, styled) by ``id`` of the line, kept with it
        (so the ``id`` cannot be reused): after a scroll most lines in view are the same."""

    # -- public ---------------------------------------------------------------------------------

    @property
    def text(self) -> str:
        """The current message as shown (control characters made visible), drawn or not."""
        return self._text + terminal_safe("".join(self._pending))

    @property
    def line_count(self) -> int:
        return len(self._done) + len(self._open_strips)

    def lines(self) -> list[Strip]:
        return [*self._done, *self._open_strips]

    @property
    def drawn(self) -> bool:
        """The text is complete and every line of it is drawn."""
        return self.final_in_view and not self._left

    @property
    def final_in_view(self) -> bool:
        """The text is complete and what is in view is drawn (lines above may still be drawing)."""
        return (
            self._complete
            and not (self._pending or self._open or self._stale)
            and not self._redraw_scheduled
        )

    def append(self, text: str) -> None:
        """Queue streamed text: the first of a message is drawn at once, the rest on the tick."""
        self._pending.append(text)
        if not self._redraw_scheduled:
            first = not (self._text or self._groups)
            self._request_redraw(soon=first or not self.paced)

    def finish(self) -> None:
        """The text is complete: the rest is drawn over the next turns of the loop (see ``drawn``),
        and the lines then equal one render of the whole."""
        self._complete = True
        if may_define_references(self.text):
            # A definition anywhere changes links everywhere: the text is drawn as one group.
            self._take_pending()
            blocks, _ = split_blocks(self._text)
            self._groups = [self._group(0, blocks, len(self._text))] if blocks else []
            self._undrawn, self._open = len(self._groups), None
            self._rebuild_done()
        self._request_redraw(soon=True)

    def set_text(self, text: str) -> None:
        """Show a complete text (a reopened answer)."""
        self.reset()
        self._pending.append(text)
        self.finish()

    def note(self, text: Text) -> None:
        """Close the current message and add a line of plain text (a follow-up's prompt).

        Nothing is drawn here unless the message already is (its lines are then kept: they are its
        one-shot render), so a reopened conversation fed turn by turn costs nothing until shown.
        """
        self._take_pending(whole=True)
        drawn = self._laid_out and self.drawn
        if self._text:
            message = [*self._done[self._prefix_line_count() :], *self._open_strips]
            self._prefix += [_Earlier(self._text, message if drawn else None), _blank()]
            self._earlier_undrawn += not drawn
        self._prefix += [_Earlier(text, self._render_lines(text) if drawn else None), _blank()]
        self._earlier_undrawn += not drawn
        self._earlier_next = len(self._prefix) - 1
        self._clear_message()

    def reset(self) -> None:
        self._pending.clear()
        self._prefix.clear()
        self._earlier_undrawn, self._earlier_next = 0, -1
        self._clear_message()

    def drop_message(self) -> None:
        """Forget the current message and keep what came before it (a retried answer)."""
        self._pending.clear()
        self._clear_message()

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

    def backfill(self, deadline: float) -> bool:
        """Draw blocks out of view, newest first (then earlier messages), until ``deadline``;
        False once all are drawn."""
        if not self._left or not self._laid_out:
            return False
        shift, drew = 0, False
        top = self.scroll_y
        for index in range(len(self._groups) - 1, -1, -1):
            if drew and time.monotonic() >= deadline:
                break
            group = self._groups[index]
            if group.strips is None:
                at = self._lines_before(index)
                self._draw_group(group)
                drew = True
                if at <= top:
                    shift += len(self._joined(index))
        index = self._earlier_next
        above = sum(len(e.strips or ()) for e in self._prefix[: index + 1])  # less its own below
        while index >= 0 and not self._undrawn:
            if drew and time.monotonic() >= deadline:
                break
            index = self._split_at(index)
            earlier = self._prefix[index]
            above -= len(earlier.strips or ())
            if earlier.strips is None:
                self._draw_earlier(earlier)
                drew = True
                if above <= top:
                    shift += len(earlier.strips or ())
            index -= 1
        self._earlier_next = index
        self._rebuild_done()
        self._show(keep_top=round(top) + shift)
        return bool(self._left)

    # -- redrawing ------------------------------------------------------------------------------

    @property
    def _pacer(self) -> RedrawPacer:
        return RedrawPacer.of(self.app)

    def _request_redraw(self, *, soon: bool) -> None:
        self._redraw_scheduled = True
        self._pacer.request(self, self._redraw, soon=soon)

    def _clear_message(self) -> None:
        self._pacer.cancel(self)
        self._redraw_scheduled = False
        self._text, self._groups, self._undrawn = "", [], 0
        self._open, self._complete = None, False
        self._rebuild_done()
        self._show()

    def _take_pending(self, *, whole: bool = False) -> None:
        """Add the streamed text, made safe; a CR at its end waits for the next piece (unless the
        text is ``whole``), as a CRLF split between two pieces is still one line end."""
        pending = "".join(self._pending)
        self._pending.clear()
        if pending.endswith("\r") and not (whole or self._complete):
            pending, self._pending = pending[:-1], ["\r"]
        self._text += terminal_safe(pending)

    def _redraw(self) -> None:
        """Take the new text, draw the open block and whatever else is in view, then show it."""
        self._redraw_scheduled = False
        if self._pending or (self._complete and self._open is not None):
            self._take_pending()
            self._split_tail()
        if not self._laid_out:
            self._stale = True  # drawn once the size is known (see ``render_line``)
            return
        self._draw_open()
        self._draw_tail()
        self._rebuild_done()
        self._show()
        if self._left:
            self._pacer.backfill(self)

    def _split_tail(self) -> None:
        """Parse what follows the finished blocks: more finished blocks, and the open last one."""
        base = self._groups[-1].end if self._groups else 0
        blocks = split_blocks(self._text[base:])[0]
        self._open = None
        if not self._complete and blocks:
            last = blocks.pop()
            self._open = self._group(base + last.start, [last], len(self._text))
        for index, block in enumerate(blocks):
            start = base + block.start if self._groups else 0
            following = blocks[index + 1] if index + 1 < len(blocks) else None
            if following is not None:
                end = base + following.start
            else:
                end = self._open.start if self._open else len(self._text)
            self._groups.append(self._group(start, [block], end))
            self._undrawn += 1

    def _group(self, start: int, blocks: list[Block], end: int) -> _Group:
        tokens = [token for block in blocks for token in block.tokens]
        first, last = blocks[0], blocks[-1]
        return _Group(start, end, first.brings_own_blank, last.blank_after, tokens)

    def _draw_open(self) -> None:
        if self._open is not None:
            self._open.strips = [
                *self._separator(self._open, len(self._groups)),
                *self._render_group(self._open),
            ]

    def _draw_tail(self) -> None:
        """Draw undrawn blocks (then earlier messages) from the end back until the tail fills the
        view (when following)."""
        if not self._left or not self.following:
            return
        lines = len(self._open_strips)
        height = self.scrollable_content_region.height
        for index in range(len(self._groups) - 1, -1, -1):
            if lines >= height:
                return
            group = self._groups[index]
            if group.strips is None:
                self._draw_group(group)
            lines += len(self._joined(index))
        index = len(self._prefix) - 1
        while index >= 0 and lines < height:
            index = self._split_at(index)
            earlier = self._prefix[index]
            if earlier.strips is None:
                self._draw_earlier(earlier)
            lines += len(earlier.strips or ())
            index -= 1

    def _split_at(self, index: int) -> int:
        """Split the earlier message at ``index``, if undrawn, into its blocks; the index of the
        last of them (or ``index``) is returned, as the earlier entries are drawn from the end."""
        earlier = self._prefix[index]
        if earlier.split or earlier.strips is not None or not isinstance(earlier.item, str):
            return index
        blocks, references = split_blocks(earlier.item)
        if references or not blocks:  # drawn whole, like a finished message (see ``finish``)
            parts = [_Earlier(earlier.item, split=True)]
        else:
            parts = []
            for number, block in enumerate(blocks):
                if number and blocks[number - 1].blank_after and not block.brings_own_blank:
                    parts.append(_blank())
                parts.append(_Earlier(block.source, split=True, tokens=block.tokens))
        self._prefix[index : index + 1] = parts
        self._earlier_undrawn += sum(part.strips is None for part in parts) - 1
        if index <= self._earlier_next:
            self._earlier_next += len(parts) - 1
        return index + len(parts) - 1

    def _draw_earlier(self, earlier: _Earlier) -> None:
        item = earlier.item
        if isinstance(item, str):
            earlier.strips = self._render_lines(rich_markdown(item, earlier.tokens))
            earlier.tokens = None
        else:
            earlier.strips = self._render_lines(item)
        self._earlier_undrawn -= 1

    def _draw_group(self, group: _Group) -> None:
        group.strips = self._render_group(group)
        self._undrawn -= 1

    # -- drawing --------------------------------------------------------------------------------

    @property
    def _laid_out(self) -> bool:
        return self.scrollable_content_region.width > 0

    @property
    def _left(self) -> int:
        """How many blocks and earlier messages are not drawn yet."""
        return self._undrawn + self._earlier_undrawn

    @property
    def _open_strips(self) -> list[Strip]:
        return (self._open.strips or []) if self._open else []

    def _render_group(self, group: _Group) -> list[Strip]:
        strips = self._render_lines(
            rich_markdown(self._text[group.start : group.end], group.tokens)
        )
        group.tokens = None
        return strips

    def _render_lines(self, renderable: RenderableType | None) -> list[Strip]:
        """Lines of ``renderable``; ``None`` is a blank line."""
        if renderable is None:
            return [_BLANK]
        width = max(self.scrollable_content_region.width, 10)
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
        return [*self._separator(group, index), *(group.strips or ())]

    def _lines_before(self, index: int) -> int:
        """How many lines come before group ``index`` (undrawn groups have none yet)."""
        lines = self._prefix_line_count()
        for before in range(index):
            if self._groups[before].strips is not None:
                lines += len(self._joined(before))
        return lines

    def _prefix_line_count(self) -> int:
        return sum(len(earlier.strips or ()) for earlier in self._prefix)

    def _rebuild_done(self) -> None:
        lines = [line for earlier in self._prefix for line in earlier.strips or ()]
        for index, group in enumerate(self._groups):
            if group.strips is not None:
                lines += self._joined(index)
        self._done = lines

    def _show(self, keep_top: int | None = None) -> None:
        """Show the lines: following the tail, or with ``keep_top`` as the first line in view.

        Only lines that changed are drawn again: a whole pane redrawn costs 4-10 KB written to
        the terminal, and the open block at the tail is usually one or two lines.
        """
        lines = self.lines()
        if self.following:
            self._follow(len(lines), keep_top)
        else:
            self._resize_content(self._padded(len(lines), self._end_y))
            if keep_top is not None and keep_top != self.scroll_y:
                self.scroll_to(y=keep_top, animate=False, immediate=True, force=True)
        self._refresh_changed(lines)

    def _follow(self, count: int, keep_top: int | None = None) -> None:
        """Keep the last of ``count`` lines in view (at ``keep_top`` if it does)."""
        self._end_y = self._tail_top(count, keep_top)
        self._resize_content(self._padded(count, self._end_y))
        if self._end_y != self.scroll_y:
            self.scroll_to(y=self._end_y, animate=False, immediate=True, force=True)

    def _tail_top(self, count: int, keep_top: int | None) -> int:
        """The first line in view that shows the tail of ``count`` lines.

        Complete text ends on the last row. While it streams the view scrolls in jumps of
        1/``JUMP_SHARE`` of its height, leaving blank rows below the tail that the next lines
        fill: a scroll moves every row, so the terminal is sent the whole pane again (4-10 KB),
        once a jump instead of once per new line (one pane, 2,000 tokens at 200 tokens/s,
        160x48: 1.0 MB -> 0.4 MB written).
        """
        height = self.scrollable_content_region.height
        end = max(0, count - height)
        if self._complete or count <= height:
            return end
        jump = max(1, height // JUMP_SHARE)
        top = round(self.scroll_y) if keep_top is None else keep_top
        return top if end <= top < count else end + jump - 1  # the tail in view: stay

    def _padded(self, count: int, top: int) -> int:
        """The scrollable height: ``count`` lines, and while the text streams the blank rows
        below its tail down to the bottom of the view at ``top``."""
        if self._complete:
            return count
        return max(count, top + self.scrollable_content_region.height)

    def _refresh_changed(self, lines: list[Strip]) -> None:
        """Ask Textual to draw again the lines in view that differ from those shown last."""
        shown, self._shown = self._shown, lines
        first = min(len(shown), len(lines))
        for index, (before, now) in enumerate(zip(shown, lines, strict=False)):
            if before is not now and before != now:
                first = index
                break
        top = round(self.scroll_y)
        start = max(first, top)
        stop = min(max(len(shown), len(lines)), top + self.scrollable_content_region.height)
        if start < stop:
            self.refresh_lines(start, stop - start)

    def _resize_content(self, lines: int) -> None:
        """Set the scrollable height without re-laying out the screen.

        Assigning ``virtual_size`` re-lays out the whole screen; doing that on every redraw of
        eight streaming panes costs more than drawing their text. The scrollbar is always shown
        (``overflow-y: scroll``), so a longer text never changes the layout: the new height goes
        to the scrollbar directly. The width stays 0: lines are wrapped to the view, never
        scrolled sideways.
        """
        self.set_reactive(StreamingMarkdown.virtual_size, Size(0, lines))
        if self.show_vertical_scrollbar:
            bar = self.vertical_scrollbar
            bar.window_virtual_size = self.virtual_size.height
            bar.window_size = self.scrollable_content_region.height
            bar.position = self.scroll_y

    def _rewrap(self) -> bool:
        """Draw again at the current width if it changed (what is in view first); True if so."""
        self._rewrap_scheduled = False
        width = max(self.scrollable_content_region.width, 10)
        if width == self._width and not self._stale:
            return False
        self._width, self._stale = width, False
        for earlier in self._prefix:
            if earlier.item is not None:
                earlier.strips = None
        self._earlier_undrawn = sum(earlier.item is not None for earlier in self._prefix)
        self._earlier_next = len(self._prefix) - 1
        for group in self._groups:
            group.strips = None
        self._undrawn = len(self._groups)
        self._redraw()
        return True

    # -- Textual hooks --------------------------------------------------------------------------

    def on_resize(self) -> None:
        if not self._rewrap() and self.following:
            self._follow(self.line_count)

    def render_lines(self, crop: Region) -> list[Strip]:
        # Once per frame, not once per line: both walk the DOM or the styles.
        style, width = self.rich_style, self.scrollable_content_region.width
        if (style, width) != (self._line_style, self._line_width) or len(self._styled) > 2000:
            self._styled.clear()
        self._line_style, self._line_width = style, width
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        width = self._line_width
        if (max(width, 10) != self._width or self._stale) and not self._rewrap_scheduled:
            self._rewrap_scheduled = True  # sized after text arrived: wrap again, once
            self.call_later(self._rewrap)
        scroll_x, scroll_y = self.scroll_offset
        index = scroll_y + y
        style = self._line_style
        done, tail = self._done, self._open_strips
        if index < len(done):
            line = done[index]
        elif index - len(done) < len(tail):
            line = tail[index - len(done)]
        else:
            return Strip.blank(width, style)
        if scroll_x:  # never scrolled sideways (the lines are wrapped to the view); just in case
            return line.crop_extend(scroll_x, scroll_x + width, style).apply_style(style)
        kept = self._styled.get(id(line))
        if kept is not None and kept[0] is line:  # the same line, in view since the last frame
            return kept[1]
        styled = line.crop_extend(0, width, style).apply_style(style)
        self._styled[id(line)] = (line, styled)
        return styled
