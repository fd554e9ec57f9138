"""A history written before step details existed upgrades in place; old step rows keep working."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from orchestrator_tui.store.db import Database
from orchestrator_tui.store.migrations import CHAIN_STEP_DETAILS, MIGRATIONS


async def test_a_history_from_before_step_details_gains_the_column(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    before = MIGRATIONS.index(CHAIN_STEP_DETAILS)
    with sqlite3.connect(path) as conn:
        conn.executescript("".join(MIGRATIONS[:before]) + f"PRAGMA user_version = {before};")
        conn.execute(
            "INSERT INTO sessions VALUES ('s', 't', 'chain', 'completed', 'c', 1, 1, NULL, NULL, '{}')"
        )
        conn.execute(
            "INSERT INTO chain_steps (session_id, run_id, step_id, kind, position, status,"
            " started_at) VALUES ('s', 'r', 'a', 'generate', 0, 'ok', 1)"
        )
    db = await Database.open(path)
    try:
        row = await db.fetchone("SELECT details FROM chain_steps WHERE step_id = 'a'")
        assert row["details"] == "{}"
    finally:
        await db.close()
