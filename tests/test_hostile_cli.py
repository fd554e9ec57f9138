"""A model whose answer tries to drive the terminal: `ask` and `history` show it, on a real
pseudo-terminal, without one of its escape sequences reaching the terminal; piped, the answer is
data and comes out byte for byte."""

from __future__ import annotations

import json
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.hostile import ANSWER, MODEL, PIECES, PseudoTerminal, child_env, cli, injected
from tests.wire.engine import models_yaml
from tests.wire.server import WireServer, threaded_server


@pytest.fixture
def hostile(write_models) -> Iterator[WireServer]:  # type: ignore[no-untyped-def]
    with threaded_server(tokens=PIECES) as server:
        write_models(models_yaml(server.url))
        yield server


def on_terminal(home: Path, *args: str) -> PseudoTerminal:
    term = PseudoTerminal(cli(*args), child_env(home))
    assert term.finish() == 0, term.screen_text()[-2000:]
    return term


def test_ask_on_a_terminal_shows_the_answer_without_its_escape_sequences(
    hostile: WireServer, orch_home: Path
) -> None:
    term = on_terminal(orch_home, "ask", "-m", MODEL, "be hostile")
    assert injected(term.output) == []
    shown = term.screen_text()
    assert "END-OF-ANSWER" in shown and "␛]52;c;" in shown and "NUL␀HERE" in shown
    assert "LONE\ufffdSURROGATE" in shown
    assert "WIPE-NEXT␛[2J" in shown and "C1-NEXT␛[2J" in shown
    assert "a link (smb://evil.example/share)" in shown  # the target shown, not hidden in a link
    assert b"\x1b]8;" not in term.output  # no terminal hyperlink of any kind


def test_run_on_a_terminal_shows_the_chains_answer_as_safely(
    hostile: WireServer, orch_home: Path
) -> None:
    term = on_terminal(orch_home, "run", "--steps", MODEL, "-i", "task=be hostile")
    assert injected(term.output) == []
    shown = term.screen_text()
    assert "END-OF-ANSWER" in shown and "a link (smb://evil.example/share)" in shown


def test_history_show_and_search_on_a_terminal_are_as_safe(
    hostile: WireServer, orch_home: Path
) -> None:
    on_terminal(orch_home, "ask", "-m", MODEL, "be hostile")
    with sqlite3.connect(orch_home / "data" / "history.sqlite3") as db:
        [(session,)] = db.execute("SELECT id FROM sessions").fetchall()
        [(stored,)] = db.execute("SELECT content FROM interactions WHERE type = 'response'")
    assert stored == ANSWER  # the history keeps what the model said
    shown = on_terminal(orch_home, "history", "show", session[:8])
    assert injected(shown.output) == []
    assert "END-OF-ANSWER" in shown.screen_text() and "NUL␀HERE" in shown.screen_text()
    found = on_terminal(orch_home, "history", "search", "PWNED")
    assert injected(found.output) == []
    assert "PWNED" in found.screen_text()


def test_piped_output_is_the_answer_byte_for_byte(hostile: WireServer, orch_home: Path) -> None:
    env = child_env(orch_home)
    piped = subprocess.run(cli("ask", "-m", MODEL, "be hostile"), capture_output=True, env=env)
    assert piped.returncode == 0, piped.stderr
    assert ANSWER.encode() in piped.stdout
    as_json = subprocess.run(
        cli("ask", "--json", "-m", MODEL, "again"), capture_output=True, env=env, check=True
    )
    assert json.loads(as_json.stdout)["responses"][0]["text"] == ANSWER
    with sqlite3.connect(orch_home / "data" / "history.sqlite3") as db:
        [(session,)] = db.execute("SELECT id FROM sessions WHERE title = 'again'").fetchall()
    exported = subprocess.run(
        cli("history", "show", "--json", session), capture_output=True, env=env, check=True
    )
    assert ANSWER in json.loads(exported.stdout)["interactions"][1]["content"]
    markdown = subprocess.run(
        cli("history", "show", session), capture_output=True, env=env, check=True
    )
    assert ANSWER.encode() in markdown.stdout
