"""Files attached to a prompt: text files go into it, images go with it as image parts.

Text is read with a size limit; an image (recognised by its first bytes) is read by
``core.images`` with its own limit; any other binary file is refused with a message.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from orchestrator_tui.core.errors import OrchError

if TYPE_CHECKING:  # the engine's types load after the first paint
    from orchestrator_tui.core.types import ImagePart

MAX_BYTES = 200_000
"""About 50,000 tokens: more than that belongs in a chain, not a prompt."""


class AttachmentError(OrchError):
    """The file cannot be attached; the message says why, for the person who typed the path."""


@dataclass(frozen=True, slots=True)
class Attachment:
    name: str
    text: str = ""
    image: ImagePart | None = None

    @property
    def size(self) -> int:
        return len(self.image.data) if self.image else len(self.text.encode("utf-8"))


def read_attachment(path: str | Path, limit: int = MAX_BYTES) -> Attachment:
    from orchestrator_tui.core.images import ImageError, load_image, media_type

    file = Path(path).expanduser()
    if not file.is_file():
        raise AttachmentError(f"{file}: no such file")
    with file.open("rb") as head:
        if media_type(head.read(16)):
            try:
                return Attachment(file.name, image=load_image(path))
            except ImageError as exc:
                raise AttachmentError(str(exc)) from None
    size = file.stat().st_size
    if size > limit:
        raise AttachmentError(f"{file.name} is {size:,} bytes; the limit is {limit:,}")
    data = file.read_bytes()
    if b"\x00" in data[:8192]:
        raise AttachmentError(
            f"{file.name} looks binary; only text files and images (PNG, JPEG, GIF, WebP) "
            "can be attached"
        ) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise AttachmentError(
            f"{file.name} is not UTF-8 text; only text files can be attached"
        ) from None
    return Attachment(file.name, text)


def with_attachments(prompt: str, attachments: list[Attachment]) -> str:
    """The prompt as sent: the user's text, then each file in a fenced block named after it."""
    parts = [prompt.rstrip()]
    for attachment in (a for a in attachments if a.image is None):
        fence = "````" if "```" in attachment.text else "```"
        parts.append(f"File `{attachment.name}`:\n{fence}\n{attachment.text.rstrip()}\n{fence}")
    return "\n\n".join(parts)


@dataclass(frozen=True, slots=True)
class PathCompletion:
    text: str
    """The path as typed, completed as far as it is unambiguous (``~`` kept)."""
    choices: tuple[str, ...] = ()
    """The names it could still become, when more than one (folders end with ``/``)."""


def complete_path(typed: str, cwd: Path | None = None, limit: int = 200) -> PathCompletion:
    """What Tab makes of a path being typed, as a shell does: the one matching name (a folder
    gets its ``/``), or the start that every match shares. Hidden names only when asked for
    with a leading dot; relative paths from ``cwd`` (default: the working directory)."""
    folder_part, _, stem = typed.rpartition("/")
    folder_typed = folder_part + "/" if typed.count("/") else ""
    base = Path(folder_typed or ".").expanduser()
    if not base.is_absolute():
        base = (cwd or Path.cwd()) / base
    try:
        entries = sorted(base.iterdir(), key=lambda e: e.name)[: limit * 10]
    except OSError:
        return PathCompletion(typed)
    names = [
        e.name + ("/" if e.is_dir() else "")
        for e in entries
        if e.name.startswith(stem) and (stem.startswith(".") or not e.name.startswith("."))
    ][:limit]
    if not names:
        return PathCompletion(typed)
    if len(names) == 1:
        return PathCompletion(folder_typed + names[0])
    common = names[0]
    for name in names[1:]:
        while not name.startswith(common):
            common = common[:-1]
    return PathCompletion(folder_typed + common, tuple(names))
