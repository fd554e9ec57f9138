"""The active profile is in the header from the first frame."""

from __future__ import annotations

from textual.widgets import Header

from orchestrator_tui.config import Paths, load_config
from orchestrator_tui.tui.app import OrchApp


async def test_the_header_names_the_active_profile(orch_home) -> None:
    app = OrchApp(config=load_config(Paths.default(profile="work")), warm_sdks=False)
    async with app.run_test() as pilot:
        await app.wait_services()
        await pilot.pause()
        header = app.screen.query_one(Header)
        assert "profile work" in str(header.query_one("HeaderTitle").render())
        assert app.services.config.paths.database.parent.name == "work"


async def test_the_default_profile_shows_no_profile(paths: Paths) -> None:
    app = OrchApp(config=load_config(paths), warm_sdks=False)
    async with app.run_test() as pilot:
        await pilot.pause()
        assert "profile" not in str(app.screen.query_one("HeaderTitle").render())
