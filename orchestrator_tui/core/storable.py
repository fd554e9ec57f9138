"""Text that can be stored: what SQLite, JSON files and terminals accept, with damage left visible.

A model's answer may carry a lone surrogate (valid JSON: ``"\\ud83d"``), and a prompt from argv,
standard input or a file may carry bytes that are not UTF-8 (Python hands those on as the lone
surrogates U+DC80..U+DCFF). Neither can be encoded as UTF-8, so either would fail the first write.
Text is made storable where it enters the program: each such code point becomes U+FFFD, the
replacement character, so the damage shows instead of silently vanishing.
"""

from __future__ import annotations

REPLACEMENT = "\ufffd"


def storable(text: str) -> str:
    """``text`` with every surrogate code point replaced by U+FFFD (a split pair becomes one char).

    Cheap on the common path: text that encodes as UTF-8 is returned as it is.
    """
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        pass
    else:
        return text
    # UTF-16 joins a high and a low surrogate that stand side by side into the character they
    # spell, and turns every surrogate left alone into U+FFFD.
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


def decoded(data: bytes) -> str:
    """Bytes read from standard input or a file as text: what is not UTF-8 becomes U+FFFD."""
    return data.decode("utf-8", "replace")
