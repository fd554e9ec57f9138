"""Streaming Markdown as top-level blocks, so a finished block is rendered once and never again.

Rich renders a document as its top-level blocks one after another, with a blank line between
them (none after a horizontal rule; lists, quotes and tables bring their own). Splitting the text
where markdown-it puts top-level boundaries and rendering runs of blocks alone therefore gives the
same lines as one render of the whole text. Only the last block of a growing text can still
change; everything before it is final.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token
    from rich.markdown import Markdown

_CONTAINERS = frozenset({"bullet_list_open", "ordered_list_open", "blockquote_open", "table_open"})
_REFERENCE = re.compile(r"^ {0,3}\[[^\]\n]+\]:", re.MULTILINE)


def may_define_references(text: str) -> bool:
    """Link reference definitions make one block depend on another: such text is drawn whole."""
    return _REFERENCE.search(text) is not None


@cache
def _parser() -> MarkdownIt:
    """The same parser Rich uses, built on first use (importing it delays the first paint)."""
    from markdown_it import MarkdownIt

    return MarkdownIt().enable("strikethrough").enable("table")


@cache
def _template() -> Markdown:
    """Links are drawn as ``text (target)``, never as terminal hyperlinks: an answer's link may
    point at ``file:///etc/passwd`` as well as at a web page."""
    from rich.markdown import Markdown

    return Markdown("", hyperlinks=False)


def rich_markdown(source: str, tokens: Sequence[Token] | None = None) -> Markdown:
    """Rich's Markdown for ``source``; with ``tokens`` (already parsed) it is not parsed again.

    Rich builds a new markdown-it parser for every ``Markdown``, which costs more than rendering a
    small block, so a copy of one template gets the source and its tokens instead.
    """
    if tokens is None:
        tokens = _parser().parse(source)
    markdown = copy.copy(_template())
    markdown.markup = source
    markdown.parsed = list(tokens)
    return markdown


_WARM_UP_SAMPLE = """# Title

Some *text* with `code` and a [link](https://example.org).

- one
- two

| a | b |
| - | - |
| 1 | 2 |

```python
print("hello")
```
"""


def warm_up() -> None:
    """Load the parser, Rich's Markdown, tables and Pygments by drawing a sample once, so the
    first answer does not pay for those imports (safe in a thread: it uses its own console)."""
    import io

    from rich.console import Console

    console = Console(width=40, file=io.StringIO(), color_system="truecolor")
    console.render_lines(rich_markdown(_WARM_UP_SAMPLE), console.options)


@dataclass(frozen=True, slots=True)
class Block:
    source: str
    kind: str
    """The markdown-it token type that opens the block (``paragraph_open``, ``fence``, ``hr`` …)."""
    start: int
    """Offset of the block's first character in the text that was split."""
    tokens: tuple[Token, ...] = ()

    @property
    def blank_after(self) -> bool:
        """Rich puts a blank line after every top-level block except a horizontal rule."""
        return self.kind != "hr"

    @property
    def brings_own_blank(self) -> bool:
        """Lists, quotes and tables start with their blank line even when rendered alone."""
        return self.kind in _CONTAINERS


def split_blocks(text: str) -> tuple[list[Block], bool]:
    """The top-level blocks of ``text`` with their tokens, and whether it defines link references."""
    env: dict[str, object] = {}
    tokens = _parser().parse(text, env)
    lines = text.splitlines(keepends=True)
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))
    blocks: list[Block] = []
    opened: int | None = None
    for index, token in enumerate(tokens):
        if token.level != 0:
            continue
        if token.nesting == 1:
            opened = index
            continue
        first = opened if token.nesting == -1 else index
        opening = tokens[first] if first is not None else token
        if opening.map is None:
            continue
        start, end = opening.map
        source = "".join(lines[start:end])
        blocks.append(Block(source, opening.type, offsets[start], tuple(tokens[first : index + 1])))
    return blocks, bool(env.get("references"))
