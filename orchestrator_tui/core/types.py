"""Domain types shared by the engine, the providers and every front end."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any, Literal

Role = Literal["system", "user", "assistant"]


@dataclass(frozen=True, slots=True)
class ModelRef:
    """A model named ``provider:model`` (``anthropic:claude-sonnet-4-5``, ``mock:echo``)."""

    provider: str
    name: str

    @classmethod
    def parse(cls, text: str) -> ModelRef:
        provider, sep, name = text.strip().partition(":")
        if not sep or not provider or not name:
            raise ValueError(f"model {text!r} is not of the form provider:model")
        return cls(provider, name)

    def __str__(self) -> str:
        return f"{self.provider}:{self.name}"


@dataclass(frozen=True, slots=True)
class TextPart:
    text: str


@dataclass(frozen=True, slots=True)
class ImagePart:
    """An image sent with a message: its bytes and type, and for the history where it came from
    (``path``, absolute, so a reopened session can read it again) and its SHA-256 (the history
    keeps these two, not the bytes)."""

    media_type: str
    data: bytes = field(repr=False)
    path: str = ""
    sha256: str = ""

    @property
    def base64(self) -> str:
        import base64

        return base64.b64encode(self.data).decode("ascii")

    @property
    def data_url(self) -> str:
        return f"data:{self.media_type};base64,{self.base64}"

    def describe(self) -> str:
        """What was attached, for notes and exports: path, type and size."""
        return f"{self.path or 'image'} ({self.media_type}, {len(self.data):,} bytes)"


Part = TextPart | ImagePart


@dataclass(frozen=True, slots=True, init=False)
class Message:
    """One turn. Its content is an ordered list of parts, text and images interleaved as given;
    every provider sends them in that order."""

    role: Role
    content: tuple[Part, ...]

    def __init__(self, role: Role, content: str | Iterable[Part]) -> None:
        """A string is the usual text-only turn: one text part."""
        parts = (TextPart(content),) if isinstance(content, str) else tuple(content)
        object.__setattr__(self, "role", role)
        object.__setattr__(self, "content", parts)

    @property
    def text(self) -> str:
        """The text parts joined (what templates, estimates and the history's search read)."""
        return "".join(part.text for part in self.content if isinstance(part, TextPart))

    @property
    def images(self) -> tuple[ImagePart, ...]:
        return tuple(part for part in self.content if isinstance(part, ImagePart))

    def plain(self) -> str:
        """The parts in order as text alone, an image as a line naming it: what a reader of text
        only (the mock models, a summary's transcript) is given."""
        return "\n".join(
            part.text if isinstance(part, TextPart) else f"[image {part.describe()}]"
            for part in self.content
        )


@dataclass(frozen=True, slots=True)
class GenerationParams:
    """What the user may tune per request; ``None`` leaves the provider's default."""

    temperature: float | None = None
    max_tokens: int | None = None
    system: str | None = None

    def merged(self, other: GenerationParams | None) -> GenerationParams:
        """``other``'s set fields win over ours (per-model settings over run defaults)."""
        if other is None:
            return self
        changes = {k: v for k, v in other.as_dict().items() if v is not None}
        return replace(self, **changes)

    def as_dict(self) -> dict[str, Any]:
        return {
            "temperature": self.temperature,
            "max_tokens": self.max_tokens,
            "system": self.system,
        }


@dataclass(frozen=True, slots=True)
class LLMRequest:
    """One call to one model: the conversation so far plus parameters.

    ``options`` carries provider-specific settings from ``models.yaml`` (the mock's speed, say).
    """

    model: ModelRef
    messages: tuple[Message, ...]
    params: GenerationParams = GenerationParams()
    options: dict[str, Any] = field(default_factory=dict)

    @property
    def system(self) -> str | None:
        return self.params.system


@dataclass(frozen=True, slots=True)
class Usage:
    """Token counts as the provider reported them; ``None`` when it did not."""

    input_tokens: int | None = None
    output_tokens: int | None = None


@dataclass(frozen=True, slots=True)
class ModelInfo:
    ref: ModelRef
    context_window: int | None = None
    streaming: bool = True
    vision: bool = False
    description: str = ""


@dataclass(frozen=True, slots=True)
class Review:
    """A scorer's verdict on one answer: ``score`` in 0..1.

    ``response_id`` is the reviewer model's own reply, when a model gave the verdict.
    """

    score: float
    feedback: str = ""
    suggestions: tuple[str, ...] = ()
    reviewer: str = ""
    response_id: str | None = None
