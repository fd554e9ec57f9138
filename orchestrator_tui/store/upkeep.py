"""Database upkeep: compact it (``VACUUM``) and copy it safely while in use (``VACUUM INTO``)."""

from __future__ import annotations

from pathlib import Path

from orchestrator_tui.store.db import Database, DatabaseError


def size_on_disk(path: Path) -> int:
    """The database with its write-ahead log: what it really takes."""
    return sum(p.stat().st_size for p in (path, Path(f"{path}-wal")) if p.exists())


async def vacuum(db: Database) -> tuple[int, int]:
    """Merge the search indexes and rewrite the file without free pages; sizes before and after."""
    before = size_on_disk(db.path)
    await db.write(
        [
            ("INSERT INTO interactions_fts(interactions_fts) VALUES ('optimize')", ()),
            ("INSERT INTO prompts_fts(prompts_fts) VALUES ('optimize')", ()),
        ]
    )
    await db.execute_outside_transaction("VACUUM")
    await db.execute_outside_transaction("PRAGMA wal_checkpoint(TRUNCATE)")
    return before, size_on_disk(db.path)


async def backup(db: Database, target: Path) -> int:
    """A consistent copy at ``target`` (never over an existing file); its size in bytes."""
    target = target.expanduser()
    if target.exists():
        raise DatabaseError(f"{target} already exists; choose a new file name (it was not touched)")
    if not target.parent.is_dir():
        raise DatabaseError(f"the folder {target.parent} does not exist")
    await db.execute_outside_transaction("VACUUM INTO ?", (str(target),))
    return target.stat().st_size


async def check(db: Database) -> list[str]:
    """SQLite's quick integrity check: an empty list when the file is sound."""
    rows = await db.fetchall("PRAGMA quick_check")
    problems = [row[0] for row in rows]
    return [] if problems == ["ok"] else problems
