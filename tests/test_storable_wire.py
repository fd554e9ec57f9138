"""A lone surrogate from a real OpenAI-compatible stream, and bytes that are not UTF-8 on argv and
standard input: ``ask`` and the TUI record every session whole, with visible replacements."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys

import pytest

from orchestrator_tui.core.storable import REPLACEMENT
from tests.wire.engine import MODELS, models_yaml
from tests.wire.guard import loopback_only  # noqa: F401 - a fixture
from tests.wire.server import threaded_server

SURROGATE_TOKENS = ("Hi ", "\ud83d", " there ", "\ude00", "!")
"""Sent as JSON, so each lone surrogate travels as the valid escape ``"\\ud83d"``."""
SAVED = f"Hi {REPLACEMENT} there {REPLACEMENT}!"


def orch(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "orchestrator_tui", *args],
        input=stdin,
        capture_output=True,
        env={**os.environ, "OPENAI_API_KEY": "sk-wire-000000000000"},
        timeout=120,
    )


def stored(database) -> tuple[list[tuple[str, str]], list[tuple[str, str, str]]]:  # type: ignore[no-untyped-def]
    with sqlite3.connect(database) as db:
        sessions = db.execute("SELECT id, status FROM sessions").fetchall()
        rows = db.execute("SELECT type, status, content FROM interactions ORDER BY seq").fetchall()
    return sessions, rows


@pytest.mark.usefixtures("loopback_only")
def test_ask_json_with_a_lone_surrogate_in_the_answer_exits_0_and_saves_it(
    paths, write_models
) -> None:  # type: ignore[no-untyped-def]
    with threaded_server(tokens=SURROGATE_TOKENS) as server:
        write_models(models_yaml(server.url))
        result = orch("ask", "-m", MODELS["openai"], "--json", "say hi")
    assert result.returncode == 0, result.stderr.decode()
    assert b"Traceback" not in result.stderr
    document = json.loads(result.stdout)
    [answer] = document["responses"]
    assert answer["status"] == "ok" and answer["text"] == SAVED
    sessions, rows = stored(paths.database)
    assert sessions == [(document["session_id"], "completed")]
    assert rows == [("prompt", "ok", "say hi"), ("response", "ok", SAVED)]


@pytest.mark.parametrize("via", ["argv", "stdin"])
def test_a_prompt_with_bytes_that_are_not_utf8_is_recorded(paths, via: str) -> None:  # type: ignore[no-untyped-def]
    prompt = b"a \xff b"
    if via == "argv":
        result = orch("ask", "-m", "mock:echo", os.fsdecode(prompt))
    else:
        result = orch("ask", "-m", "mock:echo", stdin=prompt)
    assert result.returncode == 0, result.stderr.decode()
    assert result.stderr == b""
    sessions, rows = stored(paths.database)
    assert [status for _, status in sessions] == ["completed"]
    assert rows == [
        ("prompt", "ok", f"a {REPLACEMENT} b"),
        ("response", "ok", f"a {REPLACEMENT} b"),
    ]


def test_a_chain_input_file_that_is_not_utf8_runs_with_visible_replacements(
    paths, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    source = tmp_path / "notes.txt"
    source.write_bytes(b"caf\xe9 au lait")  # Latin-1, as old files often are
    result = orch("run", "--steps", "mock:echo", "-i", f"task=@{source}", "--json")
    assert result.returncode == 0, result.stderr.decode()
    assert f"caf{REPLACEMENT} au lait" in json.loads(result.stdout)["output"]
    sessions, _ = stored(paths.database)
    assert [status for _, status in sessions] == ["completed"]


def test_history_lookups_with_bytes_that_are_not_utf8_answer_plainly(paths) -> None:  # type: ignore[no-untyped-def]
    assert orch("ask", "-m", "mock:echo", "café au lait").returncode == 0
    search = orch("history", "search", os.fsdecode(b"caf\xff"))
    assert search.returncode == 0 and search.stderr == b""
    show = orch("history", "show", os.fsdecode(b"\xff"))
    assert show.returncode == 2
    assert show.stderr.decode().startswith("orch-tui: error: no session")
