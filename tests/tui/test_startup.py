"""Start-up: a bare ``orch-tui`` in a terminal paints the workspace before loading what it can wait for.

Each check runs the real entry point in a pseudo-terminal and looks at ``sys.modules`` when the
app is about to open its services, which it does right after the workspace's first paint.
"""

from __future__ import annotations

import os
import pty
import select
import sys
from pathlib import Path
from typing import NamedTuple

# Runs in the child: stop at the moment the services would open, report what was loaded by then.
AT_FIRST_PAINT = """
import gc, sys
from orchestrator_tui.tui.app import OrchApp

REPORT = sys.argv[1]

def report(app):
    facts = [type(app.screen).__name__, f"collector on: {gc.isenabled()}"]
    with open(REPORT, "w") as out:
        out.write("\\n".join([*facts, *sorted(sys.modules)]))
    app.exit()

OrchApp._open_services = report
sys.argv = ["orch-tui"]
from orchestrator_tui.entry import main
main()
"""


class FirstPaint(NamedTuple):
    screen: str
    collector: str
    modules: set[str]


def at_first_paint(tmp_path: Path) -> FirstPaint:
    """The screen, the garbage collector and the modules once the workspace is painted."""
    report = tmp_path / "modules.txt"
    env = {**os.environ, "ORCH_TUI_HOME": str(tmp_path / "home"), "TERM": "xterm-256color"}
    output = b""
    pid, fd = pty.fork()
    if pid == 0:  # the child: a real terminal on both ends, like a person's
        os.execve(sys.executable, [sys.executable, "-c", AT_FIRST_PAINT, str(report)], env)
    try:
        while select.select([fd], [], [], 60)[0]:  # the limit only stops a hung app
            try:
                chunk = os.read(fd, 65536)
            except OSError:  # the child closed the terminal
                break
            if not chunk:
                break
            output += chunk
    finally:
        os.close(fd)
        os.waitpid(pid, 0)
    assert report.exists(), output.decode(errors="replace")[-3000:]
    screen, collector, *modules = report.read_text().splitlines()
    return FirstPaint(screen, collector, set(modules))


def loaded(modules: set[str], *packages: str) -> list[str]:
    return sorted(m for m in modules if m.split(".")[0] in packages or m in packages)


def test_bare_orch_tui_paints_the_workspace_without_click_config_or_sdks(tmp_path: Path) -> None:
    screen, _, modules = at_first_paint(tmp_path)
    assert screen == "WorkspaceScreen"
    assert loaded(modules, "click", "yaml", "orchestrator_tui.config") == []
    assert loaded(modules, "anthropic", "mistralai", "google.genai") == []
    assert loaded(modules, "aiosqlite", "sqlite3", "keyring", "markdown_it") == []


def test_no_plugin_is_read_before_the_first_paint(tmp_path: Path) -> None:
    assert loaded(at_first_paint(tmp_path).modules, "orchestrator_tui.plugins") == []


def test_the_engine_loads_after_the_first_paint_not_with_the_workspace(tmp_path: Path) -> None:
    modules = at_first_paint(tmp_path).modules
    engine = ("orchestrator_tui.services", "orchestrator_tui.core.events")
    assert loaded(modules, *engine, "orchestrator_tui.core.types") == []
    assert loaded(modules, "orchestrator_tui.tui.pane_feed", "orchestrator_tui.tui.commands") == []


def test_the_garbage_collector_paused_for_start_up_runs_again_once_painted(tmp_path: Path) -> None:
    assert at_first_paint(tmp_path).collector == "collector on: True"
