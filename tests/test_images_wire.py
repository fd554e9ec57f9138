"""Images through every real SDK: the exact request body each sends, against the loopback server."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from orchestrator_tui.core.images import load_image
from orchestrator_tui.core.types import Part, TextPart
from tests.images import tiny_png
from tests.wire.bodies import expected_turn
from tests.wire.engine import MODELS
from tests.wire.fixtures import wire_server  # noqa: F401 - the `wire` fixture
from tests.wire.guard import loopback_only  # noqa: F401 - a fixture
from tests.wire.server import WireServer

pytestmark = pytest.mark.usefixtures("loopback_only")


QUESTION = "what is in this picture?"


async def sent_body(prompt: Sequence[Part], provider: str, wire: WireServer) -> dict:  # type: ignore[type-arg]
    """The body the real SDK sent for ``prompt``, once its answer came back well."""
    from orchestrator_tui.services import open_services

    services = await open_services()
    try:
        run = services.orchestrator.fan_out(prompt, [MODELS[provider]])
        await run.wait()
    finally:
        await services.aclose()
    (ended,) = run.results.values()
    assert ended.status == "ok", ended.error
    return wire.requests[-1].body


def last_turn(provider: str, body: dict) -> dict:  # type: ignore[type-arg]
    return (body["contents"] if provider == "gemini" else body["messages"])[-1]


@pytest.mark.parametrize("provider", sorted(MODELS))
async def test_each_sdk_sends_the_image_as_its_api_documents(
    wire: WireServer, provider: str, tmp_path: Path
) -> None:
    photo = tmp_path / "photo.png"
    photo.write_bytes(tiny_png())
    body = await sent_body((TextPart(QUESTION), load_image(photo)), provider, wire)
    assert last_turn(provider, body) == expected_turn(provider, QUESTION, photo.read_bytes())


@pytest.mark.parametrize("provider", sorted(MODELS))
async def test_each_sdk_sends_text_and_images_interleaved_in_the_order_given(
    wire: WireServer, provider: str, tmp_path: Path
) -> None:
    before, after = tmp_path / "before.png", tmp_path / "after.png"
    before.write_bytes(tiny_png(2, 2))
    after.write_bytes(tiny_png(3, 3))
    prompt = (
        TextPart("This is the kitchen before:"),
        load_image(before),
        TextPart("and this is it after. What changed?"),
        load_image(after),
    )
    body = await sent_body(prompt, provider, wire)
    assert last_turn(provider, body) == expected_turn(
        provider,
        "This is the kitchen before:",
        before.read_bytes(),
        "and this is it after. What changed?",
        after.read_bytes(),
    )
