"""Images through every real SDK: the exact request body each sends, against the loopback server."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from orchestrator_tui.core.images import load_image
from tests.images import tiny_png
from tests.wire.engine import MODELS
from tests.wire.fixtures import wire_server  # noqa: F401 - the `wire` fixture
from tests.wire.guard import loopback_only  # noqa: F401 - a fixture
from tests.wire.server import WireServer

pytestmark = pytest.mark.usefixtures("loopback_only")


def expected_turn(provider: str, data: str) -> dict:  # type: ignore[type-arg]
    """The user turn each provider's API documents for a text with one PNG."""
    url = f"data:image/png;base64,{data}"
    if provider == "anthropic":
        return {
            "role": "user",
            "content": [
                {
                    "type": "image",
                    "source": {"type": "base64", "media_type": "image/png", "data": data},
                },
                {"type": "text", "text": "what is in this picture?"},
            ],
        }
    if provider == "gemini":
        return {
            "role": "user",
            "parts": [
                {"text": "what is in this picture?"},
                # google-genai writes the outer key in camelCase and the inner one as is
                {"inlineData": {"data": data, "mime_type": "image/png"}},
            ],
        }
    image = {"url": url} if provider == "openai" else url
    return {
        "role": "user",
        "content": [
            {"type": "text", "text": "what is in this picture?"},
            {"type": "image_url", "image_url": image},
        ],
    }


@pytest.mark.parametrize("provider", sorted(MODELS))
async def test_each_sdk_sends_the_image_as_its_api_documents(
    wire: WireServer, provider: str, tmp_path: Path
) -> None:
    from orchestrator_tui.services import open_services

    photo = tmp_path / "photo.png"
    photo.write_bytes(tiny_png())
    image = load_image(photo)
    services = await open_services()
    try:
        run = services.orchestrator.fan_out(
            "what is in this picture?", [MODELS[provider]], images=[image]
        )
        await run.wait()
    finally:
        await services.aclose()
    (ended,) = run.results.values()
    assert ended.status == "ok", ended.error
    body = wire.requests[-1].body
    turns = body["contents"] if provider == "gemini" else body["messages"]
    assert turns[-1] == expected_turn(provider, base64.b64encode(photo.read_bytes()).decode())
