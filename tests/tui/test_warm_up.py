"""After the first paint the selected models' providers get ready for the first request: their
clients made, their SDKs imported, a connection opened. Checked by what the loopback server sees,
never by time: a connection before Enter, and the first request going over it."""

from __future__ import annotations

import pytest

from orchestrator_tui.config import Paths
from orchestrator_tui.providers.common import SdkProvider
from orchestrator_tui.services import open_services
from orchestrator_tui.tui.app import OrchApp
from orchestrator_tui.tui.widgets.model_picker import ModelPicker
from tests.tui.conftest import Workspace
from tests.wire.engine import MODELS
from tests.wire.fixtures import wire_server  # noqa: F401 - the `wire` fixture
from tests.wire.guard import loopback_only  # noqa: F401 - a fixture
from tests.wire.server import WireServer

pytestmark = pytest.mark.usefixtures("loopback_only")


def posts(server: WireServer) -> int:
    return sum(r.method == "POST" for r in server.requests)


async def warmed(workspace: Workspace, server: WireServer, heads: int) -> None:
    """Until the app has connected ahead once more (a ``HEAD``) and its warm-up is over."""
    await workspace.until(
        lambda: sum(r.method == "HEAD" for r in server.requests) > heads, "a connection ahead"
    )
    await workspace.until(
        lambda: not any(w.group == "warm" and not w.is_finished for w in workspace.app.workers),
        "the warm-up finished",
    )


@pytest.mark.parametrize("provider", sorted(MODELS))
async def test_the_server_sees_a_connection_before_enter_and_the_first_request_uses_it(
    wire: WireServer, paths: Paths, provider: str
) -> None:
    model = MODELS[provider]
    paths.settings_file.write_text(f"default_models: [{model}]\n")
    services = await open_services(paths)
    app = OrchApp(services=services)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            workspace = Workspace(app, pilot, services)
            await warmed(workspace, wire, heads=0)
            assert wire.connections and not posts(wire)  # connected, and no model asked
            made = services.orchestrator.registry.get(provider)
            if isinstance(made, SdkProvider):
                assert made._client is not None  # the SDK imported and its client made
            connections = len(wire.connections)

            await workspace.send("hi")
            await workspace.settled()
            assert workspace.pane(model).text == "Hello from the wire"
            assert posts(wire) == 1
            assert len(wire.connections) == connections  # over the connection opened ahead
    finally:
        await services.aclose()


async def test_a_newly_selected_model_is_warmed_too(wire: WireServer, paths: Paths) -> None:
    paths.settings_file.write_text(f"default_models: [{MODELS['openai']}]\n")
    services = await open_services(paths)
    app = OrchApp(services=services)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            workspace = Workspace(app, pilot, services)
            await warmed(workspace, wire, heads=0)
            heads = sum(r.method == "HEAD" for r in wire.requests)
            picker = workspace.screen.query_one(ModelPicker)
            picker.select([MODELS["openai"], MODELS["mistral"]])
            await warmed(workspace, wire, heads=heads)
            assert services.orchestrator.registry.get("mistral")._client is not None  # type: ignore[attr-defined]
            assert not posts(wire)
    finally:
        await services.aclose()
