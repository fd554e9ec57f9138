"""Per-model parameters from the model list (``p``): temperature, max tokens, persona, system."""

from __future__ import annotations

from textual.widgets import Select, Static, TextArea

from orchestrator_tui.config import Paths
from orchestrator_tui.tui.screens.model_params import ModelParamsScreen
from orchestrator_tui.tui.widgets.model_picker import ModelPicker

OWN = "Answer in [bold]one[/] line."


async def open_params(ws, model: str) -> ModelParamsScreen:  # type: ignore[no-untyped-def]
    picker = ws.screen.query_one(ModelPicker)
    options = picker.query_one("SelectionList")
    options.highlighted = options.get_option_index(model)
    options.focus()
    await ws.pilot.press("p")
    await ws.until(lambda: isinstance(ws.app.screen, ModelParamsScreen), "dialog open")
    await ws.pilot.pause()
    return ws.app.screen


async def choose_persona(ws, dialog: ModelParamsScreen, typed: str) -> None:  # type: ignore[no-untyped-def]
    select = dialog.query_one("#persona", Select)
    select.focus()
    await ws.pilot.press("enter")
    await ws.until(lambda: select.expanded, "persona list open")
    await ws.pilot.press(*typed)
    await ws.pilot.pause()
    await ws.pilot.press("enter")
    await ws.until(lambda: not select.expanded, "persona chosen")


async def test_a_persona_and_own_system_prompt_go_to_that_model_only(open_workspace) -> None:
    async with open_workspace() as ws:
        library = await ws.services.chain_library()
        critic = library.personas["critic"].system
        dialog = await open_params(ws, "mock:echo")
        await choose_persona(ws, dialog, "critic")
        assert dialog.query_one("#persona", Select).value == "critic"
        assert critic[:40] in str(dialog.query_one("#persona-system", Static).render())
        dialog.query_one("#system", TextArea).text = OWN
        await ws.pilot.press("ctrl+s")
        await ws.until(lambda: ws.app.screen is ws.screen, "dialog closed")
        picker = ws.screen.query_one(ModelPicker)
        assert ws.screen.session.params["mock:echo"].system == f"{critic}\n\n{OWN}"
        assert "persona critic" in str(picker.query_one("#picker-detail").render())
        assert "mock:lorem" not in ws.screen.session.params
        # that a model's own system prompt reaches that model only is the session's job:
        # tests/test_workspace_session.py, test_each_model_gets_its_own_parameters...


async def test_the_dialog_shows_the_saved_settings_again_and_escape_keeps_them(
    open_workspace,
) -> None:
    async with open_workspace() as ws:
        dialog = await open_params(ws, "mock:lorem")
        assert ws.app.focused is dialog.query_one("#temperature")
        await choose_persona(ws, dialog, "poet")
        dialog.query_one("#system", TextArea).text = OWN
        await ws.pilot.press("ctrl+s")
        await ws.until(lambda: ws.app.screen is ws.screen, "dialog closed")
        dialog = await open_params(ws, "mock:lorem")
        assert dialog.query_one("#persona", Select).value == "poet"
        assert dialog.query_one("#system", TextArea).text == OWN
        assert dialog.query_one("#persona-system").display
        await choose_persona(ws, dialog, "critic")
        await ws.pilot.press("escape")
        await ws.until(lambda: ws.app.screen is ws.screen, "dialog closed")
        assert ws.screen.query_one(ModelPicker).settings["mock:lorem"].persona == "poet"

        dialog = await open_params(ws, "mock:lorem")
        dialog.query_one("#persona", Select).clear()
        dialog.query_one("#system", TextArea).text = ""
        await ws.pilot.press("ctrl+s")
        await ws.until(lambda: ws.app.screen is ws.screen, "dialog closed")
        assert "mock:lorem" not in ws.screen.session.params


async def test_personas_of_the_user_are_offered_and_a_broken_one_is_reported(
    open_workspace, paths: Paths
) -> None:
    paths.config_dir.mkdir(parents=True, exist_ok=True)
    (paths.config_dir / "personas.yaml").write_text(
        "personas:\n"
        "  pirate:\n"
        "    description: Says arr [a lot]\n"
        "    system: You are a pirate.\n"
        "  silent: {description: no text}\n",
        encoding="utf-8",
    )
    async with open_workspace() as ws:
        dialog = await open_params(ws, "mock:echo")
        select = dialog.query_one("#persona", Select)
        names = [value for _label, value in select._options if isinstance(value, str)]
        assert "pirate" in names and "critic" in names and "silent" not in names
        warning = str(dialog.query_one("#persona-warnings", Static).render())
        assert "personas.silent" in warning and "ignored" in warning
        await choose_persona(ws, dialog, "pirate")
        await ws.pilot.press("ctrl+s")
        await ws.until(lambda: ws.app.screen is ws.screen, "dialog closed")
        assert ws.screen.session.params["mock:echo"].system == "You are a pirate."
