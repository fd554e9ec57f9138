"""Untrusted text (answers, files, the history) in the CLI: made safe on a terminal, kept as it is
in a pipe or a file, where it is data.

On a terminal every such text goes through ``terminal_safe`` (control characters shown as symbols)
and into Rich as ``Text`` or ``markdown`` (never parsed as markup, links shown as ``text
(target)`` rather than as terminal hyperlinks). Piped, ``echo`` and ``write`` pass the text on
byte for byte: no symbols, no wrapping, and no escape sequences stripped (click would strip them).
"""

from __future__ import annotations

import sys
from typing import IO, TYPE_CHECKING

import click
from rich.text import Text

from orchestrator_tui.core.text import terminal_safe

if TYPE_CHECKING:  # markdown-it loads with the first answer, not with every error message
    from rich.markdown import Markdown


def for_stream(text: str, stream: IO[str]) -> str:
    """``text`` as it may be written to ``stream``: made safe if that is a terminal."""
    return terminal_safe(text) if stream.isatty() else text


def echo(text: str, *, err: bool = False, nl: bool = True) -> None:
    """``click.echo`` for text that is not ours: safe on a terminal, unchanged in a pipe."""
    stream = sys.stderr if err else sys.stdout
    click.echo(for_stream(text, stream), err=err, nl=nl, color=True)


def write(text: str, stream: IO[str]) -> None:
    """Write ``text`` and a newline, bypassing Rich (which would wrap it): piped answers are data."""
    stream.write(for_stream(text, stream) + "\n")


def plain(text: str, style: str = "") -> Text:
    """Text for a Rich renderable (a panel, a table cell, a title), shown exactly as written."""
    return Text(terminal_safe(text), style)


def markdown(text: str) -> Markdown:
    """An answer rendered as Markdown, with its links as ``text (target)``: a link may point at
    ``file:///etc/passwd``, and a terminal hyperlink would hide where."""
    from rich.markdown import Markdown

    return Markdown(terminal_safe(text), hyperlinks=False)
