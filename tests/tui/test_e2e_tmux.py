"""A person's first session, end to end: `orch-tui` in a real terminal (tmux), two mock answers,
ctrl+q, and the session is in the history database."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(
    shutil.which("tmux") is None, reason="tmux is not installed (.ci/run installs it)"
)
PROMPT = "Why is the sky blue"


class Terminal:
    """One tmux session on a private server, so the user's own tmux is never touched."""

    def __init__(self, socket: str) -> None:
        self.socket = socket

    def tmux(self, *args: str) -> str:
        done = subprocess.run(
            ["tmux", "-L", self.socket, *args], capture_output=True, text=True, check=False
        )
        return done.stdout

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", "app")

    def type(self, text: str) -> None:
        for char in text:  # one key at a time, as a person types
            self.tmux("send-keys", "-t", "app", "-l", char)
            time.sleep(0.02)

    def key(self, name: str) -> None:
        self.tmux("send-keys", "-t", "app", name)

    def wait_for(self, condition: Callable[[str], bool], what: str, limit: float = 60) -> str:
        """Poll the screen; the limit only stops a hung app from hanging the suite."""
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            screen = self.screen()
            if condition(screen):
                return screen
            time.sleep(0.1)
        raise AssertionError(f"never saw {what}; the screen was:\n{self.screen()}")

    def alive(self) -> bool:
        return "app" in self.tmux("list-sessions", "-F", "#{session_name}")

    def launch(self, home: Path, *env: str, size: tuple[int, int] = (80, 24)) -> None:
        """``orch-tui`` on its own home folder; ``env`` adds ``NAME=value`` or ``-u NAME``."""
        command = (
            f"env -u COLUMNS -u LINES {' '.join(env)} ORCH_TUI_HOME={home}"
            f" TERM=xterm-256color {sys.executable} -m orchestrator_tui"
        )
        width, height = size
        self.tmux("new-session", "-d", "-s", "app", "-x", str(width), "-y", str(height), command)

    def quit(self, limit: float = 30) -> bool:
        """ctrl+q, then wait (at most ``limit`` seconds) for the app to end; whether it did."""
        self.key("C-q")
        deadline = time.monotonic() + limit
        while self.alive() and time.monotonic() < deadline:
            time.sleep(0.1)
        return not self.alive()


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[Terminal]:
    term = Terminal(f"orch-tui-test-{uuid.uuid4().hex[:8]}")
    yield term
    term.tmux("kill-server")


