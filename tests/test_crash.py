"""A run killed mid-stream leaves an intact database with every partial answer saved."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time

from orchestrator_tui.services import open_services

SLOW_MODELS = """
models:
  mock:slow-a: {api_name: lorem, options: {tokens_per_second: 40, tokens: 2000}}
  mock:slow-b: {api_name: echo, options: {tokens_per_second: 40}}
"""


def partial_answers(database) -> list[str]:
    if not database.exists():
        return []
    try:
        with sqlite3.connect(database, timeout=5) as db:
            rows = db.execute("SELECT content FROM interactions WHERE type = 'response'").fetchall()
    except sqlite3.OperationalError:
        return []
    return [row[0] for row in rows]


async def test_sigkill_mid_stream_keeps_the_database_and_partial_answers(paths, write_models):
    write_models(SLOW_MODELS)
    prompt = " ".join(f"word{i}" for i in range(400))
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "orchestrator_tui",
            "ask",
            "-m",
            "mock:slow-a",
            "-m",
            "mock:slow-b",
            prompt,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=os.environ.copy(),
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            answers = partial_answers(paths.database)
            if len(answers) == 2 and all(len(a) > 20 for a in answers):
                break
            assert process.poll() is None, process.stderr.read().decode()
            time.sleep(0.1)
        else:
            raise AssertionError("the answers never reached the database")
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == -signal.SIGKILL

    with sqlite3.connect(paths.database) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    services = await open_services(paths)
    try:
        [session] = await services.sessions.list()
        assert session.status == "interrupted"
        rows = await services.sessions.interactions(session.id)
    finally:
        await services.aclose()
    responses = [r for r in rows if r.type == "response"]
    assert len(responses) == 2
    for response in responses:
        assert response.status == "interrupted"
        assert len(response.content) > 20
    echo = next(r for r in responses if r.model == "mock:slow-b")
    assert prompt.startswith(echo.content) and echo.content != prompt


def history_statuses(env: dict[str, str]) -> str:
    """``orch-tui history list`` run at once: it opens the history, so it recovers what it finds."""
    listed = subprocess.run(
        [sys.executable, "-m", "orchestrator_tui", "history", "list"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert listed.returncode == 0, listed.stderr
    return listed.stdout


def test_the_command_right_after_a_sigkill_marks_the_session_interrupted(paths, write_models):  # type: ignore[no-untyped-def]
    """The killed writer is not reaped yet (a zombie, as when its shell has not waited for it):
    its pid still exists, yet the session is marked at once."""
    write_models(SLOW_MODELS)
    process = subprocess.Popen(
        [sys.executable, "-m", "orchestrator_tui", "ask", "-m", "mock:slow-a", "tell me"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while not any(len(a) > 20 for a in partial_answers(paths.database)):
            assert process.poll() is None and time.monotonic() < deadline
            time.sleep(0.05)
        os.kill(process.pid, signal.SIGKILL)
        listed = history_statuses(os.environ.copy())
        assert os.path.exists(f"/proc/{process.pid}")  # not reaped: a zombie all along
    finally:
        process.kill()
        process.wait(10)
    assert "interrupted" in listed and "active" not in listed
    with sqlite3.connect(paths.database) as db:
        assert db.execute("SELECT status, pid, pid_start FROM sessions").fetchall() == [
            ("interrupted", None, None)
        ]
