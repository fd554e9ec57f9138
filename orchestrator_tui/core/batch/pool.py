"""The in-process worker pool: items from a queue, each run as a chain, ``concurrency`` at a time.

A feeder claims items in chunks (one query per chunk, not per item) and workers start them. A
budget stops new items once what was spent plus what is in flight (by estimate) plus the next
item's estimate would pass it; ``limit`` stops after that many items started. Cancelling the pool
cancels the runs in flight: their items stay queued, to run again on resume.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from orchestrator_tui.core.batch.model import BatchItem, ItemOutcome, Progress
from orchestrator_tui.core.batch.ports import ItemQueue
from orchestrator_tui.core.batch.tracker import ItemTracker
from orchestrator_tui.core.chains.engine import start_chain
from orchestrator_tui.core.chains.model import Chain, ChainInvalid, Persona
from orchestrator_tui.core.errors import OrchError
from orchestrator_tui.core.orchestrator import Orchestrator

ChainFor = Callable[[BatchItem], Chain]
Estimate = Callable[[BatchItem, Chain], float]
"""At most what an item costs (``budget.item_cost_bound``)."""


@dataclass(frozen=True, slots=True)
class PoolOptions:
    concurrency: int = 8
    budget: float | None = None
    """Dollars; no item starts once spent + in flight + its own estimate would pass it."""
    limit: int | None = None
    """Start at most this many items in this process."""


class BatchPool:
    def __init__(
        self,
        orchestrator: Orchestrator,
        queue: ItemQueue,
        chain_for: ChainFor,
        progress: Progress,
        options: PoolOptions = PoolOptions(),
        *,
        personas: Mapping[str, Persona] | None = None,
        estimate: Estimate | None = None,
    ) -> None:
        self.orchestrator = orchestrator
        self.queue = queue
        self.chain_for = chain_for
        self.progress = progress
        self.options = options
        self.personas = personas or {}
        self.estimate = estimate
        self._in_flight_estimate = 0.0
        self._started = 0

    async def run(self) -> Progress:
        """Work until the queue is empty (or the budget or limit stops new items)."""
        size = max(1, self.options.concurrency)
        work: asyncio.Queue[BatchItem | None] = asyncio.Queue(maxsize=size)
        workers = [asyncio.create_task(self._work(work), name=f"batch-{n}") for n in range(size)]
        try:
            await self._feed(work)
            for _ in workers:
                await work.put(None)
            await asyncio.gather(*workers)
        finally:
            for task in workers:
                task.cancel()
            await asyncio.gather(*workers, return_exceptions=True)
        return self.progress

    async def _feed(self, work: asyncio.Queue[BatchItem | None]) -> None:
        chunk = max(64, 2 * self.options.concurrency)
        while self.progress.stopped is None:
            items = await self.queue.claim(chunk)
            if not items:
                return
            for item in items:
                if self.progress.stopped is not None:
                    return
                await work.put(item)

    async def _work(self, work: asyncio.Queue[BatchItem | None]) -> None:
        while (item := await work.get()) is not None:
            if self.progress.stopped is not None:
                continue
            chain = self.chain_for(item)
            cost = self._admit(item, chain)
            if cost is None:
                continue
            self.progress.in_flight += 1
            try:
                outcome = await self._run(item, chain)
            finally:
                self.progress.in_flight -= 1
                self._in_flight_estimate -= cost
            if outcome is not None:
                self.progress.count(outcome)

    def _admit(self, item: BatchItem, chain: Chain) -> float | None:
        """The item's estimated cost if it may start now; ``None`` (and a reason) if not."""
        options = self.options
        if options.limit is not None and self._started >= options.limit:
            self.progress.stopped = "limit"
            return None
        cost = 0.0
        if options.budget is not None:
            cost = self.estimate(item, chain) if self.estimate is not None else 0.0
            if self.progress.cost + self._in_flight_estimate + cost > options.budget:
                self.progress.stopped = "budget"
                return None
        self._started += 1
        self._in_flight_estimate += cost
        return cost

    async def _run(self, item: BatchItem, chain: Chain) -> ItemOutcome | None:
        tracker = ItemTracker(item, chain, self.queue.started, self.queue.finished)
        inputs = chain_inputs(chain, item.inputs)
        try:
            run = start_chain(
                self.orchestrator, chain, inputs, personas=self.personas, listeners=[tracker]
            )
        except (ChainInvalid, OrchError) as exc:
            outcome = ItemOutcome("failed", None, error=_one_line(str(exc)))
            self.queue.finished(item, outcome)
            return outcome
        await run.finish()
        return tracker.outcome


def chain_inputs(chain: Chain, fields: Mapping[str, str]) -> dict[str, str]:
    """The row's fields the chain takes (a row may carry more, an id for example)."""
    return {i.name: fields[i.name] for i in chain.inputs if i.name in fields}


def missing_inputs(chain: Chain, fields: Mapping[str, str]) -> list[str]:
    """The chain's inputs a row lacks (and that have no default)."""
    return [i.name for i in chain.inputs if i.name not in fields and i.default is None]


def _one_line(text: str) -> str:
    return " ".join(text.split())
