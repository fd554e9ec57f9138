"""Where the machine has no keyring, Keys & settings keeps keys in the vault, asking its password
in a dialog (the terminal belongs to the app, so the vault's stdin prompt cannot be used)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import keyring
import pytest
from keyring.backends import fail
from textual import events
from textual.widgets import DataTable, Input

from orchestrator_tui.config import Config
from orchestrator_tui.tui.app import OrchApp
from orchestrator_tui.tui.screens.settings import SettingsScreen
from orchestrator_tui.tui.screens.vault_password import VaultPasswordScreen

SECRET = "sk-ant-api03-VAULTED-KEY-5555"


@pytest.fixture
def no_system_keyring() -> Iterator[None]:
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(previous)


async def settle(pilot: Any) -> None:
    for _ in range(3):
        await pilot.pause()


async def test_saving_a_key_without_a_keyring_creates_the_vault_with_a_password_from_a_dialog(
    config: Config, no_system_keyring: None
) -> None:
    app = OrchApp(config=config, warm_sdks=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await app.wait_services()
        await pilot.press("f2")
        await app.workers.wait_for_complete()
        screen = app.screen
        assert isinstance(screen, SettingsScreen)
        table = screen.query_one("#keys", DataTable)
        table.move_cursor(row=table.get_row_index("anthropic"))
        field = screen.query_one("#key-input", Input)
        field.focus()
        field.post_message(events.Paste(SECRET))
        await pilot.pause()
        await pilot.press("enter")
        while not isinstance(app.screen, VaultPasswordScreen):
            await pilot.pause(0.05)

        await pilot.press(*"pw1", "enter", *"pw1", "enter")
        await app.workers.wait_for_complete()
        await settle(pilot)

        assert app.screen is screen
        assert [str(c) for c in table.get_row("anthropic")][1:3] == ["set", "vault"]
    vault = config.paths.vault_file.read_text(encoding="utf-8")
    assert SECRET not in vault


async def test_declining_the_vault_password_saves_nothing_and_says_how_to_unlock_later(
    config: Config, no_system_keyring: None
) -> None:
    app = OrchApp(config=config, warm_sdks=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await app.wait_services()
        await pilot.press("f2")
        await app.workers.wait_for_complete()
        screen = app.screen
        field = screen.query_one("#key-input", Input)
        field.focus()
        field.post_message(events.Paste(SECRET))
        await pilot.pause()
        await pilot.press("enter")
        while not isinstance(app.screen, VaultPasswordScreen):
            await pilot.pause(0.05)

        await pilot.press("escape")
        await app.workers.wait_for_complete()
        await settle(pilot)

        assert app.screen is screen
        said = str(screen.query_one("#key-message").render())
        assert "vault stays locked" in said
        assert "Keys & settings (F2)" in said and "ORCH_TUI_VAULT_PASSWORD" in said  # how to unlock
    assert not config.paths.vault_file.exists()


async def test_a_locked_vault_is_said_so_instead_of_every_key_looking_missing(
    config: Config, no_system_keyring: None
) -> None:
    from orchestrator_tui.store.vault import VaultKeyring

    VaultKeyring(config.paths.vault_file, password=lambda _: "pw", scrypt_n=2**10).set_password(
        "orch-tui", "anthropic", SECRET
    )
    app = OrchApp(config=config, warm_sdks=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await app.wait_services()
        await pilot.press("f2")
        while not isinstance(app.screen, VaultPasswordScreen):
            await pilot.pause(0.05)
        await pilot.press("escape")
        for _ in range(100):  # the lookups end in a thread; wait for them, not for a clock
            await app.workers.wait_for_complete()
            await pilot.pause()
            if isinstance(app.screen, SettingsScreen) and "vault" in _message(app.screen):
                break

        assert isinstance(app.screen, SettingsScreen)  # declined once: not asked again
        assert "Keys in the vault are not shown" in _message(app.screen)


def _message(screen: Any) -> str:
    return str(screen.query_one("#key-message").render())
