"""Batches in the history database: the batch rows, their items (the embedded queue), read-outs.

Items are written from the input in chunks as it is read, so an input never sits in memory whole.
An item's result is written through the recorder, in the transaction of its session's end.
"""

from __future__ import annotations

import builtins
import json
import os
import time
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field
from typing import Any

from orchestrator_tui.core.batch.model import BatchItem, ItemOutcome
from orchestrator_tui.core.conversation import new_id
from orchestrator_tui.core.errors import OrchError
from orchestrator_tui.store.db import Database
from orchestrator_tui.store.recorder import Recorder
from orchestrator_tui.store.writer import is_running, this_process

CHUNK = 500
BROKER_ENV = "ORCH_TUI_BROKER"
"""The broker's full URL, password included (never stored), for following a batch's workers."""


class UnknownBatch(OrchError):
    """No batch has that name (or id)."""


@dataclass(frozen=True, slots=True)
class BatchRow:
    id: str
    name: str
    spec: dict[str, Any]
    status: str
    concurrency: int
    budget: float | None
    broker: str | None
    total: int
    bad_rows: int
    pid: int | None
    pid_start: int | None
    created_at: float
    updated_at: float

    def follow_url(self) -> str | None:
        """The broker URL to read a running distributed batch's progress from: ``ORCH_TUI_BROKER``
        (which may hold the password) or the stored one when it has none."""
        if self.status != "running" or not self.broker:
            return None
        url = os.environ.get(BROKER_ENV) or self.broker
        return None if "***" in url else url

    @property
    def running_elsewhere(self) -> bool:
        """Another live process is working this batch."""
        return (
            self.status in ("running", "loading")
            and (self.pid, self.pid_start) != this_process()
            and is_running(self.pid, self.pid_start)
        )


@dataclass(frozen=True, slots=True)
class BatchCounts:
    total: int
    counts: dict[str, int] = field(default_factory=dict)
    in_flight: int = 0
    cost: float | None = 0.0
    """Dollars spent; ``None`` when a finished item's cost is unknown (a model without prices)."""
    input_tokens: int = 0
    output_tokens: int = 0
    quality: float | None = None
    failures: tuple[tuple[int, int, str], ...] = ()
    """The last failed items: (item, line, error)."""

    def of(self, status: str) -> int:
        return self.counts.get(status, 0)


@dataclass(frozen=True, slots=True)
class ItemRow:
    item: int
    line: int
    inputs: dict[str, str]
    status: str
    session_id: str | None
    attempts: int
    output: str | None
    score: float | None
    quality: float | None
    details: dict[str, Any]
    input_tokens: int | None
    output_tokens: int | None
    cost: float | None
    error: str | None
    finished_at: float | None


