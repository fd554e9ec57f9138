"""The active profile is in the header from the first frame."""

from __future__ import annotations

import os
import pty
import select
import sys
from pathlib import Path

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
        app.screen.sub_title = "spent today $0.01"  # what a screen says itself comes after
        await pilot.pause()
        shown = str(header.query_one("HeaderTitle").render())
        assert "profile work · spent today $0.01" in shown


async def test_the_workspace_names_the_profile_once_beside_its_own_parts(orch_home) -> None:
    """Seen in tmux: with answers paged, the header read 'profile work · profile work · answers
    1 to 1 of 2'."""
    app = OrchApp(config=load_config(Paths.default(profile="work")), warm_sdks=False)
    async with app.run_test() as pilot:
        await app.wait_services()
        await pilot.pause()
        header = app.screen.query_one(Header)
        app.screen._header("pages", "answers 1 to 1 of 2")
        await pilot.pause()
        shown = str(header.query_one("HeaderTitle").render())
        assert shown.count("profile work") == 1
        assert "profile work · answers 1 to 1 of 2" in shown
        app.show_mode("debug")  # a mode chosen later joins the profile, still once each
        await pilot.pause()
        shown = str(header.query_one("HeaderTitle").render())
        assert "profile work · mode debug · answers 1 to 1 of 2" in shown
        assert shown.count("profile work") == 1


async def test_the_default_profile_shows_no_profile(paths: Paths) -> None:
    app = OrchApp(config=load_config(paths), warm_sdks=False)
    async with app.run_test() as pilot:
        await pilot.pause()
        assert "profile" not in str(app.screen.query_one("HeaderTitle").render())


PROFILE_AT_FIRST_PAINT = """
import sys
from orchestrator_tui.tui.app import OrchApp

REPORT = sys.argv[1]

def report(app):
    with open(REPORT, "w") as out:
        out.write("\\n".join([app.sub_title, *sorted(sys.modules)]))
    app.exit()

OrchApp._open_services = report
sys.argv = ["orch-tui", "--profile", "work"]
from orchestrator_tui.entry import main
main()
"""


def test_orch_tui_profile_opens_the_app_on_the_fast_path_with_the_profile_shown(
    tmp_path: Path,
) -> None:
    """``orch-tui --profile work`` in a terminal: no click, no YAML before the first paint, and
    the header names the profile in that first frame."""
    report = tmp_path / "report.txt"
    env = {**os.environ, "ORCH_TUI_HOME": str(tmp_path / "home"), "TERM": "xterm-256color"}
    env.pop("ORCH_TUI_PROFILE", None)
    pid, fd = pty.fork()
    if pid == 0:  # the child: a real terminal on both ends
        os.execve(sys.executable, [sys.executable, "-c", PROFILE_AT_FIRST_PAINT, str(report)], env)
    try:
        while select.select([fd], [], [], 60)[0]:  # the limit only stops a hung app
            try:
                if not os.read(fd, 65536):
                    break
            except OSError:
                break
    finally:
        os.close(fd)
        os.waitpid(pid, 0)
    subtitle, *modules = report.read_text().splitlines()
    assert subtitle == "profile work"
    assert not [m for m in modules if m.split(".")[0] in ("click", "yaml")]
    assert "orchestrator_tui.config" not in modules
