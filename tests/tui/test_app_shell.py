"""The app shell: opens on the workspace, opens and closes the services, keeps --help light."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from orchestrator_tui.config import Config
from orchestrator_tui.tui.app import SCREEN_MODULES, OrchApp
from orchestrator_tui.tui.screens.workspace import WorkspaceScreen
from orchestrator_tui.tui.widgets.prompt_box import PromptBox


async def test_app_opens_on_the_workspace_and_opens_services(config: Config) -> None:
    app = OrchApp(config=config, warm_sdks=False)
    async with app.run_test() as pilot:
        services = await app.wait_services()
        await pilot.pause()
        assert isinstance(app.screen, WorkspaceScreen)
        assert services.config is config


async def test_ctrl_c_says_which_key_quits_in_plain_words(config: Config) -> None:
    """Seen in tmux: ctrl+c showed 'Press [b]ctrl+q[/b] to quit the app', markup and all."""
    app = OrchApp(config=config, warm_sdks=False)
    async with app.run_test() as pilot:
        await app.wait_services()
        await pilot.pause()
        await pilot.press("ctrl+c")
        await pilot.pause()
        [message] = [n.message for n in app._notifications if "quit" in n.message]
        assert message == "Press ctrl+q to quit the app"


async def test_a_saved_screenshot_is_named_in_plain_words(config: Config, tmp_path) -> None:
    """Seen in tmux: 'Saved screenshot to [$text-success]'/…/Downloads/…svg''."""
    app = OrchApp(config=config, warm_sdks=False)
    async with app.run_test() as pilot:
        await app.wait_services()
        app.action_screenshot(path=str(tmp_path))
        await pilot.pause()
        for _ in range(100):
            if [n for n in app._notifications if n.title == "Screenshot"]:
                break
            await pilot.pause(0.05)
        [message] = [n.message for n in app._notifications if n.title == "Screenshot"]
        [saved] = tmp_path.glob("*.svg")
        assert message == f"Saved screenshot to {saved}"


async def test_keys_typed_before_the_workspace_is_shown_land_in_its_prompt_in_order(
    config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    show_workspace = OrchApp._show_workspace
    monkeypatch.setattr(OrchApp, "_show_workspace", lambda self: None)  # held back by the test
    app = OrchApp(config=config, warm_sdks=False)
    async with app.run_test() as pilot:
        await pilot.press(*"typed", "ctrl+j", *"ahead")  # the terminal is raw, nothing is focused
        assert not isinstance(app.screen, WorkspaceScreen)
        show_workspace(app)
        await app.wait_services()
        await pilot.press(*" later")
        await pilot.pause()
        assert app.screen.query_one(PromptBox).text == "typed\nahead later"


async def test_every_registered_screen_can_be_loaded() -> None:
    for name in SCREEN_MODULES:
        screen = OrchApp.SCREENS[name]()
        assert screen is not None


def test_help_does_not_import_textual() -> None:
    code = (
        "import sys; from click.testing import CliRunner; from orchestrator_tui.cli import cli; "
        "r = CliRunner().invoke(cli, ['--help']); assert r.exit_code == 0, r.output; "
        "assert 'textual' not in sys.modules, 'textual imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


WARM_CHECK = """
import asyncio, sys
from orchestrator_tui.tui.app import OrchApp

async def main():
    app = OrchApp()
    seen_at_paint = []
    async with app.run_test() as pilot:
        seen_at_paint.append("anthropic" in sys.modules or "mistralai" in sys.modules)
        await app.wait_services()
        for _ in range(300):
            await pilot.pause(0.05)
            if not any(w.group == "warm" and not w.is_finished for w in app.workers) and \\
                    "anthropic" in sys.modules:
                break
    print("AT-PAINT", seen_at_paint[0])
    print("ANTHROPIC", "anthropic" in sys.modules)
    print("MISTRAL", "mistralai" in sys.modules)

asyncio.run(main())
"""


def test_the_sdk_of_a_selected_model_is_imported_after_first_paint_only(tmp_path) -> None:
    """Mistral has a key too, but no model of it is selected: its SDK is left alone."""
    config = tmp_path / "home" / "config"
    config.mkdir(parents=True)
    (config / "config.yaml").write_text("default_models: [anthropic:claude-sonnet-4-5]\n")
    (config / "models.yaml").write_text(  # nothing listens there: the warm-up stays on loopback
        "providers:\n  anthropic: {base_url: 'http://127.0.0.1:9'}\n"
    )
    env = {
        **{k: v for k, v in os.environ.items() if not k.endswith("_API_KEY")},
        "ORCH_TUI_HOME": str(tmp_path / "home"),
        "ANTHROPIC_API_KEY": "test-key-not-real-0000",
        "MISTRAL_API_KEY": "test-key-not-real-0000",
        "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring",
    }
    done = subprocess.run(
        [sys.executable, "-c", WARM_CHECK], env=env, capture_output=True, text=True, timeout=120
    )
    lines = [line for line in done.stdout.splitlines() if line.split(" ")[0].isupper()]
    assert lines == ["AT-PAINT False", "ANTHROPIC True", "MISTRAL False"], done.stderr[-2000:]


def test_configuration_warnings_make_one_notice_not_a_stack_over_the_prompt() -> None:
    from orchestrator_tui.tui.app import configuration_notice

    assert configuration_notice([]) is None
    assert configuration_notice(["a.yaml:2: ignored x"]) == "a.yaml:2: ignored x"
    assert configuration_notice(["a.yaml:2: ignored x", "a.yaml:3: ignored y"]) == (
        "a.yaml:2: ignored x\n… and 1 more warning: `orch-tui config show` prints them all"
    )
    six = [f"a.yaml:{line}: ignored" for line in range(6)]
    assert configuration_notice(six) == (
        "a.yaml:0: ignored\n… and 5 more warnings: `orch-tui config show` prints them all"
    )
