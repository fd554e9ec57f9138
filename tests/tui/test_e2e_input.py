"""Nothing typed is lost, split or sent by surprise: the real app in a real terminal (tmux).

Keys go in as a terminal delivers them: `send-keys -l TEXT` and `Enter` back to back (a paste
over SSH, a text expander), alt+Enter as the bytes ESC CR. What was sent is read back from the
history database, where each prompt is stored as the models received it.
"""

from __future__ import annotations

import contextlib
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tui.test_e2e_tmux import Terminal, pytestmark  # noqa: F401  (skipped without tmux)

READY = "Ask every selected model"
SLOW_LOREM = """
models:
  mock:lorem:
    options: {tokens_per_second: 20, tokens: 2000}
"""


class App:
    """orch-tui running in ``terminal`` on its own home folder."""

    def __init__(self, terminal: Terminal, home: Path) -> None:
        self.terminal, self.home = terminal, home

    def start(self, *env: str, size: tuple[int, int] = (80, 24)) -> None:
        self.terminal.launch(self.home, *env, size=size)
        self.terminal.wait_for(lambda s: READY in s, "the workspace")

    def burst(self, text: str) -> None:
        """``text`` and Enter as fast as tmux delivers them."""
        self.terminal.tmux("send-keys", "-t", "app", "-l", text)
        self.terminal.key("Enter")

    def prompts(self) -> list[str]:
        database = self.home / "data" / "history.sqlite3"
        if not database.exists():
            return []
        with contextlib.closing(sqlite3.connect(database)) as db:
            try:
                rows = db.execute(
                    "SELECT content FROM interactions WHERE type = 'prompt' ORDER BY created_at"
                ).fetchall()
            except sqlite3.OperationalError:  # the app is still creating its tables
                return []
        return [content for (content,) in rows]

    def wait_prompts(self, count: int, limit: float = 60) -> list[str]:
        """The stored prompts once there are ``count`` (the limit only stops a hung app)."""
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            found = self.prompts()
            if len(found) >= count:
                return found
            time.sleep(0.1)
        raise AssertionError(f"only {self.prompts()} stored; the screen:\n{self.terminal.screen()}")

    def quit(self) -> None:
        assert self.terminal.quit(), "the app did not quit on ctrl+q"


@pytest.fixture
def app(terminal: Terminal, tmp_path: Path) -> Iterator[App]:
    yield App(terminal, tmp_path / "home")


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[Terminal]:
    import uuid

    term = Terminal(f"orch-tui-input-{uuid.uuid4().hex[:8]}")
    yield term
    term.tmux("kill-server")


def test_twenty_prompts_typed_in_bursts_are_each_stored_whole_and_in_order(app: App) -> None:
    app.start()
    sent = [f"burst number {n}: why is the sky blue at noon, {n}?" for n in range(20)]
    for text in sent:
        app.burst(text)
    assert app.wait_prompts(20) == sent


def test_enter_before_the_workspace_is_ready_waits_and_then_sends(app: App, tmp_path: Path) -> None:
    gate = tmp_path / "open-services"
    app.start(f"ORCH_TUI_HOLD_START={gate}")
    app.burst("typed before the start-up ended")
    app.terminal.wait_for(lambda s: "⏳" in s and "typed before" in s, "the waiting marker")
    assert app.prompts() == []  # the history is not even open: the prompt waits in the app
    gate.touch()
    app.terminal.wait_for(lambda s: "✓ mock:echo" in s, "the answer")
    assert app.wait_prompts(1) == ["typed before the start-up ended"]
    assert "⏳" not in app.terminal.screen()


def test_enter_during_a_run_queues_the_prompt_which_can_be_taken_back(app: App) -> None:
    app.home.joinpath("config").mkdir(parents=True)
    app.home.joinpath("config", "models.yaml").write_text(SLOW_LOREM, encoding="utf-8")
    app.start()
    app.burst("the first, slow to answer")
    app.terminal.wait_for(lambda s: "◐ mock:lorem" in s, "lorem streaming")
    app.burst("the second, typed during the run")
    app.terminal.wait_for(lambda s: "⏳" in s and "the second" in s, "the waiting marker")
    app.terminal.key("Up")  # the empty box takes the waiting prompt back
    app.terminal.wait_for(lambda s: "⏳" not in s, "the marker gone")
    assert "the second, typed during the run" in app.terminal.screen()
    app.terminal.key("Enter")  # queued again
    app.terminal.wait_for(lambda s: "⏳" in s, "the waiting marker again")
    app.terminal.key("Escape")  # cancel the slow run: the waiting prompt goes out
    assert app.wait_prompts(2) == ["the first, slow to answer", "the second, typed during the run"]


def test_alt_enter_as_esc_cr_and_ctrl_j_break_the_line_instead_of_sending(app: App) -> None:
    app.start()
    app.terminal.tmux("send-keys", "-t", "app", "-l", "line one")
    app.terminal.tmux("send-keys", "-t", "app", "-H", "1b", "0d")  # alt+Enter in xterm and tmux
    app.terminal.tmux("send-keys", "-t", "app", "-l", "line two")
    app.terminal.key("C-j")
    app.burst("line three")
    assert app.wait_prompts(1) == ["line one\nline two\nline three"]


def test_up_in_the_empty_box_recalls_earlier_prompts_after_a_restart(app: App) -> None:
    app.start()
    app.burst("first question")
    app.burst("second question")
    app.wait_prompts(2)
    app.quit()
    app.terminal.tmux("kill-server")
    app.start()
    app.terminal.wait_for(lambda s: "○ mock:echo" in s, "the workspace ready")
    app.terminal.key("Up")
    app.terminal.wait_for(lambda s: "second question" in s, "the last prompt recalled")
    app.terminal.key("Up")
    app.terminal.wait_for(lambda s: "first question" in s, "the one before")
    app.terminal.key("Enter")
    assert app.wait_prompts(3)[-1] == "first question"


def test_a_mistyped_slash_command_stays_in_the_box(app: App) -> None:
    app.start()
    app.burst("/modles mock:echo")
    app.terminal.wait_for(lambda s: "Unknown command /modles" in s, "the error")
    screen = app.terminal.screen()
    assert "/modles mock:echo" in screen
