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


async def paste_key_on_f2(app: OrchApp, pilot: Any, provider: str, key: str) -> SettingsScreen:
    """Open Keys & settings, pick ``provider``'s row, paste ``key`` and press Enter."""
    await pilot.press("f2")
    await app.workers.wait_for_complete()
    screen = app.screen
    assert isinstance(screen, SettingsScreen)
    table = screen.query_one("#keys", DataTable)
    table.move_cursor(row=table.get_row_index(provider))
    field = screen.query_one("#key-input", Input)
    field.focus()
    field.post_message(events.Paste(key))
    await pilot.pause()
    await pilot.press("enter")
    return screen


async def test_saving_a_key_without_a_keyring_creates_the_vault_with_a_password_from_a_dialog(
    config: Config, no_system_keyring: None
) -> None:
    app = OrchApp(config=config, warm_sdks=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await app.wait_services()
        screen = await paste_key_on_f2(app, pilot, "anthropic", SECRET)
        table = screen.query_one("#keys", DataTable)
        await _dialog(pilot)

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
        screen = await paste_key_on_f2(app, pilot, "anthropic", SECRET)
        await _dialog(pilot)

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


async def test_a_key_saved_on_f2_without_a_keyring_is_used_after_a_restart_asking_once(
    paths: Any, write_models: Any, no_system_keyring: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No OS keyring: F2 saves the key in the vault; after a restart the first request asks for
    the vault's password once (naming the provider), the second asks nothing, and both reach the
    loopback server with the key."""
    from orchestrator_tui.config import load_config
    from orchestrator_tui.store.vault import PASSWORD_ENV
    from orchestrator_tui.tui.widgets.prompt_box import PromptBox
    from tests.wire.engine import models_yaml
    from tests.wire.server import WireServer

    monkeypatch.delenv(PASSWORD_ENV, raising=False)
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    key = "sk-openai-VAULTED-0000-4242"
    server = await WireServer().start()
    write_models(models_yaml(server.url))
    paths.settings_file.write_text("default_models: [openai:gpt-4.1-mini]\n", encoding="utf-8")
    try:
        app = OrchApp(config=load_config(paths), warm_sdks=False)
        async with app.run_test(size=(120, 40)) as pilot:
            await app.wait_services()
            screen = await paste_key_on_f2(app, pilot, "openai", key)
            table = screen.query_one("#keys", DataTable)
            dialog = await _dialog(pilot)
            assert "to save the key for openai" in dialog.reason()
            await pilot.press(*"pw1", "enter", *"pw1", "enter")
            await app.workers.wait_for_complete()
            await settle(pilot)
            assert [str(c) for c in table.get_row("openai")][1:3] == ["set", "vault"]

        app = OrchApp(config=load_config(paths), warm_sdks=False)
        asked: list[VaultPasswordScreen] = []
        push = app.push_screen

        def counted(screen: Any, *args: Any, **kwargs: Any) -> Any:
            if isinstance(screen, VaultPasswordScreen):
                asked.append(screen)
            return push(screen, *args, **kwargs)

        app.push_screen = counted  # type: ignore[method-assign]
        async with app.run_test(size=(120, 40)) as pilot:
            await app.wait_services()
            for prompt in ("first question", "second question"):
                box = app.screen.query_one(PromptBox)
                await _until(pilot, lambda: app.screen.session.models == ["openai:gpt-4.1-mini"])
                box.focus()
                box.text = prompt
                sent = len(server.requests)
                await pilot.press("enter")
                if prompt == "first question":
                    dialog = await _dialog(pilot)
                    assert "The key for openai is in it" in dialog.reason()
                    await pilot.press(*"pw1", "enter")
                await _until(pilot, lambda n=sent: len(server.requests) > n and not app.runs)
        assert len(asked) == 1
        assert len(server.requests) == 2
        assert all(key in str(seen.headers) for seen in server.requests)
    finally:
        await server.stop()


async def _dialog(pilot: Any) -> VaultPasswordScreen:
    for _ in range(500):
        if isinstance(pilot.app.screen, VaultPasswordScreen):
            return pilot.app.screen
        await pilot.pause(0.02)
    raise AssertionError("the vault's password was never asked")


async def _until(pilot: Any, condition: Any) -> None:
    for _ in range(500):
        if condition():
            return
        await pilot.pause(0.02)
    raise AssertionError(f"never happened; the screen is {pilot.app.screen}")


async def test_a_key_in_the_locked_vault_is_not_called_missing_and_asks_nothing_at_start(
    config: Config, no_system_keyring: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from orchestrator_tui.store.vault import PASSWORD_ENV, VaultKeyring
    from orchestrator_tui.tui.widgets.model_picker import ModelPicker

    monkeypatch.delenv(PASSWORD_ENV, raising=False)
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    VaultKeyring(config.paths.vault_file, password=lambda _: "pw", scrypt_n=2**10).set_password(
        "orch-tui", "anthropic", SECRET
    )
    app = OrchApp(config=config, warm_sdks=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await app.wait_services()
        picker = app.screen.query_one(ModelPicker)
        await _until(pilot, lambda: picker.status)
        await settle(pilot)
        assert picker.status["anthropic"].state == "locked"
        assert picker.status["openai"].state == "missing"
        assert not isinstance(app.screen, VaultPasswordScreen)  # a status never asks
        notice = str(app.screen.query_one("#notice").render())
        assert "No API keys found" not in notice


async def test_a_new_vault_password_typed_twice_in_one_burst_is_taken_whole() -> None:
    """Enter is taken in the field's own queue: the repeat typed at once never mixes with the
    first entry; a repeat that differs asks for both again."""
    from concurrent.futures import Future

    from textual.app import App

    answer: Future[str | None] = Future()
    app: App[None] = App()
    async with app.run_test() as pilot:
        await app.push_screen(VaultPasswordScreen(True, answer, "openai"))
        await pilot.press(*"pw1", "enter", *"pw2", "enter")
        await pilot.pause()
        assert "differ" in str(app.screen.query_one("#vault-error").render())
        assert not answer.done()
        await pilot.press(*"pw1", "enter", *"pw1", "enter")
        await pilot.pause()
    assert answer.result() == "pw1"
