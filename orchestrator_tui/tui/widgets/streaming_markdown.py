"""A Markdown view that streams cheaply: one widget, lines drawn through Textual's Line API.

Finished top-level blocks are rendered once with Rich and kept as strips; only the open last block
is rendered again, at most every ``interval`` seconds. When the text is complete its blocks are
checked against one parse of the whole text, so the final lines equal a one-shot render.
"""

from __future__ import annotations

from dataclasses import dataclass
from time import monotonic

from rich.markdown import Markdown
from rich.segment import Segment
from rich.text import Text
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.timer import Timer

from orchestrator_tui.tui.markdown_blocks import Block, split_blocks, visible_controls

_BLANK = Strip([])


@dataclass(slots=True)
class _Rendered:
    block: Block
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
        self._tail_start = 0
        """Offset in ``_text`` where the open (unfinished) part begins."""
        self._prefix: list[Markdown | Text | None] = []
        """Earlier messages (Markdown), notes (Text) and blank lines (None), wrapped on demand."""
        self._prefix_lines: list[Strip] | None = None
        """``_prefix`` rendered at ``_width``; ``None`` when it must be rendered again."""
        self._blocks: list[_Rendered] = []
        self._tail: list[Strip] = []
        self._tail_block: Block | None = None
        self._done: list[Strip] = []
        """Lines of the prefix and the finished blocks, in order: what ``render_line`` reads."""
        self._width = 0
        self._flush_timer: Timer | None = None
        self._flush_scheduled = False
        self._last_flush = 0.0
        self._end_y = 0
        self._stale = False
        self._rewrap_scheduled = False
        """Where the view last scrolled to follow the tail."""

    @property
    def text(self) -> str:
        """The current message's Markdown source, including text not yet drawn."""
        return self._text + "".join(self._pending)

    @property
    def line_count(self) -> int:
        return len(self._done) + len(self._tail)

    def lines(self) -> list[Strip]:
        return [*self._done, *self._tail]

    def append(self, text: str) -> None:
        """Queue streamed text; it is drawn on the next frame (first text) or within ``interval``."""
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
        """The text is complete: draw everything, final lines equal to one render of the whole."""
        self._cancel_timer()
        self._text += "".join(self._pending)
        self._pending.clear()
        blocks, has_references = split_blocks(self._text)
        drawn = [r.block.source for r in self._blocks]
        if has_references:
            blocks = [Block(self._text, "document", 0)]
        if drawn != [b.source for b in blocks[: len(drawn)]] or has_references:
            self._blocks.clear()
            self._tail_start = 0
            blocks_left = blocks
        else:
            blocks_left = blocks[len(drawn) :]
        for block in blocks_left:
            self._blocks.append(_Rendered(block, self._render(block)))
        self._tail_start = len(self._text)
        self._tail, self._tail_block = [], None
        self._rebuild_done()
        self._show()

    def set_text(self, text: str) -> None:
        """Show a complete text at once (a reopened answer)."""
        self.reset()
        self._pending.append(text)
        self.finish()

    def note(self, text: Text) -> None:
        """Close the current message and add a line of plain text (a follow-up's prompt, an error)."""
        self.finish()
        if self._text:
            self._prefix.append(Markdown(visible_controls(self._text)))
        if self._prefix:
            self._prefix.append(None)
        self._prefix += [text, None]
        self._prefix_lines = None
        self._text, self._tail_start, self._blocks = "", 0, []
        self._rebuild_done()
        self._show()

    def reset(self) -> None:
        self._cancel_timer()
        self._text, self._tail_start = "", 0
        self._pending.clear()
        self._prefix.clear()
        self._prefix_lines = None
        self._blocks.clear()
        self._tail, self._tail_block = [], None
        self._rebuild_done()
        self._show()

    def code_blocks(self) -> list[str]:
        """The fenced and indented code of the current message, without the fences."""
        blocks, _ = split_blocks(self.text)
        codes = []
        for block in blocks:
            if block.kind == "fence":
                lines = block.source.splitlines()[1:]
                if lines and lines[-1].strip().startswith(("```", "~~~")):
                    lines = lines[:-1]
                codes.append("\n".join(lines))
            elif block.kind == "code_block":
                codes.append("\n".join(line[4:] for line in block.source.rstrip().splitlines()))
        return codes

    # -- drawing -------------------------------------------------------------------------------

    def _cancel_timer(self) -> None:
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
        blocks, _ = split_blocks(self._text[self._tail_start :])
        if not blocks:
            return
        base = self._tail_start
        for block in blocks[:-1]:
            placed = Block(block.source, block.kind, base + block.start)
            rendered = _Rendered(placed, self._render(placed))
            self._blocks.append(rendered)
            self._done.extend(self._joined(len(self._blocks) - 1))
        last = blocks[-1]
        self._tail_start = base + last.start
        self._tail_block = Block(last.source, last.kind, self._tail_start)
        self._render_tail()
        self._show()

    def _render_tail(self) -> None:
        block = self._tail_block
        if block is not None:
            self._tail = [*self._separator(block, len(self._blocks)), *self._render(block)]

    def _render(self, block: Block) -> list[Strip]:
        if not self.scrollable_content_region.width:
            self._stale = True  # not laid out yet: drawn once the size is known
            return []
        width = self._wrap_width()
        console = self.app.console
        options = console.options.update_width(width)
        markdown = Markdown(visible_controls(block.source))
        return [
            Strip(Segment.simplify(line))
            for line in console.render_lines(markdown, options, pad=False)
        ]

    def _separator(self, block: Block, index: int) -> list[Strip]:
        if index == 0:
            return [_BLANK] if self._prefix and not block.brings_own_blank else []
        previous = self._blocks[index - 1].block
        return [_BLANK] if previous.blank_after and not block.brings_own_blank else []

    def _joined(self, index: int) -> list[Strip]:
        rendered = self._blocks[index]
        return [*self._separator(rendered.block, index), *rendered.strips]

    def _done_blocks_strips(self) -> list[Strip]:
        return [line for index in range(len(self._blocks)) for line in self._joined(index)]

    def _prefix_strips(self) -> list[Strip]:
        if self._prefix_lines is not None:
            return self._prefix_lines
        if not self.scrollable_content_region.width:
            self._stale = True
            return []
        options = self.app.console.options.update_width(self._wrap_width())
        lines: list[Strip] = []
        for item in self._prefix:
            if item is None:
                lines.append(_BLANK)
            else:
                rendered = self.app.console.render_lines(item, options, pad=False)
                lines += [Strip(Segment.simplify(line)) for line in rendered]
        self._prefix_lines = lines
        return lines

    def _rebuild_done(self) -> None:
        self._done = [*self._prefix_strips(), *self._done_blocks_strips()]

    def _content_width(self) -> int:
        return max(self.scrollable_content_region.width, 10)

    def _wrap_width(self) -> int:
        """The width to render at now; a render at another width than the rest marks it stale."""
        width = self._content_width()
        if width != self._width:
            self._stale = True
        return width

    @property
    def following(self) -> bool:
        """True unless the person scrolled up; new text then keeps the last line in view.

        Compared with where the view last scrolled itself, not with the current maximum, so a
        resize (which moves the maximum) never unsticks the view.
        """
        return self.scroll_y >= min(self._end_y, self.max_scroll_y)

    def _show(self) -> None:
        follow = self.following
        self.virtual_size = Size(self._content_width(), self.line_count)
        self.refresh()
        if follow:
            self._scroll_to_end()

    def _scroll_to_end(self) -> None:
        self._end_y = self.max_scroll_y
        self.scroll_to(y=self._end_y, animate=False, immediate=True, force=True)

    # -- Textual hooks ---------------------------------------------------------------------------

    def on_resize(self) -> None:
        if not self._rewrap() and self.following:
            self._scroll_to_end()

    def _rewrap(self) -> bool:
        """Render everything again at the current width if it changed; True when it did."""
        self._rewrap_scheduled = False
        width = self._content_width()
        if width == self._width and not self._stale:
            return False
        self._width, self._stale = width, False
        self._prefix_lines = None
        for rendered in self._blocks:
            rendered.strips = self._render(rendered.block)
        self._render_tail()
        self._rebuild_done()
        self._show()
        return True

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        index = scroll_y + y
        width = self.scrollable_content_region.width
        if (self._content_width() != self._width or self._stale) and not self._rewrap_scheduled:
            self._rewrap_scheduled = True  # sized after text arrived: wrap again, once
            self.call_later(self._rewrap)
        style = self.rich_style
        if index < len(self._done):
            line = self._done[index]
        elif index - len(self._done) < len(self._tail):
            line = self._tail[index - len(self._done)]
        else:
            return Strip.blank(width, style)
        return line.crop_extend(scroll_x, scroll_x + width, style).apply_style(style)
