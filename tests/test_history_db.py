"""The database file under stress: damaged, locked, opened by two processes, backed up, vacuumed."""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

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


async def test_opening_waits_for_a_writer_of_a_new_file_instead_of_failing(tmp_path) -> None:
    """Switching a rollback-journal file to WAL while another process writes it makes SQLite
    answer "locked" at once, not after the busy timeout; opening waits and retries."""
    path = tmp_path / "h.sqlite3"
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("CREATE TABLE t (x)")
    other.execute("BEGIN IMMEDIATE")
    other.execute("INSERT INTO t VALUES (1)")
    opening = asyncio.create_task(Database.open(path, busy_timeout=30))
    try:
        await asyncio.sleep(0.3)
        assert not opening.done(), opening.exception()
    finally:
        other.execute("COMMIT")
        other.close()
    db = await opening
    try:
        assert (await db.fetchone("PRAGMA journal_mode"))[0] == "wal"
        assert (await db.fetchone("PRAGMA user_version"))[0] == len(MIGRATIONS)
    finally:
        await db.close()


def _open_and_record(path: str, name: str, barrier) -> None:  # type: ignore[no-untyped-def]
    """One process: wait for the others, then open the new history and record one session."""

    async def body() -> None:
        db = await Database.open(Path(path))
        try:
            await SessionStore(db).import_detail(make_session(int(name), name, {"mock:echo": name}))
        finally:
            await db.close()

    barrier.wait()
    asyncio.run(body())


def test_eight_processes_opening_one_new_history_at_once_lose_nothing(tmp_path) -> None:
    context = multiprocessing.get_context("fork")
    for round_ in range(5):
        path = tmp_path / f"h{round_}.sqlite3"
        barrier = context.Barrier(8)
        processes = [
            context.Process(target=_open_and_record, args=(str(path), str(i + 1), barrier))
            for i in range(8)
        ]
        for process in processes:
            process.start()
        for process in processes:
            process.join(60)
        assert [p.exitcode for p in processes] == [0] * 8
        with sqlite3.connect(path) as raw:
            assert raw.execute("SELECT count(*) FROM sessions").fetchone()[0] == 8


def orch(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "orchestrator_tui", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=120,
    )


def test_a_database_found_damaged_during_ask_is_one_line_and_exit_2(paths) -> None:  # type: ignore[no-untyped-def]
    """The header is sound, so opening works; the first write meets the damaged pages."""
    assert orch("ask", "-m", "mock:echo", "first").returncode == 0
    with sqlite3.connect(paths.database) as raw:
        raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        [root] = raw.execute("SELECT rootpage FROM sqlite_master WHERE name = 'interactions'")
    data = bytearray(paths.database.read_bytes())
    data[(root[0] - 1) * 4096 : root[0] * 4096] = b"\xde\xad\xbe\xef" * 1024
    paths.database.write_bytes(bytes(data))
    result = orch("ask", "-m", "mock:echo", "second")
    assert result.returncode == 2
    [line] = result.stderr.splitlines()
    assert line.startswith("orch-tui: error: the history database") and "left untouched" in line
    assert paths.database.read_bytes() == bytes(data)


@pytest.mark.parametrize("command", [["ask", "-m", "mock:echo", "hi"], ["history", "list"]])
def test_orch_tui_home_pointing_at_a_file_is_one_line_and_exit_2(tmp_path, command) -> None:  # type: ignore[no-untyped-def]
    home = tmp_path / "not-a-folder"
    home.write_text("mine\n")
    result = orch(*command, env={"ORCH_TUI_HOME": str(home)})
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"orch-tui: error: ORCH_TUI_HOME={home} is a file, not a folder; point it at a folder"
        " (nothing was changed)"
    ]
    assert home.read_text() == "mine\n"


async def test_rows_the_recorder_could_not_write_while_locked_are_written_later(tmp_path) -> None:
    from orchestrator_tui.core.events import RunStarted
    from orchestrator_tui.core.types import GenerationParams, Message
    from orchestrator_tui.store.recorder import Recorder

    path = tmp_path / "h.sqlite3"
    db = await Database.open(path, busy_timeout=0.05)
    recorder = Recorder(db)
    kept = Message("user", "kept")
    recorder(RunStarted("r", "s1", "chat", "p1", kept, ("mock:echo",), GenerationParams()))
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(DatabaseError, match="locked"):
            await recorder.flush()
    finally:
        other.execute("ROLLBACK")
        other.close()
    await recorder.flush()
    assert [r["content"] for r in await db.fetchall("SELECT content FROM interactions")] == ["kept"]
    await db.close()
