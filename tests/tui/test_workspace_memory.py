"""What the workspace remembers between runs: the models chosen and each one's own settings
(kept beside the history, never in the user's config files); the config's choice wins."""

from __future__ import annotations

import json

from textual.widgets import Input

from orchestrator_tui.config import Paths
from orchestrator_tui.tui.screens.model_params import ModelParamsScreen
from orchestrator_tui.tui.widgets.model_picker import ModelPicker


async def set_max_tokens(ws, model: str, value: str) -> None:  # type: ignore[no-untyped-def]
    picker = ws.screen.query_one(ModelPicker)
    options = picker.query_one("SelectionList")
    options.highlighted = options.get_option_index(model)
    options.focus()
    await ws.pilot.press("p")
    await ws.until(lambda: isinstance(ws.app.screen, ModelParamsScreen), "dialog open")
    ws.app.screen.query_one("#max_tokens", Input).value = value
    await ws.pilot.press("ctrl+s")
    await ws.until(lambda: model in ws.screen.session.params, "saved")


async def test_the_selection_and_per_model_settings_survive_a_restart(
    open_workspace, paths: Paths
) -> None:
    async with open_workspace() as ws:
        await ws.send("/models mock:echo, mock:flaky")
        await ws.until(lambda: ws.screen.session.models == ["mock:echo", "mock:flaky"], "chosen")
        await set_max_tokens(ws, "mock:flaky", "7")
        await ws.app.workers.wait_for_complete()
    config_files = sorted(p.name for p in paths.config_dir.iterdir())
    assert "config.yaml" not in config_files  # nothing written into the user's config
    async with open_workspace() as ws:
        assert ws.screen.session.models == ["mock:echo", "mock:flaky"]
        assert ws.screen.session.params["mock:flaky"].max_tokens == 7
        picker = ws.screen.query_one(ModelPicker)
        assert picker.selected == ["mock:echo", "mock:flaky"]


async def test_default_models_in_the_config_win_over_the_remembered_ones(
    open_workspace, paths: Paths
) -> None:
    paths.user_state.write_text(json.dumps({"models": ["mock:flaky"]}), encoding="utf-8")
    paths.settings_file.write_text("default_models: [mock:judge]\n", encoding="utf-8")
    async with open_workspace() as ws:
        assert ws.screen.session.models == ["mock:judge"]


async def test_a_broken_state_file_starts_as_a_first_run(open_workspace, paths: Paths) -> None:
    paths.user_state.write_text("{not json", encoding="utf-8")
    async with open_workspace() as ws:
        assert ws.screen.session.models == ["mock:lorem", "mock:echo"]
        await ws.send("hello")
        await ws.settled()
    assert json.loads(paths.user_state.read_text(encoding="utf-8"))["prompts"] == ["hello"]
