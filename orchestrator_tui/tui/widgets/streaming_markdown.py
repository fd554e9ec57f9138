"""A Markdown view that streams cheaply: one widget, lines drawn through Textual's Line API.

Finished top-level blocks are rendered once with Rich and kept as strips; only the open last block
is rendered again, at most every ``interval`` seconds. Blocks that finish together are rendered
together (one Rich render costs about the same for one block as for ten). When the text is
complete, what was drawn is checked against one parse of the whole text, so the final lines equal
a one-shot render.
"""

from __future__ import annotations

from dataclasses import dataclass
from time import monotonic
from typing import TYPE_CHECKING

from rich.console import RenderableType
from rich.segment import Segment
from rich.text import Text
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.timer import Timer

from orchestrator_tui.tui.markdown_blocks import Block, split_blocks, visible_controls

if TYPE_CHECKING:
    from rich.markdown import Markdown

_BLANK = Strip([])


def _markdown(source: str) -> Markdown:
    """Rich's Markdown of model text (imported on first use: it pulls in Pygments)."""
    from rich.markdown import Markdown

    return Markdown(visible_controls(source))


@dataclass(slots=True)
class _Group:
    """Consecutive top-level blocks, ``text[start:end]``, drawn by one Rich render."""

    start: int
    end: int
    opens_with_blank: bool
    blank_after: bool
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
    interval = 0.05
    """Seconds between renders of the open block while text streams in."""

    def __init__(self, *, name: str | None = None, id: str | None = None) -> None:
        super().__init__(name=name, id=id)
        self._text = ""
        self._pending: list[str] = []
        self._groups: list[_Group] = []
        self._open: _Group | None = None
        """The last block, still growing: drawn again on every flush."""
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

    # -- public ---------------------------------------------------------------------------------

    @property
    def text(self) -> str:
        """The current message's Markdown source, including text not yet drawn."""
        return self._text + "".join(self._pending)

    @property
    def line_count(self) -> int:
        return len(self._done) + (len(self._open.strips) if self._open else 0)

    def lines(self) -> list[Strip]:
        return [*self._done, *(self._open.strips if self._open else ())]

    def append(self, text: str) -> None:
        """Queue streamed text; it is drawn on the next turn of the loop or within ``interval``."""
        self._pending.append(text)
        if self._flush_scheduled:
            return
        self._flush_scheduled = True
        wait = self._last_flush + self.interval - monotonic()
        if wait > 0:
            self._flush_timer = self.set_timer(wait, self._flush)
        else:
            self.call_later(self._flush)

    def finish(self) -> None:
        """The text is complete: draw the rest; the lines then equal one render of the whole."""
        self._cancel_flush()
        self._text += "".join(self._pending)
        self._pending.clear()
        blocks, has_references = split_blocks(self._text)
        starts = {block.start for block in blocks} | {len(self._text)}
        drawn_ok = all(g.start in starts or g.start == 0 for g in self._groups) and (
            not self._groups or self._groups[-1].end in starts
        )
        if has_references or not drawn_ok:
            self._groups.clear()
        drawn_end = self._groups[-1].end if self._groups else 0
        rest = [block for block in blocks if block.start >= drawn_end]
        if rest:
            self._add_group(drawn_end if not self._groups else rest[0].start, rest, len(self._text))
        self._open = None
        self._rebuild_done()
        self._show()

    def set_text(self, text: str) -> None:
        """Show a complete text at once (a reopened answer)."""
        self.reset()
        self._pending.append(text)
        self.finish()

    def note(self, text: Text) -> None:
        """Close the current message and add a line of plain text (a follow-up's prompt)."""
        self.finish()
        if self._text:
            self._prefix += [_markdown(self._text), None]
        self._prefix += [text, None]
        self._prefix_lines = None
        self._text, self._groups = "", []
        self._rebuild_done()
        self._show()

    def reset(self) -> None:
        self._cancel_flush()
        self._text = ""
        self._pending.clear()
        self._prefix.clear()
        self._prefix_lines = None
        self._groups.clear()
        self._open = None
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

    def _cancel_flush(self) -> None:
        self._flush_scheduled = False
        if self._flush_timer is not None:
            self._flush_timer.stop()
            self._flush_timer = None

    def _flush(self) -> None:
        self._flush_timer = None
        self._flush_scheduled = False
        self._last_flush = monotonic()
        if not self._pending:
            return
        self._text += "".join(self._pending)
        self._pending.clear()
        base = self._groups[-1].end if self._groups else 0
        blocks, _ = split_blocks(self._text[base:])
        if not blocks:
            return
        blocks = [Block(b.source, b.kind, base + b.start) for b in blocks]
        if len(blocks) > 1:
            finished = blocks[:-1]
            self._add_group(
                base if not self._groups else finished[0].start, finished, blocks[-1].start
            )
            self._done += self._joined(len(self._groups) - 1)
        last = blocks[-1]
        self._open = self._group(last.start, [last], len(self._text), draw=False)
        self._open_lines()
        self._show()

    def _add_group(self, start: int, blocks: list[Block], end: int) -> None:
        self._groups.append(self._group(start, blocks, end))

    def _group(self, start: int, blocks: list[Block], end: int, *, draw: bool = True) -> _Group:
        group = _Group(start, end, blocks[0].brings_own_blank, blocks[-1].blank_after, [])
        if draw:
            group.strips = self._draw(group)
        return group

    # -- drawing --------------------------------------------------------------------------------

    def _draw(self, group: _Group) -> list[Strip]:
        return self._render(_markdown(self._text[group.start : group.end]))

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
        width = max(self.scrollable_content_region.width, 10)
        self.virtual_size = Size(width, self.line_count)
        self.refresh()
        if follow:
            self._scroll_to_end()

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

    def on_resize(self) -> None:
        if not self._rewrap() and self.following:
            self._scroll_to_end()

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        if (max(width, 10) != self._width or self._stale) and not self._rewrap_scheduled:
            self._rewrap_scheduled = True  # sized after text arrived: wrap again, once
            self.call_later(self._rewrap)
        scroll_x, scroll_y = self.scroll_offset
        index = scroll_y + y
        style = self.rich_style
        if index < len(self._done):
            line = self._done[index]
        elif self._open is not None and index - len(self._done) < len(self._open.strips):
            line = self._open.strips[index - len(self._done)]
        else:
            return Strip.blank(width, style)
        return line.crop_extend(scroll_x, scroll_x + width, style).apply_style(style)
