"""Answers drawn as Markdown (the TUI's panes, `ask` and `run` on a terminal): a link shows where
it points, and nothing in the lines drawn is a terminal hyperlink or a control character."""

from __future__ import annotations

import io
import re

import pytest
from rich.console import Console, RenderableType

from orchestrator_tui.cli.terminal import markdown
from orchestrator_tui.core.text import terminal_safe
from orchestrator_tui.tui.markdown_blocks import rich_markdown

ANSWER = (
    "See [the docs](https://example.org/docs), [a share](smb://evil.example/share),"
    " <ssh://evil.example> and ![an image](file:///etc/passwd).\n\n"
    "Entities: &#27;[2J &#x9b;2J &#12; &#13; &#0; done.\n"
)
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def drawn(renderable: RenderableType) -> tuple[str, list[str]]:
    """The text of the lines drawn, and every hyperlink among their styles."""
    console = Console(width=200, file=io.StringIO(), color_system="truecolor")
    lines = console.render_lines(renderable, console.options, pad=False)
    segments = [segment for line in lines for segment in line]
    links = [s.style.link for s in segments if s.style is not None and s.style.link]
    return "\n".join("".join(s.text for s in line) for line in lines), links


@pytest.mark.parametrize(
    "render", [lambda text: rich_markdown(terminal_safe(text)), markdown], ids=["tui", "cli"]
)
def test_links_show_their_target_as_text_and_are_never_hyperlinks(render) -> None:  # type: ignore[no-untyped-def]
    text, links = drawn(render(ANSWER))
    assert links == []
    assert "the docs (https://example.org/docs)" in text
    assert "a share (smb://evil.example/share)" in text
    assert "ssh://evil.example" in text
    assert CONTROL.search(text) is None  # entities that decode to controls are not drawn as them
    assert "done." in text
