"""Discovered local models in the picker; no discovery before the first paint."""

from __future__ import annotations

import threading
from pathlib import Path

from textual.widgets import SelectionList
from textual.widgets.option_list import OptionDoesNotExist

from orchestrator_tui.config import Paths
from orchestrator_tui.tui.widgets.model_picker import ModelPicker
from tests.discovery_server import listing_server, models_yaml
from tests.tui.test_startup import at_first_paint, loaded


def discovered(options: SelectionList[str]) -> bool:
    try:
        options.get_option("local:local-coder")
    except OptionDoesNotExist:
        return False
    return True


async def test_discovered_models_appear_in_the_picker_marked(open_workspace) -> None:
    with listing_server() as url:
        async with open_workspace(models_yaml(url)) as ws:
            options = ws.screen.query_one(ModelPicker).query_one(SelectionList)
            await ws.until(lambda: discovered(options), "discovered models listed")
            assert "discovered" in str(options.get_option("local:local-coder").prompt)
            assert "discovered" in str(options.get_option("ollama:llama3.2:latest").prompt)
            assert "discovered" not in str(options.get_option("mock:echo").prompt)


def test_nothing_is_discovered_before_the_first_paint(tmp_path: Path) -> None:
    modules = at_first_paint(tmp_path).modules
    assert loaded(modules, "orchestrator_tui.discovery", "httpx") == []


async def test_a_default_model_found_by_discovery_is_selected_once_found(
    open_workspace, paths: Paths
) -> None:
    paths.settings_file.write_text(
        "default_models: [ollama:llama3.2:latest, echo, local:nowhere]\n", encoding="utf-8"
    )
    with listing_server() as url:
        async with open_workspace(models_yaml(url)) as ws:
            picker = ws.screen.query_one(ModelPicker)
            await ws.until(lambda: "ollama:llama3.2:latest" in picker.selected, "it selected")
            assert ws.screen.session.models == ["ollama:llama3.2:latest", "mock:echo"]
            assert sorted(picker.selected) == ["mock:echo", "ollama:llama3.2:latest"]
            await ws.until(lambda: ws.screen.grid.pane("ollama:llama3.2:latest"), "its pane")


async def test_a_selection_changed_before_discovery_answers_is_kept(
    open_workspace, paths: Paths
) -> None:
    paths.settings_file.write_text(
        "default_models: [echo, ollama:llama3.2:latest]\n", encoding="utf-8"
    )
    hold = threading.Event()
    with listing_server(hold) as url:
        async with open_workspace(models_yaml(url)) as ws:
            picker = ws.screen.query_one(ModelPicker)
            assert picker.selected == ["mock:echo"]  # the local server has not answered yet
            options = picker.query_one(SelectionList)
            options.select("mock:lorem")  # the person adds one meanwhile
            await ws.pilot.pause()
            hold.set()
            await ws.until(lambda: discovered(options), "discovered models listed")
            await ws.pilot.pause()
            assert ws.screen.session.models == ["mock:echo", "mock:lorem"]
            assert sorted(picker.selected) == ["mock:echo", "mock:lorem"]
