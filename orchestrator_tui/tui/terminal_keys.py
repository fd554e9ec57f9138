"""Keys terminals send that Textual does not name: xterm and tmux send alt+Enter as ESC then CR.

Textual's parser turns an ESC-prefixed sequence it does not know into the bare key, so alt+Enter
arrived as Enter and sent the prompt instead of breaking the line. Adding the sequence to its
table (a private module; checked by tests/tui/test_prompt_keys.py) makes it ``alt+enter``.
"""

from __future__ import annotations

from typing import cast


class _KeyName(str):
    """A key name in the form Textual's sequence table holds (its entries have ``.value``)."""

    @property
    def value(self) -> str:
        return str(self)


EXTRA_SEQUENCES = {"\x1b\r": "alt+enter"}


def install() -> None:
    from textual._ansi_sequences import ANSI_SEQUENCES_KEYS

    table = cast("dict[str, object]", ANSI_SEQUENCES_KEYS)  # a dict, typed as a Mapping
    for sequence, name in EXTRA_SEQUENCES.items():
        table.setdefault(sequence, (_KeyName(name),))