class BatchStore:
    def __init__(self, db: Database, recorder: Recorder) -> None:
        self.db = db
        self.recorder = recorder

    async def create(
        self,
        name: str,
        spec: dict[str, Any],
        *,
        concurrency: int,
        budget: float | None = None,
        broker: str | None = None,
    ) -> BatchRow:
        """A new batch, ``loading`` until ``set_counts`` says its input is all queued.

        A batch whose loading process died is dropped here, so running it again starts clean.
        """
        found = await self._find(name)
        if found is not None and found.status == "loading" and not found.running_elsewhere:
            await self.delete(found.id)
        elif found is not None:
            raise OrchError(f"a batch named {name!r} exists; resume it or choose another --name")
        at = time.time()
        await self.db.write(
            [
                (
                    "INSERT INTO batches (id, name, spec, status, concurrency, budget, broker,"
                    " pid, pid_start, created_at, updated_at)"
                    " VALUES (?, ?, ?, 'loading', ?, ?, ?, ?, ?, ?, ?)",
                    (
                        new_id(),
                        name,
                        json.dumps(spec),
                        concurrency,
                        budget,
                        broker,
                        *this_process(),
                        at,
                        at,
                    ),
                )
            ]
        )
        return await self.get(name)

    async def add_items(self, batch_id: str, rows: Iterable[tuple[int, dict[str, str]]]) -> int:
        """Queue ``(line, inputs)`` rows in input order, ``CHUNK`` per transaction; how many."""
        count, chunk = 0, []
        for line, inputs in rows:
            count += 1
            chunk.append((batch_id, count, line, json.dumps(inputs, ensure_ascii=False)))
            if len(chunk) >= CHUNK:
                await self._insert(chunk)
                chunk = []
        if chunk:
            await self._insert(chunk)
        return count

    async def set_counts(self, batch_id: str, total: int, bad_rows: int) -> None:
        """The input is all queued: the batch can run (and be resumed)."""
        await self.db.write(
            [
                (
                    "UPDATE batches SET total = ?, bad_rows = ?, status = 'queued', pid = NULL, pid_start = NULL,"
                    " updated_at = ? WHERE id = ?",
                    (total, bad_rows, time.time(), batch_id),
                )
            ]
        )

    async def delete(self, batch_id: str) -> None:
        """The batch and its items (sessions of its items stay in the history)."""
        await self.db.write([("DELETE FROM batches WHERE id = ?", (batch_id,))])

    async def _insert(self, chunk: list[tuple[str, int, int, str]]) -> None:
        await self.db.write(
            ("INSERT INTO batch_items (batch_id, item, line, inputs) VALUES (?, ?, ?, ?)", row)
            for row in chunk
        )

    async def get(self, name: str) -> BatchRow:
        row = await self._find(name)
        if row is None:
            raise UnknownBatch(f"no batch named {name!r} (orch-tui batch list shows them)")
        return row

    async def _find(self, name: str) -> BatchRow | None:
        row = await self.db.fetchone(
            "SELECT * FROM batches WHERE name = ? OR id = ? ORDER BY name = ? DESC LIMIT 1",
            (name, name, name),
        )
        return _batch(row) if row else None

    async def list(self) -> list[BatchRow]:
        rows = await self.db.fetchall("SELECT * FROM batches ORDER BY created_at DESC")
        return [_batch(row) for row in rows]

    async def set_status(self, batch_id: str, status: str) -> None:
        """``running`` claims the batch for this process; any other status lets it go."""
        pid, start = this_process() if status == "running" else (None, None)
        await self.db.write(
            [
                (
                    "UPDATE batches SET status = ?, pid = ?, pid_start = ?, updated_at = ?"
                    " WHERE id = ?",
                    (status, pid, start, time.time(), batch_id),
                )
            ]
        )

    async def cancel(self, batch_id: str) -> int:
        """No queued item starts any more (items in flight finish); how many were cancelled."""
        return await self.db.write(
            [
                (
                    "UPDATE batch_items SET status = 'cancelled'"
                    " WHERE batch_id = ? AND status = 'queued'",
                    (batch_id,),
                ),
                (
                    "UPDATE batches SET status = 'cancelled', updated_at = ? WHERE id = ?",
                    (time.time(), batch_id),
                ),
            ]
        )

    async def requeue(self, batch_id: str, *, failed: bool = False) -> int:
        """Put cancelled items (and failed ones, if asked) back in the queue; how many."""
        statuses = ("cancelled", "failed") if failed else ("cancelled",)
        marks = ",".join("?" * len(statuses))
        return await self.db.write(
            [
                (
                    f"UPDATE batch_items SET status = 'queued', error = NULL"
                    f" WHERE batch_id = ? AND status IN ({marks})",
                    (batch_id, *statuses),
                )
            ]
        )

    async def counts(self, batch_id: str) -> BatchCounts:
        rows = await self.db.fetchall(
            "SELECT status, COUNT(*) AS n, SUM(cost) AS cost, COUNT(cost) AS priced,"
            " SUM(input_tokens) AS tin,"
            " SUM(output_tokens) AS tout, AVG(quality) AS quality FROM batch_items"
            " WHERE batch_id = ? GROUP BY status",
            (batch_id,),
        )
        flight = await self.db.fetchone(
            "SELECT COUNT(*) FROM sessions WHERE batch_id = ? AND status = 'active'", (batch_id,)
        )
        failures = await self.db.fetchall(
            "SELECT item, line, error FROM batch_items WHERE batch_id = ? AND status = 'failed'"
            " ORDER BY finished_at DESC LIMIT 5",
            (batch_id,),
        )
        done = next((r for r in rows if r["status"] == "done"), None)
        return BatchCounts(
            sum(r["n"] for r in rows),
            {r["status"]: r["n"] for r in rows},
            flight[0] if flight else 0,
            _spent(rows),
            sum(r["tin"] or 0 for r in rows),
            sum(r["tout"] or 0 for r in rows),
            done["quality"] if done and done["quality"] is not None else None,
            tuple((r["item"], r["line"], r["error"] or "") for r in failures),
        )

    async def watch_items(self, batch_id: str, limit: int = 200) -> builtins.list[ItemRow]:
        """What the Batch screen lists: failed items first (with their reasons), then the most
        recently finished ones."""
        rows = await self.db.fetchall(
            "SELECT * FROM batch_items WHERE batch_id = ? AND status IN ('done', 'failed')"
            " ORDER BY status = 'failed' DESC, finished_at DESC LIMIT ?",
            (batch_id, limit),
        )
        return [_item(row) for row in rows]

    async def throughput(self, batch_id: str, window: float = 60.0) -> float:
        """Items finished per second over the last ``window`` seconds."""
        row = await self.db.fetchone(
            "SELECT COUNT(*) FROM batch_items WHERE batch_id = ? AND finished_at >= ?",
            (batch_id, time.time() - window),
        )
        return (row[0] if row else 0) / window

    async def items(self, batch_id: str, page: int = 1000) -> AsyncIterator[ItemRow]:
        """Every item in input order, read a page at a time."""
        last = 0
        while True:
            rows = await self.db.fetchall(
                "SELECT * FROM batch_items WHERE batch_id = ? AND item > ? ORDER BY item LIMIT ?",
                (batch_id, last, page),
            )
            for row in rows:
                yield _item(row)
            if len(rows) < page:
                return
            last = rows[-1]["item"]

    async def unfinished(self, batch_id: str) -> AsyncIterator[builtins.list[BatchItem]]:
        """Items still queued, ``CHUNK`` at a time in input order (what a broker must run)."""
        queue = self.queue(batch_id)
        while items := await queue.claim(CHUNK):
            yield items

    async def collect(self, item: BatchItem, outcome: ItemOutcome, chain: str) -> bool:
        """Store a result from a broker as a session of the history, once per item."""
        from orchestrator_tui.store.batch_results import store_result

        return await store_result(self.db, item, outcome, chain)

    def queue(self, batch_id: str) -> SqliteItemQueue:
        return SqliteItemQueue(self.db, self.recorder, batch_id)


