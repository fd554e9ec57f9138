"""Untrusted text (answers, files, the history) as something Textual draws: never parsed as markup,
its control characters shown as symbols (``terminal_safe``), so it cannot style or drive the terminal.

A ``str`` handed to ``Static``, ``Label`` or ``notify`` is parsed as markup, so model text goes in
through ``content`` (Textual widgets) or ``text`` (Rich renderables, e.g. table cells).
"""

from __future__ import annotations

from rich.console import OverflowMethod
from rich.text import Text
from textual.content import Content

from orchestrator_tui.core.text import terminal_safe


def content(text: str, style: str = "") -> Content:
    """``text`` as Textual ``Content``, optionally in one style (``"bold $error"``)."""
    return Content.styled(terminal_safe(text), style) if style else Content(terminal_safe(text))


def text(
    text: str,
    style: str = "",
    *,
    no_wrap: bool | None = None,
    overflow: OverflowMethod | None = None,
) -> Text:
    """``text`` as a Rich ``Text``."""
    return Text(terminal_safe(text), style, no_wrap=no_wrap, overflow=overflow)
