"""The opt-in response cache (``core.ports.ResponseCache``) in the history database.

It has its own connection to the file, so its writes never interleave with the recorder's
transactions on the shared one.
"""

from __future__ import annotations

import asyncio
import time

from orchestrator_tui.core.ports import CachedAnswer
from orchestrator_tui.core.types import Usage
from orchestrator_tui.store.db import Database


class SqliteResponseCache:
    def __init__(self, db: Database) -> None:
        self.db = db
        self._lock = asyncio.Lock()  # one transaction at a time on this connection

    @classmethod
    async def open(cls, db: Database) -> SqliteResponseCache:
        return cls(await Database.open(db.path))

    async def get(self, key: str) -> CachedAnswer | None:
        row = await self.db.fetchone(
            "SELECT text, input_tokens, output_tokens FROM response_cache WHERE key = ?", (key,)
        )
        if row is None:
            return None
        async with self._lock:
            await self.db.write(
                [("UPDATE response_cache SET hits = hits + 1 WHERE key = ?", (key,))]
            )
        return CachedAnswer(row["text"], Usage(row["input_tokens"], row["output_tokens"]))

    async def put(self, key: str, model: str, answer: CachedAnswer) -> None:
        async with self._lock:
            await self.db.write(
                [
                    (
                        "INSERT OR REPLACE INTO response_cache"
                        " (key, model, text, input_tokens, output_tokens, created_at)"
                        " VALUES (?, ?, ?, ?, ?, ?)",
                        (
                            key,
                            model,
                            answer.text,
                            answer.usage.input_tokens,
                            answer.usage.output_tokens,
                            time.time(),
                        ),
                    )
                ]
            )

    async def aclose(self) -> None:
        await self.db.close()
