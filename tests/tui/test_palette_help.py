"""The command palette lists and runs the app's actions; F1 shows help for where you are."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.app import App
from textual.command import CommandPalette
from textual.widgets import DataTable

from orchestrator_tui.config import Config, load_config
from orchestrator_tui.store.keyring_memory import MemoryKeyring
from orchestrator_tui.store.keys import SERVICE
from orchestrator_tui.tui.app import OrchApp
from orchestrator_tui.tui.screens.help import HelpScreen
from orchestrator_tui.tui.screens.settings import SettingsScreen

ScreenText = Callable[[App[Any]], str]


async def searched(pilot: Any) -> None:
    """Wait until the palette (or Textual's theme picker) has listed the hits for what was typed:
    its search runs in a worker started by the last key, and marks the palette ready at the end."""
    palette = pilot.app.screen
    for _ in range(100):
        await palette.workers.wait_for_complete()
        await pilot.pause()
        if palette.has_class("-ready") and all(w.is_finished for w in palette.workers):
            return
    raise AssertionError("the palette never finished searching")


async def palette_prompts(pilot: Any, query: str) -> list[str]:
    app = pilot.app
    await pilot.press("ctrl+p")
    await pilot.pause()
    assert isinstance(app.screen, CommandPalette)
    await pilot.press(*query)
    await searched(pilot)
    results = app.screen.query_one("CommandList")
    return [str(results.get_option_at_index(i).prompt) for i in range(results.option_count)]


async def test_the_palette_finds_and_runs_open_settings(config: Config) -> None:
    app = OrchApp(config=config, warm_sdks=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await app.wait_services()
        prompts = await palette_prompts(pilot, "sett")
        assert any("Settings" in p for p in prompts), prompts

        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, SettingsScreen)


async def test_the_palette_opens_every_registered_screen(config: Config) -> None:
    app = OrchApp(config=config, warm_sdks=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await app.wait_services()
        assert not any("Open workspace" in p for p in await palette_prompts(pilot, "open"))
        await pilot.press("escape", "f2")
        await pilot.pause()

        prompts = await palette_prompts(pilot, "work")
        assert any("Open workspace" in p for p in prompts), prompts
        await pilot.press("enter")
        await pilot.pause()

        assert type(app.screen).__name__ == "WorkspaceScreen"
        assert len(app.screen_stack) == 2  # went back, not stacked a second workspace


async def test_the_palette_offers_the_actions_of_the_current_screen_and_state(
    config: Config, memory_keyring: MemoryKeyring
) -> None:
    memory_keyring.set_password(SERVICE, "gemini", "sk-gem-saved-key-0001")
    app = OrchApp(config=config, warm_sdks=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await app.wait_services()
        assert not any("Save key" in p for p in await palette_prompts(pilot, "key"))
        await pilot.press("escape", "f2")
        await app.workers.wait_for_complete()
        await pilot.pause()
        table = app.screen.query_one("#keys", DataTable)

        table.move_cursor(row=table.get_row_index("gemini"))
        prompts = await palette_prompts(pilot, "key")
        assert any("Save key" in p for p in prompts), prompts
        assert any("Remove key" in p for p in prompts), prompts  # gemini has a saved key

        await pilot.press("escape")
        table.move_cursor(row=table.get_row_index("mistral"))
        prompts = await palette_prompts(pilot, "key")
        assert any("Save key" in p for p in prompts), prompts
        assert not any("Remove key" in p for p in prompts), prompts  # nothing to remove


async def test_a_theme_picked_from_the_palette_is_applied_and_saved(config: Config) -> None:
    app = OrchApp(config=config, warm_sdks=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await app.wait_services()
        await palette_prompts(pilot, "them")
        await pilot.press("enter")  # Textual's theme picker
        await pilot.pause()
        await pilot.press(*"contr")
        await searched(pilot)
        await pilot.press("enter")
        await pilot.pause()

        assert app.theme == "orch-contrast"
        assert config.settings.theme == "orch-contrast"


async def test_f1_shows_the_keys_and_description_of_the_current_screen(
    config: Config, screen_text: ScreenText
) -> None:
    app = OrchApp(config=config, warm_sdks=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await app.wait_services()
        await pilot.press("f2", "f1")
        await pilot.pause()

        assert isinstance(app.screen, HelpScreen)
        text = screen_text(app)
        assert "Help · Keys & settings" in text
        assert "masked field" in text  # the screen's description
        assert "settings.remove_key" in text  # ids, for the keymap
        assert "app.help" in text

        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, SettingsScreen)


async def test_help_shows_remapped_keys(config: Config, screen_text: ScreenText) -> None:
    config.paths.settings_file.write_text("keymap:\n  app.settings: f9\n", encoding="utf-8")
    app = OrchApp(config=load_config(config.paths), warm_sdks=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await app.wait_services()
        await pilot.pause()
        await pilot.press("f1")
        await pilot.pause()

        lines = [line for line in screen_text(app).splitlines() if "app.settings" in line]
        assert lines and "f9" in lines[0], lines


async def test_f1_on_a_focused_response_pane_explains_the_pane_first(
    config: Config, screen_text: ScreenText
) -> None:
    from orchestrator_tui.tui.widgets.response_pane import ResponsePane

    app = OrchApp(config=config, warm_sdks=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await app.wait_services()
        await pilot.press(*"hi", "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        app.screen.query(ResponsePane).first().focus()
        await pilot.press("f1")
        await pilot.pause()

        text = screen_text(app)
        assert "Help · Workspace" in text
        assert text.index("Response pane") < text.index("Everywhere")
        assert "answer as it streams" in text  # the pane's own description
        assert "pane.copy" in text
        assert "workspace.review" in text


def _docstrings() -> set[str]:
    """The first paragraph of every docstring in the app's own TUI modules."""
    import importlib
    import inspect
    import pkgutil

    import orchestrator_tui.tui as tui

    found: set[str] = set()
    for module_info in pkgutil.walk_packages(tui.__path__, "orchestrator_tui.tui."):
        module = importlib.import_module(module_info.name)
        for _, value in inspect.getmembers(module):
            members = [value, *vars(value).values()] if inspect.isclass(value) else [value]
            for member in members:
                doc = getattr(member, "__doc__", None)
                if isinstance(doc, str) and str(getattr(member, "__module__", "")).startswith(
                    "orchestrator_tui"
                ):
                    found.add(" ".join(inspect.cleandoc(doc).split("\n\n")[0].split()))
    return found


async def test_the_palette_and_f1_speak_to_users_never_in_docstrings(config: Config) -> None:
    from orchestrator_tui.tui.actions import available_actions
    from orchestrator_tui.tui.commands import ActionCommands
    from orchestrator_tui.tui.screens.help import HelpScreen
    from orchestrator_tui.tui.widgets.response_pane import ResponsePane

    docs = _docstrings()
    app = OrchApp(config=config, warm_sdks=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await app.wait_services()
        await pilot.press(*"hi", "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        texts = []
        for focus in (app.screen.query_one("#prompt"), app.screen.query(ResponsePane).first()):
            focus.focus()
            await pilot.pause()
            actions = available_actions(app.screen)
            texts += [a.help for a in actions if a.help]
            texts += [a.help for a in ActionCommands(app.screen)._screens()]
            help_screen = HelpScreen.for_screen(app.screen)
            texts += [s.description for s in help_screen.sections if s.description]
        assert texts
        for text in texts:
            assert "``" not in text and " ".join(text.split()) not in docs, text
        helps = {a.action: a.help for a in available_actions(app.screen)}
        assert helps["show_screen('history')"] == "Go to that screen"


async def test_the_history_tables_actions_say_what_they_do(config: Config) -> None:
    from orchestrator_tui.tui.actions import available_actions
    from orchestrator_tui.tui.screens.history import SessionTable

    app = OrchApp(config=config, warm_sdks=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await app.wait_services()
        await pilot.press("ctrl+o")
        await pilot.pause()
        app.screen.query_one(SessionTable).focus()
        await pilot.pause()
        table_actions = [
            a
            for a in available_actions(app.screen)
            if isinstance(a.node, SessionTable) and (a.binding_id or "").startswith("history.")
        ]
        assert {a.title for a in table_actions} >= {"Reopen", "Rerun", "Delete", "Export"}
        assert all(a.help for a in table_actions), [a.title for a in table_actions if not a.help]
