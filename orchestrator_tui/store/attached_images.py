"""The images of a stored prompt: what the history keeps of each, and the prompt rebuilt from it.

A prompt's text is its ``content``; each image it carried is kept in its metadata as its path,
type, size, SHA-256 and place in the text (``at``: the characters of text before it), never its
bytes. Continuing a session reads each image again from its path, if the file still has that hash.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from orchestrator_tui.core.images import ImageError, load_image
from orchestrator_tui.core.types import ImagePart, Message, Part, TextPart
from orchestrator_tui.store.rows import InteractionRow


def attachment_records(prompt: Message) -> list[dict[str, Any]]:
    """Each image of ``prompt`` as the history keeps it, in order."""
    records: list[dict[str, Any]] = []
    at = 0
    for part in prompt.content:
        if isinstance(part, TextPart):
            at += len(part.text)
            continue
        records.append(
            {
                "path": part.path,
                "media_type": part.media_type,
                "bytes": len(part.data),
                "sha256": part.sha256,
                "at": at,
            }
        )
    return records


def attachments_of(prompt: InteractionRow) -> list[dict[str, Any]]:
    """The records of the images a stored prompt carried (none for any other interaction)."""
    records = prompt.metadata.get("attachments") if prompt.type == "prompt" else None
    return [r for r in records if isinstance(r, dict)] if isinstance(records, list) else []


def stored_prompt(prompt: InteractionRow) -> tuple[Message, list[str]]:
    """The prompt as it was sent: its text with each image read again at its place, and each
    image that could not be (moved, deleted or changed since), named with why."""
    text = prompt.content
    parts: list[Part] = []
    lost: list[str] = []
    start = 0
    for record in attachments_of(prompt):
        image = _read_again(record)
        if isinstance(image, str):
            lost.append(image)
            continue
        at = record.get("at")
        at = min(max(at if isinstance(at, int) else len(text), start), len(text))
        if at > start:
            parts.append(TextPart(text[start:at]))
            start = at
        parts.append(image)
    if start < len(text) or not parts:
        parts.append(TextPart(text[start:]))
    return Message("user", parts), lost


def _read_again(record: dict[str, Any]) -> ImagePart | str:
    """The image a record names, or why it cannot be sent again."""
    path = str(record.get("path") or "")
    if not path or not Path(path).is_file():
        return f"{path or 'an image'} (no longer there)"
    try:
        image: ImagePart | None = load_image(path)
    except (ImageError, OSError):
        image = None
    if image is None or image.sha256 != record.get("sha256"):
        return f"{path} (changed since it was sent)"
    return image
