"""Untrusted text made safe to print on a terminal.

A model's answer, a file or an imported history may carry control characters: ``ESC`` starts the
sequences that set the clipboard (OSC 52), the window title (OSC 0), hyperlinks (OSC 8) or wipe
the screen (``ESC[2J``); the 8-bit C1 controls do the same in one character (U+009B is ``ESC[``,
U+009D ``ESC]``). ``terminal_safe`` shows every control as a visible symbol instead, so no escape
sequence of any kind reaches the terminal, and nothing is hidden from the reader either.
"""

from __future__ import annotations

import re

_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
"""What a terminal would act on or cannot encode: C0 controls but newline and tab, DEL, C1
controls, and lone surrogates (which no UTF-8 stream can carry)."""


def _symbols() -> dict[int, str]:
    table = {code: chr(0x2400 + code) for code in range(0x20) if code not in (0x09, 0x0A)}
    table[0x7F] = "\u2421"  # ␡
    # A C1 control means ESC followed by (code - 0x40) (ECMA-48 8.3): shown as ␛ and that letter,
    # so U+009B reads ␛[ like the 7-bit CSI it stands for.
    table.update({code: "\u241b" + chr(code - 0x40) for code in range(0x80, 0xA0)})
    table.update(dict.fromkeys(range(0xD800, 0xE000), "\ufffd"))
    return table


_SYMBOLS = _symbols()


def terminal_safe(text: str) -> str:
    """``text`` with every control character but newline and tab shown as a visible symbol.

    C0 controls become their control pictures (U+2400..U+241F: ESC is ␛, NUL ␀), DEL is ␡, a C1
    control is ␛ and its 7-bit letter, a lone surrogate is U+FFFD; a CR that ends a line goes
    with the line end. Text without any of these is returned as it is, at the cost of one scan.
    """
    if _UNSAFE.search(text) is None:
        return text
    return text.replace("\r\n", "\n").translate(_SYMBOLS)
