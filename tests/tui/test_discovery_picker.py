"""Discovered local models in the picker; no discovery before the first paint."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import SelectionList
from textual.widgets.option_list import OptionDoesNotExist

from orchestrator_tui.tui.widgets.model_picker import ModelPicker
from tests.discovery_server import listing_server, models_yaml
from tests.tui.test_startup import at_first_paint, loaded


async def test_discovered_models_appear_in_the_picker_marked(open_workspace) -> None:
    with listing_server() as url:
        async with open_workspace(models_yaml(url)) as ws:
            options = ws.screen.query_one(ModelPicker).query_one(SelectionList)

            def listed() -> bool:
                try:
                    options.get_option("local:local-coder")
                except OptionDoesNotExist:
                    return False
                return True

            await ws.until(listed, "discovered models listed")
            assert "discovered" in str(options.get_option("local:local-coder").prompt)
            assert "discovered" in str(options.get_option("ollama:llama3.2:latest").prompt)
            assert "discovered" not in str(options.get_option("mock:echo").prompt)


def test_nothing_is_discovered_before_the_first_paint(tmp_path: Path) -> None:
    modules = at_first_paint(tmp_path).modules
    assert loaded(modules, "orchestrator_tui.discovery", "httpx") == []
