"""``terminal_safe``: whatever a model writes, nothing of it drives the terminal, and all of it is
still there to read."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from orchestrator_tui.core.text import terminal_safe

CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


def test_escape_sequences_are_shown_as_symbols_not_sent() -> None:
    hostile = (
        "\x1b]52;c;cm0gLXJmIH4=\x07"  # OSC 52: write the clipboard (BEL-terminated)
        "\x1b]52;c;ZWNobyBoaQ==\x1b\\"  # the same, ST-terminated
        "\x1b]0;pwned\x07"  # OSC 0: the window title
        "\x1b]8;;file:///etc/passwd\x1b\\x\x1b]8;;\x1b\\"  # OSC 8: a hyperlink
        "\x1b[2J\x1b[31mred\x1b[0m"  # wipe the screen, SGR colours
    )
    shown = terminal_safe(hostile)
    assert "\x1b" not in shown and "\x07" not in shown
    assert shown.startswith("␛]52;c;cm0gLXJmIH4=␇␛]52;c;ZWNobyBoaQ==␛\\␛]0;pwned␇")
    assert "␛]8;;file:///etc/passwd␛\\x" in shown and shown.endswith("␛[2J␛[31mred␛[0m")


def test_c1_controls_read_as_the_escape_they_stand_for() -> None:
    # U+009B is CSI (ESC [), U+009D OSC (ESC ]), U+0090 DCS (ESC P), U+009C ST (ESC \).
    assert terminal_safe("\x9b2J \x9d0;t\x9c \x90q\x9c \x85") == "␛[2J ␛]0;t␛\\ ␛Pq␛\\ ␛E"


def test_nul_del_and_carriage_returns_are_visible() -> None:
    assert terminal_safe("a\x00b\x7fc") == "a␀b␡c"
    # A lone CR would let "safe" overwrite what came before it on the line; CRLF is a line end.
    assert terminal_safe("rm -rf ~\rls\r\nnext") == "rm -rf ~␍ls\nnext"


def test_newlines_tabs_and_any_printable_text_are_untouched() -> None:
    text = "def f():\n\treturn 1  # café, 漢字, 🙂, ␛ already a symbol, [bold]not markup[/bold]"
    assert terminal_safe(text) is text


def test_a_lone_surrogate_becomes_a_replacement_character() -> None:
    assert terminal_safe("a\ud83db") == "a\ufffdb"
    terminal_safe("\ud83d").encode("utf-8")  # printable on any UTF-8 terminal


@given(st.text(alphabet=st.characters(exclude_categories=())))  # surrogates included
def test_no_text_carries_a_control_or_a_surrogate_through(text: str) -> None:
    shown = terminal_safe(text)
    assert UNSAFE.search(shown) is None
    shown.encode("utf-8")
    # Nothing is hidden: every line of the original is still a line (CRLF counts as one end).
    assert shown.count("\n") == text.count("\n")


@given(st.text(alphabet=st.characters(exclude_categories=("Cc", "Cs"))))
def test_text_without_controls_comes_back_as_it_was(text: str) -> None:
    assert terminal_safe(text) == text


@given(st.text(alphabet=st.characters(categories=("Cc",)), min_size=1))
def test_every_control_but_newline_and_tab_is_replaced_by_something_visible(text: str) -> None:
    shown = terminal_safe(text)
    controls = [c for c in text.replace("\r\n", "\n") if c not in "\n\t"]
    symbols = [c for c in shown if c not in "\n\t"]
    assert len(symbols) >= len(controls)
    assert all(char.isprintable() for char in symbols)