class SqliteItemQueue:
    """The embedded queue: ``batch_items`` rows still ``queued``, handed out once in input order."""

    def __init__(self, db: Database, recorder: Recorder, batch_id: str) -> None:
        self.db = db
        self.recorder = recorder
        self.batch_id = batch_id
        self._after = 0

    async def claim(self, limit: int) -> list[BatchItem]:
        rows = await self.db.fetchall(
            "SELECT item, line, inputs FROM batch_items WHERE batch_id = ? AND status = 'queued'"
            " AND item > ? ORDER BY item LIMIT ?",
            (self.batch_id, self._after, limit),
        )
        if rows:
            self._after = rows[-1]["item"]
        return [
            BatchItem(self.batch_id, r["item"], r["line"], json.loads(r["inputs"])) for r in rows
        ]

    def started(self, item: BatchItem, session_id: str) -> None:
        self.recorder.add(tag_session(item, session_id))
        self.recorder.add(
            (
                "UPDATE batch_items SET attempts = attempts + 1 WHERE batch_id = ? AND item = ?",
                (item.batch_id, item.item),
            )
        )

    def finished(self, item: BatchItem, outcome: ItemOutcome) -> None:
        self.recorder.add(store_outcome(item, outcome))


def tag_session(item: BatchItem, session_id: str) -> tuple[str, tuple[Any, ...]]:
    return (
        "UPDATE sessions SET batch_id = ?, batch_item = ? WHERE id = ?",
        (item.batch_id, item.item, session_id),
    )


def store_outcome(item: BatchItem, outcome: ItemOutcome) -> tuple[str, tuple[Any, ...]]:
    """The item's result, written only while it is still queued: never a second time."""
    return (
        "UPDATE batch_items SET status = ?, session_id = ?, output = ?, score = ?, quality = ?,"
        " details = ?, input_tokens = ?, output_tokens = ?, cost = ?, error = ?, finished_at = ?"
        " WHERE batch_id = ? AND item = ? AND status NOT IN ('done', 'failed')",
        (
            outcome.status,
            outcome.session_id,
            outcome.output,
            outcome.score,
            outcome.quality,
            json.dumps(outcome.details, ensure_ascii=False),
            outcome.input_tokens,
            outcome.output_tokens,
            outcome.cost,
            outcome.error,
            outcome.at,
            item.batch_id,
            item.item,
        ),
    )


def _spent(rows: list[Any]) -> float | None:
    finished = [r for r in rows if r["status"] in ("done", "failed")]
    if any(r["priced"] < r["n"] for r in finished):
        return None
    return sum(r["cost"] or 0.0 for r in finished)


def _batch(row: Any) -> BatchRow:
    return BatchRow(**{**dict(row), "spec": json.loads(row["spec"])})


def _item(row: Any) -> ItemRow:
    data = dict(row)
    data.pop("batch_id")
    data["inputs"] = json.loads(data["inputs"])
    data["details"] = json.loads(data["details"] or "{}")
    return ItemRow(**data)
