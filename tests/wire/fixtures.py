"""The wire server as a fixture: every SDK provider pointed at it, each with a test key set."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.wire.engine import KEYS, models_yaml
from tests.wire.server import WireServer


@pytest.fixture(name="wire")
async def wire_server(write_models, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[WireServer]:  # type: ignore[no-untyped-def]
    server = await WireServer().start()
    write_models(models_yaml(server.url))
    for env in KEYS.values():
        monkeypatch.setenv(env, "sk-wire-test")
    try:
        yield server
    finally:
        await server.stop()
