"""A batch worker: items from a broker, each run as its chain, results published back.

Any number of workers on any machines share a batch through the broker. Each item is run under
its lock, renewed while the run goes on; a worker that loses the lock (it was paused too long and
another took over) stops and its late result is refused by the broker. A conversation taken over
goes on from its last completed turn. A run that fails is tried again by any worker until
``max_attempts``, then the item goes to the dead letters. A worker stopped (SIGTERM, Ctrl-C)
hands its items in flight back at once instead of leaving them to be taken over. API keys stay on the worker: the
orchestrator it is given reads its own key store; nothing but data travels.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from orchestrator_tui.core.batch.model import ItemOutcome
from orchestrator_tui.core.batch.pool import chain_inputs
from orchestrator_tui.core.batch.ports import BrokerUnavailable, Delivery, WorkQueue
from orchestrator_tui.core.batch.spec import BatchSpec, chain_for
from orchestrator_tui.core.batch.tracker import ItemTracker
from orchestrator_tui.core.chains.engine import start_chain
from orchestrator_tui.core.chains.model import Chain, Persona
from orchestrator_tui.core.conversation import new_id
from orchestrator_tui.core.errors import OrchError
from orchestrator_tui.core.events import ResponseEnded, RunEvent
from orchestrator_tui.core.orchestrator import Orchestrator

log = logging.getLogger(__name__)
ChainsFor = Callable[[BatchSpec], tuple[Chain, Mapping[str, Persona]]]


@dataclass(frozen=True, slots=True)
class WorkerOptions:
    name: str = field(default_factory=lambda: f"worker-{new_id()[:8]}")
    concurrency: int = 32
    max_attempts: int = 3
    renew_every: float = 2.0
    """Seconds between lock renewals (the broker's lock lives a few times longer)."""
    exit_when_idle: float | None = None
    """Stop after this many seconds with nothing to do (``None``: run until cancelled)."""
    max_items: int | None = None
    """Stop after finishing this many items (for tests and benchmarks)."""


@dataclass(slots=True)
class WorkerStats:
    done: int = 0
    failed: int = 0
    retried: int = 0
    dead: int = 0
    discarded: int = 0
    """Results refused because the lock had been lost meanwhile."""
    handed_back: int = 0
    """Items in flight when the worker was stopped, queued again for others (their completed
    turns kept; the attempt counts)."""


class BatchWorker:
    def __init__(
        self,
        queue: WorkQueue,
        orchestrator: Orchestrator,
        chains: ChainsFor,
        options: WorkerOptions = WorkerOptions(),
    ) -> None:
        self.queue = queue
        self.orchestrator = orchestrator
        self.chains = chains
        self.options = options
        self.stats = WorkerStats()
        self._built: dict[str, tuple[Chain, Mapping[str, Persona]]] = {}
        self._trackers: dict[str, tuple[ItemTracker, int]] = {}
        """The run of each attempt in flight (by lock token) and how many turns it resumed."""

    async def run(self) -> WorkerStats:
        tasks: set[asyncio.Task[None]] = set()
        idle_since = time.monotonic()
        finished = 0
        try:
            while True:
                if self.options.max_items is not None and finished >= self.options.max_items:
                    break
                free = self.options.concurrency - len(tasks)
                deliveries = []
                if free > 0:
                    deliveries = await self._take(free)
                else:
                    _, tasks = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
                for delivery in deliveries:
                    task = asyncio.create_task(self._handle(delivery), name=delivery.item.key)
                    tasks.add(task)
                done = {t for t in tasks if t.done()}
                finished += len(done)
                tasks -= done
                if deliveries or tasks:
                    idle_since = time.monotonic()
                elif (
                    self.options.exit_when_idle is not None
                    and time.monotonic() - idle_since >= self.options.exit_when_idle
                ):
                    break
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        return self.stats

    async def _take(self, count: int) -> list[Delivery]:
        try:
            return await self.queue.take(self.options.name, count, 1.0)
        except BrokerUnavailable as exc:
            log.warning("%s; retrying", exc)
            await asyncio.sleep(1.0)
            return []

    async def _handle(self, delivery: Delivery) -> None:
        """One delivery to its end; when the broker goes away meanwhile, the item is left to be
        delivered again (its lock expires, or the producer publishes it again)."""
        try:
            await self._attempt(delivery)
        except BrokerUnavailable as exc:
            log.warning("item %s left for another attempt: %s", delivery.item.key, exc)
        except Exception:
            log.exception(
                "item %s failed in the worker; left for another attempt", delivery.item.key
            )

    async def _attempt(self, delivery: Delivery) -> None:
        token = new_id()
        attempt = await self.queue.lock(delivery, token)
        if attempt is None:
            return
        if attempt > self.options.max_attempts:
            await self._dead(delivery, token, ItemOutcome("failed", None, error="gave up"))
            return
        run_task = asyncio.create_task(self._run(delivery, token))
        try:
            kept = await self._renew_until_done(delivery, token, run_task)
        except asyncio.CancelledError:  # the worker stops: hand the item back at once
            run_task.cancel()
            await asyncio.gather(run_task, return_exceptions=True)
            await self.queue.retry(delivery, token)
            self.stats.handed_back += 1
            await self._cut_short(delivery, token)
            raise
        finally:
            if not run_task.done():
                run_task.cancel()
                await asyncio.gather(run_task, return_exceptions=True)
        if not kept:
            self.stats.discarded += 1
            log.warning("lost the lock of item %s; its result is discarded", delivery.item.key)
            await self._cut_short(delivery, token)
            return
        self._trackers.pop(token, None)
        outcome = run_task.result()
        if outcome is None:
            return
        if outcome.status == "done":
            await self._complete(delivery, token, outcome)
        elif attempt >= self.options.max_attempts:
            await self._dead(delivery, token, outcome)
        else:
            self.stats.retried += 1
            await self.queue.retry(delivery, token)

    async def _cut_short(self, delivery: Delivery, token: str) -> None:
        """Publish the attempt as interrupted, so the history keeps what it had written."""
        tracker, resumed = self._trackers.pop(token, (None, 0))
        outcome = tracker.cut_short(resumed) if tracker is not None else None
        if outcome is not None:
            await self.queue.interrupted(delivery, outcome)

    async def _renew_until_done(
        self, delivery: Delivery, token: str, run: asyncio.Task[Any]
    ) -> bool:
        """Renew the lock while the run goes on; ``False`` as soon as the lock was lost.

        It waits on the run rather than being cancelled when the run ends: a cancellation that
        lands inside a client library's call may be swallowed there.
        """
        while True:
            await asyncio.wait({run}, timeout=self.options.renew_every)
            if run.done():
                return True
            try:
                kept = await self.queue.renew(delivery, self.options.name, token)
            except BrokerUnavailable:
                kept = False
            if not kept:
                return False

    async def _run(self, delivery: Delivery, token: str) -> ItemOutcome | None:
        item = delivery.item
        try:
            chain, personas = self._chain(delivery.spec)
            chain = chain_for(chain, BatchSpec.from_dict(delivery.spec))(item)
        except OrchError as exc:
            return ItemOutcome("failed", None, error=" ".join(str(exc).split()))
        prior = await self.queue.turns(delivery)
        resumed: dict[str, list[tuple[str, str]]] = {}
        for turn in prior:
            resumed.setdefault(turn.step_id or "", []).append((turn.model, turn.text))
        pending: list[asyncio.Task[None]] = []

        def on_event(event: RunEvent) -> None:
            if isinstance(event, ResponseEnded) and event.status == "ok":
                turn = tracker.turns[-1]
                if turn.role == "turn":
                    count = sum(t.role == "turn" for t in tracker.turns)
                    pending.append(
                        asyncio.create_task(
                            self.queue.save_turn(delivery, self.options.name, token, turn, count)
                        )
                    )

        tracker = ItemTracker(item, chain, prior=prior)
        self._trackers[token] = (tracker, len(prior))
        run = start_chain(
            self.orchestrator,
            chain,
            chain_inputs(chain, item.inputs),
            personas=personas,
            listeners=[tracker, on_event],
            resumed=resumed,
        )
        try:
            await run.finish()
        finally:
            await asyncio.gather(*pending, return_exceptions=True)
        return tracker.outcome

    def _chain(self, spec: dict[str, Any]) -> tuple[Chain, Mapping[str, Persona]]:
        """Each spec is validated once per worker, exactly as a local chain file is."""
        key = repr(sorted(spec.items()))
        if key not in self._built:
            self._built[key] = self.chains(BatchSpec.from_dict(spec))
        return self._built[key]

    async def _complete(self, delivery: Delivery, token: str, outcome: ItemOutcome) -> None:
        if await self.queue.complete(delivery, token, outcome):
            self.stats.done += 1
        else:
            self.stats.discarded += 1
            log.warning("late result of item %s discarded: its lock was lost", delivery.item.key)

    async def _dead(self, delivery: Delivery, token: str, outcome: ItemOutcome) -> None:
        self.stats.dead += 1
        await self.queue.dead(delivery, token, outcome)
