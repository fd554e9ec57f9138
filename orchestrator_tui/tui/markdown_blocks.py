"""Streaming Markdown as top-level blocks, so a finished block is rendered once and never again.

Rich renders a document as its top-level blocks one after another, with a blank line between
them (none after a horizontal rule). Splitting the text where markdown-it puts top-level
boundaries and rendering each block alone therefore gives the same lines as one render of the
whole text. Only the last block of a growing text can still change; everything before it is final.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

_CONTAINERS = frozenset({"bullet_list_open", "ordered_list_open", "blockquote_open", "table_open"})
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def visible_controls(text: str) -> str:
    """Show control characters (ANSI escapes, bells) as their Unicode pictures, never execute them."""
    return _CONTROL.sub(
        lambda m: chr(0x2400 + ord(m.group())) if m.group() != "\x7f" else "␡", text
    )


@cache
def _parser() -> MarkdownIt:
    """The same parser Rich uses, built on first use (importing it delays the first paint)."""
    from markdown_it import MarkdownIt

    return MarkdownIt().enable("strikethrough").enable("table")


@dataclass(frozen=True, slots=True)
class Block:
    source: str
    kind: str
    """The markdown-it token type that opens the block (``paragraph_open``, ``fence``, ``hr`` …)."""
    start: int
    """Offset of the block's first character in the text that was split."""

    @property
    def blank_after(self) -> bool:
        """Rich puts a blank line after every top-level block except a horizontal rule."""
        return self.kind != "hr"

    @property
    def brings_own_blank(self) -> bool:
        """Lists, quotes and tables start with their blank line even when rendered alone."""
        return self.kind in _CONTAINERS


def split_blocks(text: str) -> tuple[list[Block], bool]:
    """The top-level blocks of ``text``, and whether it defines link references.

    Link reference definitions make one block depend on another, so a text with them must be
    rendered whole.
    """
    env: dict[str, object] = {}
    tokens = _parser().parse(text, env)
    lines = text.splitlines(keepends=True)
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))
    blocks: list[Block] = []
    for token in tokens:
        if token.level != 0 or token.nesting == -1 or token.map is None:
            continue
        first, last = token.map
        source = "".join(lines[first:last])
        blocks.append(Block(source, token.type, offsets[first]))
    return blocks, bool(env.get("references"))