def test_person_gets_two_mock_answers_and_the_session_is_saved(
    terminal: Terminal, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    terminal.launch(home, size=(120, 40))
    terminal.wait_for(lambda s: "Ask every selected model" in s, "the workspace")
    terminal.wait_for(lambda s: "offline mock models are selected" in s, "the first-run line")
    terminal.type(PROMPT)
    terminal.key("Enter")
    terminal.wait_for(
        lambda s: "✓ mock:lorem" in s and "✓ mock:echo" in s and PROMPT in s,
        "two finished answers, the echo repeating the prompt",
    )
    assert terminal.quit(), "the app did not quit on ctrl+q"

    with sqlite3.connect(home / "data" / "history.sqlite3") as db:
        sessions = db.execute("SELECT id, title, status FROM sessions").fetchall()
        assert [(title, status) for _, title, status in sessions] == [(PROMPT, "completed")]
        answers = db.execute(
            "SELECT model, status, content FROM interactions WHERE type = 'response' ORDER BY model"
        ).fetchall()
    assert [(model, status) for model, status, _ in answers] == [
        ("mock:echo", "ok"),
        ("mock:lorem", "ok"),
    ]
    assert answers[0][2] == PROMPT


def test_a_word_typed_right_after_ctrl_o_is_a_search_not_commands(
    terminal: Terminal, tmp_path: Path
) -> None:
    """ctrl+o then "write" at once: no rerun ("r"), no trash ("t"), nothing in the prompt box."""
    home = tmp_path / "home"
    terminal.launch(home)
    terminal.wait_for(lambda s: "offline mock models are selected" in s, "the first-run line")
    terminal.type(PROMPT)
    terminal.key("Enter")
    terminal.wait_for(lambda s: "✓ mock:lorem" in s and "✓ mock:echo" in s, "two answers")
    terminal.tmux("send-keys", "-t", "app", "C-o")
    terminal.tmux("send-keys", "-t", "app", "-l", "write")
    screen = terminal.wait_for(lambda s: "matches for 'write'" in s, "the search for 'write'")
    assert "Send this prompt again" not in screen
    terminal.key("Escape")  # clears the search
    terminal.wait_for(lambda s: "1 session in the history" in s, "the history with one session")
    terminal.key("Escape")  # back to the workspace
    screen = terminal.wait_for(lambda s: "Ask every selected model" in s, "an empty prompt box")
    terminal.quit()
    with sqlite3.connect(home / "data" / "history.sqlite3") as db:
        assert db.execute("SELECT count(*) FROM sessions").fetchone() == (1,)


def test_no_os_keyring_a_key_saved_on_f2_is_used_after_a_restart_asking_the_password_once(
    terminal: Terminal, tmp_path: Path
) -> None:
    """No Secret Service (no D-Bus session, keyring's fail backend): F2 saves the key in the vault;
    after a restart two prompts reach a loopback server with it, the password asked once."""
    from orchestrator_tui.config import Paths, load_config
    from tests.wire.engine import models_yaml
    from tests.wire.server import threaded_server

    home = tmp_path / "home"
    key = "sk-e2e-VAULT-0000-7777"
    with threaded_server() as server:
        paths = Paths(home / "config", home / "data", home / "cache")
        paths.ensure()
        paths.models_file.write_text(models_yaml(server.url), encoding="utf-8")
        paths.settings_file.write_text("default_models: [openai:gpt-4.1-mini]\n", encoding="utf-8")
        row = list(load_config(paths).catalog.providers).index("openai")
        no_keyring = (
            "-u DBUS_SESSION_BUS_ADDRESS -u OPENAI_API_KEY -u ORCH_TUI_VAULT_PASSWORD",
            "PYTHON_KEYRING_BACKEND=keyring.backends.fail.Keyring",
        )

        terminal.launch(home, *no_keyring)
        terminal.wait_for(lambda s: "Ask every selected model" in s, "the workspace")
        terminal.key("F2")
        terminal.wait_for(lambda s: "API keys" in s and "missing" in s, "Keys & settings")
        for _ in range(row):
            terminal.key("Down")
        terminal.key("Tab")
        terminal.wait_for(lambda s: "API key for openai" in s, "the key field for openai")
        terminal.type(key)
        terminal.key("Enter")
        terminal.wait_for(lambda s: "Choose a master password" in s, "the new vault's dialog")
        terminal.type("pw1")
        terminal.key("Enter")
        terminal.type("pw1")
        terminal.key("Enter")
        terminal.wait_for(lambda s: "Saved the key for openai in the vault" in s, "the key saved")
        assert terminal.quit()
        assert key.encode() not in paths.vault_file.read_bytes()

        terminal.launch(home, *no_keyring)
        terminal.wait_for(lambda s: "Ask every selected model" in s, "the workspace again")
        assert "No API keys found" not in terminal.screen()
        terminal.type("first question")
        terminal.key("Enter")
        terminal.wait_for(lambda s: "The key for openai" in s, "the password asked")
        terminal.type("pw1")
        terminal.key("Enter")
        terminal.wait_for(lambda s: "Hello from the wire" in s, "the first answer")
        terminal.type("second question")
        terminal.key("Enter")
        posts = lambda: [r for r in server.requests if r.method == "POST"]  # noqa: E731
        deadline = time.monotonic() + 60
        while len(posts()) < 2 and time.monotonic() < deadline:
            assert "Key vault" not in terminal.screen(), "the password was asked twice"
            time.sleep(0.1)
        terminal.wait_for(lambda s: "second question" in s and "Key vault" not in s, "answer 2")
        terminal.key("C-q")
    sent = posts()
    assert len(sent) == 2
    assert all(key in str(seen.headers) for seen in sent)


def test_a_profile_made_and_chosen_on_f2_gets_the_next_prompt_at_80x24(
    terminal: Terminal, tmp_path: Path
) -> None:
    """A prompt in the default profile; then F2, a new profile's name typed on the profile list
    and Enter twice: the app opens again in the same terminal, the header names the profile,
    History has none of the default's sessions, and the next prompt goes to its database."""
    home = tmp_path / "home"
    terminal.launch(home)
    terminal.wait_for(lambda s: "offline mock models are selected" in s, "the first-run line")
    terminal.type("asked in the default profile")
    terminal.key("Enter")
    terminal.wait_for(lambda s: "✓ mock:lorem" in s and "✓ mock:echo" in s, "two answers")
    terminal.key("F2")
    terminal.wait_for(  # the keys known: Remove is off for mock, so four stops to the profiles
        lambda s: "● default (in use)" in s and "mock needs no key" in s,
        "the keys and the profiles, default in use",
    )
    for _ in range(4):  # the keys table, its field, Save, the themes: then the profiles
        terminal.key("Tab")
    terminal.wait_for(lambda s: "Enter opens this profile" in s, "the profile list in focus")
    terminal.type("work")
    terminal.key("Enter")
    terminal.wait_for(lambda s: "Created work: Enter opens it." in s, "the profile created")
    terminal.key("Enter")
    screen = terminal.wait_for(
        lambda s: "profile work" in s and "Ask every selected model" in s,
        "the workspace again, in profile work",
    )
    assert "profile work" in screen.splitlines()[0]
    terminal.key("C-o")
    terminal.wait_for(lambda s: "0 sessions in the history" in s, "an empty history")
    terminal.key("Escape")
    terminal.wait_for(lambda s: "Ask every selected model" in s, "the workspace")
    terminal.type(PROMPT)
    terminal.key("Enter")
    terminal.wait_for(lambda s: "✓ mock:lorem" in s and PROMPT in s, "two answers in work")
    assert terminal.quit(), "the app did not quit on ctrl+q"

    with sqlite3.connect(home / "data" / "profiles" / "work" / "history.sqlite3") as db:
        assert db.execute("SELECT title FROM sessions").fetchall() == [(PROMPT,)]
    with sqlite3.connect(home / "data" / "history.sqlite3") as db:
        titles = db.execute("SELECT title FROM sessions").fetchall()
        assert titles == [("asked in the default profile",)]
