"""The one SQLite file: opened in WAL mode with a busy timeout, migrated on open.

A file that is not a database, is from a newer version, or stays locked gets a clear message and is
never overwritten.
"""

from __future__ import annotations

import asyncio
import random
import sqlite3
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import aiosqlite

from orchestrator_tui.core.errors import OrchError
from orchestrator_tui.core.storable import storable
from orchestrator_tui.store.migrations import MIGRATIONS

BUSY_TIMEOUT_MS = 10_000
_FILE_TROUBLE = ("locked", "busy", "malformed", "not a database", "disk image", "corrupt")


class DatabaseError(OrchError):
    """The history database cannot be used; the message says why and what to do."""


class Database:
    def __init__(self, path: Path, conn: aiosqlite.Connection) -> None:
        self.path = path
        self.conn = conn
        self._writing = asyncio.Lock()
        """One connection, one transaction at a time: writers from several tasks take turns."""

    @classmethod
    async def open(cls, path: Path, *, busy_timeout: float = BUSY_TIMEOUT_MS / 1000) -> Database:
        """``busy_timeout``: seconds to wait for another process's write before giving up."""
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            conn = await aiosqlite.connect(path, timeout=busy_timeout)
        except OSError as exc:
            raise DatabaseError(
                f"cannot open the history database {path}: {exc.strerror}"
            ) from None
        except sqlite3.Error as exc:
            raise DatabaseError(f"cannot open the history database {path}: {exc}") from None
        conn.row_factory = sqlite3.Row
        try:
            await _prepare(conn, path, busy_timeout)
        except sqlite3.DatabaseError as exc:
            await conn.close()
            raise DatabaseError(_explain(path, exc)) from None
        except BaseException:
            await conn.close()
            raise
        return cls(path, conn)

    async def close(self) -> None:
        await self.conn.close()

    async def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        try:
            return list(await self.conn.execute_fetchall(sql, _storable(params)))
        except sqlite3.DatabaseError as exc:
            raise self._unusable(exc) from None

    async def fetchone(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Row | None:
        try:
            async with self.conn.execute(sql, _storable(params)) as cursor:
                return await cursor.fetchone()
        except sqlite3.DatabaseError as exc:
            raise self._unusable(exc) from None

    async def write(self, statements: Iterable[tuple[str, Sequence[Any]]]) -> int:
        """Run statements in one transaction (all or nothing); the number of rows they changed.

        Writes from several tasks (the recorder, a history action) run one after another, and a
        writer cancelled midway does not cut its transaction short: it finishes (or rolls back)
        first, so the connection is never left inside a transaction.
        """
        changed, _ = await asyncio.shield(self._write(list(statements), each=False))
        return changed

    async def write_each(
        self, statements: Iterable[tuple[str, Sequence[Any]]]
    ) -> list[tuple[int, Exception]]:
        """Run statements in one transaction, each on its own: one that fails is undone alone.

        What did not go in is returned as (index, error) pairs; the rest is committed. A locked
        or damaged file still stops everything with ``DatabaseError``.
        """
        _, failed = await asyncio.shield(self._write(list(statements), each=True))
        return failed

    async def _write(
        self, statements: list[tuple[str, Sequence[Any]]], *, each: bool
    ) -> tuple[int, list[tuple[int, Exception]]]:
        async with self._writing:
            try:
                done: tuple[int, Failures] = await self.conn._execute(
                    _transaction, self.conn._conn, statements, each
                )
                return done
            except sqlite3.DatabaseError as exc:
                raise self._unusable(exc) from None

    async def execute_outside_transaction(self, sql: str, params: Sequence[Any] = ()) -> None:
        """For statements SQLite refuses inside a transaction (``VACUUM``, ``VACUUM INTO``)."""
        async with self._writing:
            try:
                await self.conn.execute(sql, params)
            except sqlite3.DatabaseError as exc:
                raise self._unusable(exc) from None

    def _unusable(self, exc: sqlite3.DatabaseError) -> Exception:
        """A locked or damaged file becomes a ``DatabaseError`` that says so; a bug stays a bug."""
        if _is_file_trouble(exc):
            return DatabaseError(_explain(self.path, exc))
        return exc


def _is_file_trouble(exc: sqlite3.DatabaseError) -> bool:
    text = str(exc)
    return any(word in text for word in _FILE_TROUBLE)


def _storable(params: Sequence[Any]) -> Sequence[Any]:
    """Parameters with their text made storable: whatever slipped past the entry points (an
    imported export's JSON may spell a lone surrogate, a search typed on argv an undecodable
    byte) is written or looked up with U+FFFD, not refused."""
    return [storable(p) if type(p) is str else p for p in params]


async def _prepare(conn: aiosqlite.Connection, path: Path, busy_timeout: float) -> None:
    """Settings and migrations, retried while another process holds the file.

    SQLite answers "locked" at once, without waiting, where waiting could deadlock: switching a
    new file to WAL while another process writes it (several commands opening a brand-new history
    together). Opening waits and retries as long as any write would wait for its lock.
    """
    deadline = time.monotonic() + busy_timeout
    delay = 0.005
    while True:
        try:
            await conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
            await conn.execute("PRAGMA journal_mode = WAL")
            await conn.execute("PRAGMA synchronous = NORMAL")
            await conn.execute("PRAGMA foreign_keys = ON")
            await _migrate(conn, path)
            return
        except sqlite3.OperationalError as exc:
            if not _is_lock(exc) or time.monotonic() + delay > deadline:
                raise
        await asyncio.sleep(delay * random.uniform(0.5, 1.5))
        delay = min(delay * 2, 0.1)


def _is_lock(exc: sqlite3.DatabaseError) -> bool:
    text = str(exc)
    return "locked" in text or "busy" in text


Failures = list[tuple[int, Exception]]


def _transaction(
    conn: sqlite3.Connection, statements: list[tuple[str, Sequence[Any]]], each: bool
) -> tuple[int, Failures]:
    """Run in the database's own thread, in one trip: a trip per statement waits for the GIL
    each time, and while the event loop is busy (a batch streaming at full speed) each wait is
    up to the interpreter's switch interval (5 ms), so writing fell far behind the runs.

    With ``each``, every statement runs under its own savepoint: one SQLite refuses is rolled back
    and reported by its index, the rest commit; trouble with the file itself still fails all.
    """
    changed, failed = 0, Failures()
    try:
        conn.execute("BEGIN IMMEDIATE")
        for index, (sql, params) in enumerate(statements):
            if not each:
                changed += max(conn.execute(sql, _storable(params)).rowcount, 0)
                continue
            conn.execute("SAVEPOINT one_row")
            try:
                changed += max(conn.execute(sql, _storable(params)).rowcount, 0)
            except (sqlite3.DatabaseError, ValueError, OverflowError) as exc:
                if isinstance(exc, sqlite3.DatabaseError) and _is_file_trouble(exc):
                    raise
                conn.execute("ROLLBACK TO one_row")
                failed.append((index, exc))
            conn.execute("RELEASE one_row")
        conn.commit()
    except BaseException:
        if conn.in_transaction:
            conn.rollback()
        raise
    return changed, failed


async def _migrate(conn: aiosqlite.Connection, path: Path) -> None:
    version = await _version(conn)
    if version > len(MIGRATIONS):
        raise DatabaseError(
            f"the history database {path} was written by a newer orch-tui "
            f"(schema {version}, this one knows {len(MIGRATIONS)}); upgrade orch-tui. "
            "The file was left untouched."
        )
    if version == len(MIGRATIONS):
        return
    # Take the write lock, then look again: another process may have migrated meanwhile.
    await conn.execute("BEGIN IMMEDIATE")
    try:
        for number, script in enumerate(MIGRATIONS, start=1):
            if number <= await _version(conn):
                continue
            for statement in _statements(script):
                await conn.execute(statement)
            await conn.execute(f"PRAGMA user_version = {number}")
        await conn.commit()
    except BaseException:
        await conn.rollback()
        raise


def _statements(script: str) -> list[str]:
    """A migration script cut into statements (trigger bodies stay whole), to run in one transaction."""
    statements, pending = [], ""
    for line in script.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            statements.append(pending.strip())
            pending = ""
    if pending.strip():
        statements.append(pending.strip())
    return statements


async def _version(conn: aiosqlite.Connection) -> int:
    async with conn.execute("PRAGMA user_version") as cursor:
        row = await cursor.fetchone()
    return int(row[0]) if row else 0


def _explain(path: Path, exc: sqlite3.DatabaseError) -> str:
    text = str(exc)
    if _is_lock(exc):
        return (
            f"the history database {path} is locked by another program; "
            "close it and try again. The file was left untouched."
        )
    return (
        f"the history database {path} cannot be read ({text}). It was left untouched; "
        "move it aside to start a new history, or restore a backup."
    )
