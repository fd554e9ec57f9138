"""The producer of a distributed batch: publishes its items, collects results exactly once.

Items stay queued in the history database until their result is stored there, so the database
is the truth and the broker only carries work: when the broker forgets the batch (its server
restarted empty), everything without a result is published again. Results may arrive more than
once (redelivery, a retried publish); the sink stores the first and ignores the rest.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from orchestrator_tui.core.batch.model import BatchItem, ItemOutcome, Progress
from orchestrator_tui.core.batch.ports import BrokerUnavailable, ResultFeed

log = logging.getLogger(__name__)
Pending = Callable[[], AsyncIterator[list[BatchItem]]]
"""Every item of the batch still without a result, a chunk at a time (from the history)."""
Store = Callable[[BatchItem, ItemOutcome], Awaitable[bool]]
"""Store a result; ``False`` when the item already had one (a duplicate)."""


class BatchProducer:
    def __init__(
        self,
        feed: ResultFeed,
        batch_id: str,
        spec: dict[str, Any],
        pending: Pending,
        store: Store,
        progress: Progress,
        *,
        check_every: float = 2.0,
    ) -> None:
        self.feed = feed
        self.batch_id = batch_id
        self.spec = spec
        self.pending = pending
        self.store = store
        self.progress = progress
        self.check_every = check_every
        self.republished = 0
        """How many times the broker had lost the batch and it was published again."""

    async def run(self, *, publish: bool = False) -> Progress:
        """Publish (when asked, or when the broker does not hold the batch) and collect until
        every item ended."""
        if publish or not await self.feed.knows(self.batch_id):
            await self._publish()
        loop = asyncio.get_running_loop()
        checked = loop.time()
        while self.progress.finished < self.progress.total:
            try:
                await self._collect()
                if loop.time() - checked >= self.check_every:
                    checked = loop.time()
                    if not await self.feed.knows(self.batch_id):
                        log.warning("the broker lost batch %s; publishing it again", self.batch_id)
                        self.republished += 1
                        await self._publish()
            except BrokerUnavailable as exc:
                log.warning("%s; retrying", exc)
                await asyncio.sleep(1.0)
        await self.feed.forget(self.batch_id)
        return self.progress

    async def _publish(self) -> None:
        async for items in self.pending():
            await self.feed.publish(self.batch_id, items, self.spec)

    async def _collect(self) -> None:
        collected = await self.feed.collect(self.batch_id, 256, 1.0)
        for result in collected:
            if await self.store(result.item, result.outcome):
                self.progress.count(result.outcome)
        await self.feed.acknowledge(self.batch_id, [r.ref for r in collected])
