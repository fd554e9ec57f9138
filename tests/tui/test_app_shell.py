"""The app shell: opens on the workspace, opens and closes the services, keeps --help light."""

from __future__ import annotations

import subprocess
import sys

from orchestrator_tui.config import Config
from orchestrator_tui.tui.app import SCREEN_MODULES, OrchApp
from orchestrator_tui.tui.screens.workspace import WorkspaceScreen


async def test_app_opens_on_the_workspace_and_opens_services(config: Config) -> None:
    app = OrchApp(config=config, warm_sdks=False)
    async with app.run_test() as pilot:
        services = await app.wait_services()
        await pilot.pause()
        assert isinstance(app.screen, WorkspaceScreen)
        assert services.config is config


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
