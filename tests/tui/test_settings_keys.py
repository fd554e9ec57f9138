"""Keys & settings: set, replace and remove API keys without the key ever being shown."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from textual import events
from textual.app import App
from textual.widgets import Button, DataTable, Input

from orchestrator_tui.config import Config
from orchestrator_tui.store.keyring_memory import MemoryKeyring
from orchestrator_tui.store.keys import SERVICE
from orchestrator_tui.tui.app import OrchApp
from orchestrator_tui.tui.screens.settings import SettingsScreen

SECRET = "sk-ant-api03-SECRETSECRET-9876"
ScreenText = Callable[[App[Any]], str]


async def open_settings(pilot: Any) -> SettingsScreen:
    app = pilot.app
    await app.wait_services()
    await pilot.press("f2")
    await pilot.pause()
    screen = app.screen
    assert isinstance(screen, SettingsScreen)
    await app.workers.wait_for_complete()
    await pilot.pause()
    return screen


async def select_provider(pilot: Any, screen: SettingsScreen, provider: str) -> None:
    table = screen.query_one("#keys", DataTable)
    table.move_cursor(row=table.get_row_index(provider))
    await pilot.pause()


async def settle(pilot: Any) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def row(screen: SettingsScreen, provider: str) -> list[str]:
    table = screen.query_one("#keys", DataTable)
    return [str(cell) for cell in table.get_row(provider)]


async def test_a_typed_key_is_saved_in_the_keyring_and_only_shown_masked(
    config: Config, memory_keyring: MemoryKeyring, screen_text: ScreenText
) -> None:
    app = OrchApp(config=config, warm_sdks=False)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_settings(pilot)
        await select_provider(pilot, screen, "anthropic")
        await pilot.click("#key-input")
        screen.query_one("#key-input", Input).post_message(events.Paste(SECRET))
        await pilot.pause()
        assert screen.query_one("#key-input", Input).value == SECRET
        assert SECRET not in screen_text(app)  # a password field while typing

        await pilot.press("enter")
        await settle(pilot)

        assert memory_keyring.get_password(SERVICE, "anthropic") == SECRET
        assert row(screen, "anthropic")[:2] == ["anthropic", "set"]
        assert row(screen, "anthropic")[2] == "keyring"
        shown = screen_text(app)
        assert "sk-…9876" in shown
        assert SECRET not in shown
        assert SECRET[:12] not in shown
        assert "Saved the key for anthropic" in shown
        assert screen.query_one("#key-input", Input).value == ""


async def test_saving_again_replaces_the_key(config: Config, memory_keyring: MemoryKeyring) -> None:
    memory_keyring.set_password(SERVICE, "mistral", "old-key-000000000000")
    app = OrchApp(config=config, warm_sdks=False)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_settings(pilot)
        await select_provider(pilot, screen, "mistral")
        assert "Replace" in screen.query_one("#key-input", Input).placeholder
        await pilot.click("#key-input")
        await pilot.press(*"new-key-1111", "ctrl+s")
        await settle(pilot)

        assert memory_keyring.get_password(SERVICE, "mistral") == "new-key-1111"
        assert row(screen, "mistral")[3] == "••••••••"  # too short to show any of it


async def test_removing_a_key_deletes_it_from_the_keyring(
    config: Config, memory_keyring: MemoryKeyring, screen_text: ScreenText
) -> None:
    memory_keyring.set_password(SERVICE, "gemini", SECRET)
    app = OrchApp(config=config, warm_sdks=False)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_settings(pilot)
        assert row(screen, "gemini")[1] == "set"
        assert SECRET not in screen_text(app)
        await select_provider(pilot, screen, "gemini")
        await pilot.press("ctrl+r")
        await settle(pilot)

        assert memory_keyring.get_password(SERVICE, "gemini") is None
        assert row(screen, "gemini")[1] == "missing"
        assert "GEMINI_API_KEY" in row(screen, "gemini")[2]
        assert "Removed the saved key for gemini" in screen_text(app)


async def test_a_key_from_the_environment_shows_its_variable_and_cannot_be_removed_here(
    config: Config, monkeypatch: pytest.MonkeyPatch, screen_text: ScreenText
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    app = OrchApp(config=config, warm_sdks=False)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_settings(pilot)
        assert row(screen, "openai")[1:3] == ["set", "env:OPENAI_API_KEY"]
        await select_provider(pilot, screen, "openai")
        await pilot.press("ctrl+r")
        await settle(pilot)

        assert row(screen, "openai")[1:3] == ["set", "env:OPENAI_API_KEY"]
        text = screen_text(app)
        assert "comes from $OPENAI_API_KEY" in text
        assert SECRET not in text


async def test_remove_is_offered_only_where_there_is_a_key(
    config: Config, memory_keyring: MemoryKeyring
) -> None:
    memory_keyring.set_password(SERVICE, "gemini", SECRET)
    app = OrchApp(config=config, warm_sdks=False)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_settings(pilot)
        await select_provider(pilot, screen, "mistral")
        assert screen.check_action("remove_key", ()) is None
        assert screen.query_one("#remove-key", Button).disabled

        await select_provider(pilot, screen, "gemini")
        assert screen.check_action("remove_key", ()) is True
        assert not screen.query_one("#remove-key", Button).disabled


async def test_an_empty_key_is_not_saved(config: Config, memory_keyring: MemoryKeyring) -> None:
    app = OrchApp(config=config, warm_sdks=False)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_settings(pilot)
        await select_provider(pilot, screen, "deepseek")
        await pilot.click("#key-input")
        await pilot.press("space", "enter")
        await settle(pilot)

        assert memory_keyring.get_password(SERVICE, "deepseek") is None
        assert row(screen, "deepseek")[1] == "missing"


async def test_escape_goes_back_to_the_workspace(config: Config) -> None:
    app = OrchApp(config=config, warm_sdks=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_settings(pilot)
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, SettingsScreen)
