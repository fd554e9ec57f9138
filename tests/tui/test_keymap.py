"""Every binding has an id, and config.yaml's keymap remaps by that id."""

from __future__ import annotations

from textual.binding import Binding

from orchestrator_tui.config import Paths, load_config
from orchestrator_tui.tui.app import OrchApp
from orchestrator_tui.tui.keymap import app_classes, binding_ids
from orchestrator_tui.tui.screens.help import HelpScreen
from orchestrator_tui.tui.screens.settings import SettingsScreen


def declared_bindings() -> list[tuple[str, Binding | tuple[str, ...]]]:
    """Bindings written in our classes' own ``BINDINGS`` (Textual's inherited ones aside)."""
    return [
        (cls.__qualname__, binding)
        for cls in app_classes()
        for binding in cls.__dict__.get("BINDINGS", ())
    ]


def test_every_binding_of_the_app_has_a_unique_id() -> None:
    declared = declared_bindings()
    missing = [f"{owner}: {b}" for owner, b in declared if not isinstance(b, Binding) or not b.id]
    assert missing == []
    ids = [b.id for _owner, b in declared if isinstance(b, Binding)]
    assert sorted({i for i in ids if ids.count(i) > 1}) == []


def test_the_known_ids_include_the_app_and_screen_bindings() -> None:
    ids = binding_ids(app_classes())
    assert {"app.quit", "app.help", "app.settings", "settings.save_key", "help.close"} <= ids


async def test_a_remapped_key_runs_the_action_and_the_old_key_does_not(paths: Paths) -> None:
    paths.settings_file.write_text("keymap:\n  app.settings: f9\n", encoding="utf-8")
    app = OrchApp(config=load_config(paths), warm_sdks=False)
    async with app.run_test() as pilot:
        await app.wait_services()
        await pilot.pause()

        await pilot.press("f2")
        await pilot.pause()
        assert not isinstance(app.screen, SettingsScreen)

        await pilot.press("f9")
        await pilot.pause()
        assert isinstance(app.screen, SettingsScreen)


async def test_a_key_can_be_remapped_to_several_keys(paths: Paths) -> None:
    paths.settings_file.write_text("keymap:\n  app.help: [f9, ctrl+h]\n", encoding="utf-8")
    app = OrchApp(config=load_config(paths), warm_sdks=False)
    async with app.run_test() as pilot:
        await app.wait_services()
        await pilot.press("ctrl+h")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)


async def test_an_unknown_binding_id_in_the_keymap_is_reported(paths: Paths) -> None:
    paths.settings_file.write_text(
        "keymap:\n  app.help: f9\n  no.such.binding: f3\n", encoding="utf-8"
    )
    app = OrchApp(config=load_config(paths), warm_sdks=False)
    async with app.run_test() as pilot:
        await app.wait_services()
        await pilot.pause()

        messages = [n.message for n in app._notifications]
        assert any("'no.such.binding'" in m and "config.yaml" in m for m in messages), messages
        assert not any("'app.help'" in m for m in messages)
        await pilot.press("f9")  # the known one still applies
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
