"""What the workspace looks like, on mock data with a fixed theme and fixed timings."""

from __future__ import annotations

import pytest
from textual.pilot import Pilot

from orchestrator_tui.config import Config
from orchestrator_tui.core import display
from orchestrator_tui.tui.app import OrchApp
from orchestrator_tui.tui.widgets.model_picker import ModelPicker
from orchestrator_tui.tui.widgets.prompt_box import PromptBox


@pytest.fixture(autouse=True)
def fixed_timings(monkeypatch: pytest.MonkeyPatch) -> None:
    """Latencies differ on every run; the snapshots show a constant instead."""
    monkeypatch.setattr(display, "seconds", lambda value: "12ms")


async def _settle(pilot: Pilot[None], condition, rounds: int = 400) -> None:  # type: ignore[no-untyped-def]
    for _ in range(rounds):
        if condition():
            return
        await pilot.pause(0.02)
    raise AssertionError("the workspace never settled")


def _prepare(prompt: str | None):  # type: ignore[no-untyped-def]
    async def run_before(pilot: Pilot[None]) -> None:
        app = pilot.app
        app.theme = "textual-dark"
        await app.wait_services()  # type: ignore[attr-defined]
        screen = app.screen
        await _settle(pilot, lambda: screen.query_one(ModelPicker).status)
        screen.query_one(PromptBox).cursor_blink = False
        if prompt is not None:
            box = screen.query_one(PromptBox)
            box.text = prompt
            await pilot.press("enter")
            await _settle(pilot, lambda: screen.grid.panes() and not screen.running)
            await _settle(pilot, lambda: all(p.body.drawn for p in screen.grid.panes()))
        await pilot.pause()

    return run_before


def test_workspace_on_first_run(snap_compare, config: Config) -> None:
    app = OrchApp(config=config, warm_sdks=False)
    assert snap_compare(app, terminal_size=(120, 40), run_before=_prepare(None))


def test_workspace_with_two_answers_at_120x40(snap_compare, config: Config) -> None:
    app = OrchApp(config=config, warm_sdks=False)
    assert snap_compare(app, terminal_size=(120, 40), run_before=_prepare("Compare tea and coffee"))


def test_workspace_with_two_answers_at_80x24(snap_compare, config: Config) -> None:
    app = OrchApp(config=config, warm_sdks=False)
    assert snap_compare(app, terminal_size=(80, 24), run_before=_prepare("Compare tea and coffee"))


def test_review_feedback_at_120x40(snap_compare, config: Config) -> None:
    from orchestrator_tui.core.events import ReviewReady

    async def run_before(pilot: Pilot[None]) -> None:
        await _prepare("Compare tea and coffee")(pilot)
        pane = pilot.app.screen.grid.pane("mock:lorem")
        pane.reviewed(
            ReviewReady(
                "run",
                "session",
                pane.response_id,
                "mock:judge",
                0.72,
                feedback="Clear structure, but the [bold]table[/] lacks units and the code "
                "block \x1b[31mnever\x1b[0m runs.",
                suggestions=("Add units to the table.", "Show the output of the code [/]."),
            )
        )
        pane.focus()
        await pilot.press("f")
        await pilot.pause()

    app = OrchApp(config=config, warm_sdks=False)
    assert snap_compare(app, terminal_size=(120, 40), run_before=run_before)


def test_model_parameters_with_a_persona_at_120x40(snap_compare, config: Config) -> None:
    from textual.widgets import Select, TextArea

    from orchestrator_tui.tui.screens.model_params import ModelParamsScreen

    async def run_before(pilot: Pilot[None]) -> None:
        await _prepare(None)(pilot)
        picker = pilot.app.screen.query_one(ModelPicker)
        options = picker.query_one("SelectionList")
        options.highlighted = options.get_option_index("mock:echo")
        options.focus()
        await pilot.press("p")
        await _settle(pilot, lambda: isinstance(pilot.app.screen, ModelParamsScreen))
        dialog = pilot.app.screen
        dialog.query_one("#temperature").value = "0.3"
        dialog.query_one("#persona", Select).value = "critic"
        area = dialog.query_one("#system", TextArea)
        area.text = "Answer in [bold]one[/] line."
        area.cursor_blink = False
        dialog.query_one("#temperature").cursor_blink = False
        await pilot.pause()

    app = OrchApp(config=config, warm_sdks=False)
    assert snap_compare(app, terminal_size=(120, 40), run_before=run_before)


FOUR = "default_models: [mock:lorem, mock:echo, mock:judge, mock:flaky]\n"


def test_workspace_with_four_answers_at_80x24_pages_them(snap_compare, paths) -> None:  # type: ignore[no-untyped-def]
    from orchestrator_tui.config import load_config

    paths.settings_file.write_text(FOUR, encoding="utf-8")
    app = OrchApp(config=load_config(paths), warm_sdks=False)
    assert snap_compare(app, terminal_size=(80, 24), run_before=_prepare("Compare tea and coffee"))


async def test_four_answers_at_80x24_get_six_lines_each_and_the_footer_keeps_its_keys(
    open_workspace, paths, screen_text
) -> None:  # type: ignore[no-untyped-def]
    paths.settings_file.write_text(FOUR, encoding="utf-8")
    async with open_workspace(size=(80, 24)) as ws:
        await ws.send("Compare tea and coffee")
        await ws.settled()
        grid = ws.screen.grid
        assert grid.paged
        shown = [
            p for p in grid.panes() if p.region.height and grid.region.contains_region(p.region)
        ]
        assert [p.model for p in shown] == ["mock:lorem", "mock:echo"]
        assert all(p.body.region.height >= 6 for p in shown)
        assert "answers 1 to 2 of 4" in ws.screen.sub_title
        await ws.pilot.press("ctrl+down")
        await ws.pilot.pause()
        assert "answers 3 to 4 of 4" in ws.screen.sub_title
        footer = screen_text(ws.app).splitlines()[-1]
        assert all(key in footer for key in ("f1 Help", "f2 Settings", "^q Quit")), footer
        ws.pane("mock:judge").focus()
        await ws.pilot.pause()
        footer = screen_text(ws.app).splitlines()[-1]
        assert all(key in footer for key in ("f1 Help", "f2 Settings", "^q Quit")), footer
