"""The active profile is in the header from the first frame."""

from __future__ import annotations

import os
import pty
import select
import sys
from pathlib import Path

from textual.widgets import Header

from orchestrator_tui.config import Paths, load_config
from orchestrator_tui.config.profiles import create_profile
from orchestrator_tui.tui.app import OrchApp


def app_in_a_new_profile(name: str) -> OrchApp:
    return OrchApp(config=load_config(create_profile(Paths.default(), name)), warm_sdks=False)


async def test_the_header_names_the_active_profile(orch_home) -> None:
    app = app_in_a_new_profile("work")
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
    app = app_in_a_new_profile("work")
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


def in_terminal(tmp_path: Path, *args: str) -> tuple[bytes, int]:
    """Run Python with ``args`` on a pseudo-terminal (both ends a terminal, as a person's), in a
    fresh home; what it wrote and its exit status."""
    env = {**os.environ, "ORCH_TUI_HOME": str(tmp_path / "home"), "TERM": "xterm-256color"}
    env.pop("ORCH_TUI_PROFILE", None)
    pid, fd = pty.fork()
    if pid == 0:  # the child
        os.execve(sys.executable, [sys.executable, *args], env)
    written = b""
    try:
        while select.select([fd], [], [], 60)[0]:  # the limit only stops a hung app
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                break
            if not chunk:
                break
            written += chunk
    finally:
        os.close(fd)
        _, status = os.waitpid(pid, 0)
    return written, os.waitstatus_to_exitcode(status)


def test_the_app_in_a_profile_never_made_says_so_and_exits_2(tmp_path: Path) -> None:
    """A typo in ``--profile`` must not open an empty history (nor save keys where no one looks)."""
    written, code = in_terminal(tmp_path, "-m", "orchestrator_tui", "--profile", "wrok")
    assert code == 2
    said = b" ".join(written.split())  # the terminal wraps the line
    assert b"orch-tui: error: no profile 'wrok': `orch-tui profiles create wrok` makes it" in said
    assert not (tmp_path / "home" / "data" / "profiles" / "wrok").exists()


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
    in_terminal(tmp_path, "-c", PROFILE_AT_FIRST_PAINT, str(report))
    subtitle, *modules = report.read_text().splitlines()
    assert subtitle == "profile work"
    assert not [m for m in modules if m.split(".")[0] in ("click", "yaml")]
    assert "orchestrator_tui.config" not in modules
