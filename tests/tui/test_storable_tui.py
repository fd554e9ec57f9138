"""The TUI records an answer whose stream carried lone surrogates, with visible replacements."""

from __future__ import annotations

import pytest

from orchestrator_tui.core.storable import REPLACEMENT
from tests.wire.engine import MODELS, models_yaml
from tests.wire.guard import loopback_only  # noqa: F401 - a fixture
from tests.wire.server import WireServer

SURROGATE_TOKENS = ("Hi ", "\ud83d", " there ", "\ude00", "!")
SAVED = f"Hi {REPLACEMENT} there {REPLACEMENT}!"


@pytest.mark.usefixtures("loopback_only")
async def test_the_tui_records_an_answer_with_lone_surrogates(open_workspace, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("OPENAI_API_KEY", "sk-wire-000000000000")
    server = await WireServer(tokens=SURROGATE_TOKENS).start()
    try:
        async with open_workspace(models_yaml(server.url)) as ws:
            await ws.send(f"/models {MODELS['openai']}")
            await ws.send("say hi")
            await ws.settled()
            pane = ws.pane(MODELS["openai"])
            assert pane.status == "ok" and pane.text == SAVED
            await ws.services.recorder.flush()
            [session] = await ws.services.sessions.list()
            rows = await ws.services.sessions.interactions(session.id)
    finally:
        await server.stop()
    assert session.status == "completed"
    assert [(r.type, r.status, r.content) for r in rows] == [
        ("prompt", "ok", "say hi"),
        ("response", "ok", SAVED),
    ]
