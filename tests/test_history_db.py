"""The database file under stress: damaged, locked, opened by two processes, backed up, vacuumed."""

from __future__ import annotations

import asyncio
import sqlite3

import pytest
from history_factory import make_session

from orchestrator_tui.store.db import Database, DatabaseError
from orchestrator_tui.store.migrations import MIGRATIONS
from orchestrator_tui.store.sessions import SessionStore


async def test_a_damaged_database_gets_a_clear_message_and_is_never_rewritten(tmp_path) -> None:
    path = tmp_path / "h.sqlite3"
    db = await Database.open(path)
    await SessionStore(db).import_detail(make_session(1, "hello", {"mock:echo": "hi"}))
    await db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    await db.close()
    data = bytearray(path.read_bytes())
    data[4096 : 4096 * 3] = b"\xff" * 8192  # wreck the pages after the header
    path.write_bytes(bytes(data))
    with pytest.raises(DatabaseError, match=r"left untouched|cannot be read") as caught:
        db = await Database.open(path)
        try:
            await SessionStore(db).page()
        finally:
            await db.close()
    assert str(path) in str(caught.value)
    assert path.read_bytes() == bytes(data)


async def test_a_database_locked_by_another_program_is_reported_not_waited_on_forever(
    tmp_path,
) -> None:
    path = tmp_path / "h.sqlite3"
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("PRAGMA journal_mode = DELETE")
    other.execute("CREATE TABLE t (x)")
    other.execute("BEGIN EXCLUSIVE")
    before = path.read_bytes()
    try:
        with pytest.raises(DatabaseError, match="locked by another program"):
            await Database.open(path, busy_timeout=0.05)
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert path.read_bytes() == before


async def test_a_write_blocked_by_another_writer_fails_clearly_and_loses_nothing(tmp_path) -> None:
    path = tmp_path / "h.sqlite3"
    db = await Database.open(path, busy_timeout=0.05)
    store = SessionStore(db)
    await store.import_detail(make_session(1, "kept", {"mock:echo": "hi"}))
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(DatabaseError, match="locked"):
            await store.rename("s0000000000000000000000000000001", "new")
        assert (await store.page()).rows[0].title == "kept"  # readers still read
    finally:
        other.execute("ROLLBACK")
        other.close()
    await store.rename("s0000000000000000000000000000001", "new")
    assert (await store.page()).rows[0].title == "new"
    await db.close()


async def test_two_processes_opening_a_new_database_at_once_both_migrate_it(tmp_path) -> None:
    path = tmp_path / "h.sqlite3"
    opened = await asyncio.gather(*(Database.open(path) for _ in range(4)))
    for db in opened:
        await db.close()
    raw = sqlite3.connect(path)
    assert raw.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)


async def test_backup_makes_a_usable_copy_and_never_overwrites(tmp_path) -> None:
    db = await Database.open(tmp_path / "h.sqlite3")
    store = SessionStore(db)
    await store.import_detail(make_session(1, "backed up", {"mock:echo": "safe"}))
    target = tmp_path / "copy.sqlite3"
    assert await store.backup(target) > 0
    target_bytes = target.read_bytes()
    with pytest.raises(DatabaseError, match="already exists"):
        await store.backup(target)
    assert target.read_bytes() == target_bytes
    copy = await Database.open(target)
    assert [h.excerpt for h in await SessionStore(copy).search("safe")] == ["safe"]
    await copy.close()
    await db.close()


async def test_vacuum_keeps_every_session_and_the_search(tmp_path) -> None:
    db = await Database.open(tmp_path / "h.sqlite3")
    store = SessionStore(db)
    for n in range(1, 30):
        await store.import_detail(
            make_session(n, f"topic {n} " + "words " * 200, {"mock:echo": "x"})
        )
    await store.delete([f"s{n:031d}" for n in range(1, 25)])
    await store.empty_trash()
    before, after = await store.vacuum()
    assert after <= before
    assert await store.count() == 5
    assert {h.session_id[-2:] for h in await store.search("topic")} == {
        "25",
        "26",
        "27",
        "28",
        "29",
    }
    await db.close()
