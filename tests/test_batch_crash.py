"""An embedded batch killed with SIGKILL at random points finishes on resume, each item once."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from orchestrator_tui.config import Paths

ITEMS = 500
KILLS = 10
MODELS = """\
models:
  mock:quick-a: {api_name: lorem, options: {ttft: 0.005, tokens: 20}}
  mock:quick-b: {api_name: lorem, options: {ttft: 0.005, tokens: 20}}
"""


def orch(*args: str) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "orchestrator_tui", "batch", *args]
    return subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=os.environ
    )


def batch_exists(paths: Paths) -> bool:
    if not paths.database.exists():
        return False
    with sqlite3.connect(paths.database) as conn:
        try:
            row = conn.execute("SELECT status FROM batches WHERE name = 'crash'").fetchone()
        except sqlite3.OperationalError:
            return False
    return row is not None and row[0] != "loading"


def in_flight(paths: Paths) -> bool:
    """Some item of the batch is running (its session is active) right now."""
    if not batch_exists(paths):
        return False
    with sqlite3.connect(paths.database) as conn:
        try:
            row = conn.execute(
                "SELECT 1 FROM sessions WHERE batch_id IS NOT NULL AND status = 'active' LIMIT 1"
            ).fetchone()
        except sqlite3.OperationalError:
            return False
    return row is not None


def wait_for_work(paths: Paths, process: subprocess.Popen[bytes], limit: float = 60) -> None:
    """Until items are in flight, so a kill lands among them however slow start-up is today."""
    deadline = time.monotonic() + limit
    while process.poll() is None and not in_flight(paths) and time.monotonic() < deadline:
        time.sleep(0.02)


def test_sigkill_at_random_points_then_resume_ten_times_runs_every_item_once(
    tmp_path: Path, paths: Paths
) -> None:
    paths.models_file.write_text(MODELS, encoding="utf-8")
    inputs = tmp_path / "topics.txt"
    inputs.write_text("".join(f"topic {n}\n" for n in range(ITEMS)), encoding="utf-8")
    start = ["run", "--conversation", "mock:quick-a,mock:quick-b", "--turns", "2-3",
             "--inputs", str(inputs), "--name", "crash", "--concurrency", "16"]  # fmt: skip
    chance = random.Random(4)
    for _ in range(KILLS):
        process = orch(*(["resume", "crash"] if batch_exists(paths) else start))
        wait_for_work(paths, process)
        time.sleep(chance.uniform(0.0, 1.0))
        process.send_signal(signal.SIGKILL)
        process.wait()
    last = orch(*(["resume", "crash"] if batch_exists(paths) else start))
    assert last.wait(timeout=240) == 0, last.stderr.read() if last.stderr else ""

    with sqlite3.connect(paths.database) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        items = conn.execute(
            "SELECT item, status, session_id FROM batch_items ORDER BY item"
        ).fetchall()
        assert [i[:2] for i in items] == [(n, "done") for n in range(1, ITEMS + 1)]
        completed = conn.execute(
            "SELECT batch_item, id FROM sessions WHERE batch_id IS NOT NULL AND status = 'completed'"
        ).fetchall()
        assert sorted(completed) == sorted((n, s) for n, _, s in items)
        others = conn.execute(
            "SELECT DISTINCT status FROM sessions WHERE status != 'completed'"
        ).fetchall()
        assert set(others) <= {("interrupted",)}
        attempts = conn.execute("SELECT SUM(attempts) FROM batch_items").fetchone()[0]
        interrupted = conn.execute(
            "SELECT COUNT(*) FROM sessions WHERE status = 'interrupted'"
        ).fetchone()[0]
        assert attempts == ITEMS + interrupted
        assert interrupted > 0  # the kills landed while items were in flight


def test_ctrl_c_leaves_the_items_in_flight_queued_and_resume_finishes_them(
    tmp_path: Path, paths: Paths
) -> None:
    paths.models_file.write_text(
        "models:\n  mock:slowish: {api_name: lorem, options: {ttft: 0.2, tokens: 10}}\n",
        encoding="utf-8",
    )
    inputs = tmp_path / "topics.txt"
    inputs.write_text("".join(f"topic {n}\n" for n in range(40)), encoding="utf-8")
    process = orch("run", "--steps", "mock:slowish", "--inputs", str(inputs), "--name", "stop",
                   "--concurrency", "4")  # fmt: skip
    deadline = time.monotonic() + 60
    while done_count(paths) < 4 and time.monotonic() < deadline:
        time.sleep(0.05)
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=60) == 130
    with sqlite3.connect(paths.database) as conn:
        assert conn.execute("SELECT status FROM batches").fetchone() == ("stopped",)
        left = conn.execute("SELECT COUNT(*) FROM batch_items WHERE status = 'queued'").fetchone()
        assert left[0] > 0
    assert orch("resume", "stop").wait(timeout=120) == 0
    with sqlite3.connect(paths.database) as conn:
        statuses = conn.execute("SELECT DISTINCT status FROM batch_items").fetchall()
        assert statuses == [("done",)]
        per_item = conn.execute(
            "SELECT batch_item, COUNT(*) FROM sessions WHERE status = 'completed'"
            " GROUP BY batch_item HAVING COUNT(*) != 1"
        ).fetchall()
        assert per_item == []


def done_count(paths: Paths) -> int:
    if not paths.database.exists():
        return 0
    with sqlite3.connect(paths.database) as conn:
        try:
            return conn.execute(
                "SELECT COUNT(*) FROM batch_items WHERE status = 'done'"
            ).fetchone()[0]
        except sqlite3.OperationalError:
            return 0
