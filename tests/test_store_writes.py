"""Writes from several tasks at once (the recorder, a history action, the best mark) take turns."""

from __future__ import annotations

import asyncio
from pathlib import Path

from orchestrator_tui.store.db import Database

SESSION = (
    "INSERT INTO sessions (id, kind, status, created_at, updated_at)"
    " VALUES (?, 'compare', 'completed', 1, 1)"
)


async def test_writes_from_several_tasks_at_once_all_land(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "h.sqlite3")
    try:
        writes = [db.write([(SESSION, (f"s{n}",)), (SESSION, (f"t{n}",))]) for n in range(20)]
        assert await asyncio.gather(*writes) == [2] * 20
        rows = await db.fetchall("SELECT COUNT(*) AS n FROM sessions")
        assert rows[0]["n"] == 40
    finally:
        await db.close()


async def test_a_cancelled_writer_leaves_the_database_usable(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "h.sqlite3")
    try:
        for n in range(10):
            task = asyncio.create_task(db.write([(SESSION, (f"s{n}",)), (SESSION, (f"t{n}",))]))
            for _ in range(n):
                await asyncio.sleep(0)
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
            assert await db.write([(SESSION, (f"u{n}",))]) == 1
        await db.write([])
        rows = await db.fetchall("SELECT id FROM sessions")
        ids = {r["id"] for r in rows}
        assert {f"u{n}" for n in range(10)} <= ids
        for n in range(10):  # each cancelled write happened whole or not at all
            assert (f"s{n}" in ids) == (f"t{n}" in ids)
    finally:
        await db.close()
