"""Snapshots of Keys & settings and the F1 help, at 120x40 in the default theme."""

from __future__ import annotations

from typing import Any

import pytest

from orchestrator_tui.config import Config
from orchestrator_tui.store.keyring_memory import MemoryKeyring
from orchestrator_tui.store.keys import SERVICE
from orchestrator_tui.tui.app import OrchApp


@pytest.fixture
def settings_app(
    config: Config, memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch
) -> OrchApp:
    """One key in the keyring, one from the environment, the rest missing."""
    memory_keyring.set_password(SERVICE, "anthropic", "sk-ant-api03-snapshot-0042")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-proj-from-the-environment-7777")
    return OrchApp(config=config, warm_sdks=False)


async def open_settings(pilot: Any) -> None:
    await pilot.app.wait_services()
    await pilot.press("f2")
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def test_settings_screen(settings_app: OrchApp, snap_compare: Any) -> None:
    assert snap_compare(settings_app, terminal_size=(120, 40), run_before=open_settings)


def test_help_on_the_settings_screen(settings_app: OrchApp, snap_compare: Any) -> None:
    async def open_help(pilot: Any) -> None:
        await open_settings(pilot)
        await pilot.press("f1")
        await pilot.pause()

    assert snap_compare(settings_app, terminal_size=(120, 40), run_before=open_help)
