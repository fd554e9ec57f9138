"""What each provider's API documents for a user turn, to compare request bodies with."""

from __future__ import annotations

import base64


def expected_part(provider: str, part: str | bytes) -> dict:  # type: ignore[type-arg]
    """One part (text, or a PNG's bytes) as each provider's API documents it."""
    if isinstance(part, str):
        return {"text": part} if provider == "gemini" else {"type": "text", "text": part}
    data = base64.b64encode(part).decode()
    if provider == "anthropic":
        source = {"type": "base64", "media_type": "image/png", "data": data}
        return {"type": "image", "source": source}
    if provider == "gemini":
        # google-genai writes the outer key in camelCase and the inner one as is
        return {"inlineData": {"data": data, "mime_type": "image/png"}}
    url = f"data:image/png;base64,{data}"
    return {"type": "image_url", "image_url": {"url": url} if provider == "openai" else url}


def expected_turn(provider: str, *parts: str | bytes) -> dict:  # type: ignore[type-arg]
    """A user turn of these parts, in this order, as each provider's API documents it."""
    key = "parts" if provider == "gemini" else "content"
    return {"role": "user", key: [expected_part(provider, part) for part in parts]}
