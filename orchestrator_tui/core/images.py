"""Images attached to a prompt: read with a size limit, recognised by their first bytes.

The format is taken from the file's content, not its name, so a text file renamed ``.png`` is
refused with a message that says so. Which models may receive images is the catalog's ``vision``;
how large an image a provider accepts is its ``max_image_bytes`` setting (default 10 MB).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from orchestrator_tui.core.catalog import ModelConfig, ProviderConfig
from orchestrator_tui.core.errors import OrchError
from orchestrator_tui.core.types import ImagePart, Message

MAX_IMAGE_BYTES = 10 * 1024 * 1024
"""The default limit: what every provider we ship accepts for one image inline, or close to it."""

SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)
FORMATS = "PNG, JPEG, GIF or WebP"


class ImageError(OrchError):
    """The file cannot be attached as an image; the message says why."""


def media_type(head: bytes) -> str | None:
    """The image type from a file's first bytes, or ``None`` when it is not an image we send."""
    for signature, kind in SIGNATURES:
        if head.startswith(signature):
            return kind
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None


def megabytes(size: int) -> str:
    """A size as a person reads it: MB from one megabyte up, with its bytes (a file just over a
    limit rounds to the limit's own MB), else bytes."""
    if size < 1024 * 1024:
        return f"{size:,} bytes"
    return f"{size / (1024 * 1024):.1f} MB ({size:,} bytes)"


def load_image(path: str | Path, limit: int = MAX_IMAGE_BYTES) -> ImagePart:
    """The image at ``path``; raises ``ImageError`` for a missing, non-image or too large file.

    The kind is checked first: a large text file is "not an image", whatever its size."""
    file = Path(path).expanduser()
    if not file.is_file():
        raise ImageError(f"{file}: no such file")
    with file.open("rb") as stream:
        kind = media_type(stream.read(16))
    if kind is None:
        raise ImageError(f"{file.name} is not an image ({FORMATS}); it was not attached")
    size = file.stat().st_size
    if size > limit:
        raise ImageError(
            f"{file.name} is {megabytes(size)}; images may be at most {megabytes(limit)}"
        )
    data = file.read_bytes()
    return ImagePart(kind, data, str(file.absolute()), hashlib.sha256(data).hexdigest())


def refusal(model: ModelConfig, provider: ProviderConfig, messages: list[Message]) -> str | None:
    """Why these messages' images cannot go to ``model`` (a note for its pane), or ``None``."""
    images = [image for message in messages for image in message.images]
    if not images:
        return None
    if not model.vision:
        return f"{model.name} does not take images (its catalog entry has no `vision: true`)"
    limit = int(provider.settings.get("max_image_bytes", MAX_IMAGE_BYTES))
    for image in images:
        if len(image.data) > limit:
            return (
                f"{Path(image.path).name or 'an image'} is {megabytes(len(image.data))}; "
                f"{provider.name} takes images of at most {megabytes(limit)}"
            )
    return None
