"""What the batch pool needs from where its items are kept, as small protocols.

The history database implements ``ItemQueue`` for the embedded mode; a broker (Redis Streams)
implements ``Broker`` for the distributed one. Neither is imported here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from orchestrator_tui.core.batch.model import BatchItem, ItemOutcome, Turn
from orchestrator_tui.core.errors import OrchError


class ItemQueue(Protocol):
    async def claim(self, limit: int) -> list[BatchItem]:
        """Up to ``limit`` items still to run, in input order; never one handed out before."""
        ...

    def started(self, item: BatchItem, session_id: str) -> None:
        """An attempt began as ``session_id``. Synchronous: it is written with the session's start."""
        ...

    def finished(self, item: BatchItem, outcome: ItemOutcome) -> None:
        """The item's result. Synchronous: written in the same transaction as its session's end,
        so a crash leaves both or neither and an item is never stored twice."""
        ...


@dataclass(frozen=True, slots=True)
class Delivery:
    """An item as a worker received it from the broker: ``ref`` names this delivery there."""

    ref: str
    item: BatchItem
    spec: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Collected:
    """A result read back by the producer; ``ref`` is acknowledged once it is stored."""

    ref: str
    item: BatchItem
    outcome: ItemOutcome


class WorkQueue(Protocol):
    """The worker's side of a broker. Delivery is at least once; the per-item lock (a token that
    expires unless renewed) makes sure only one worker runs an item, and a result is accepted only
    from the worker still holding the item's lock."""

    async def take(self, consumer: str, count: int, wait: float) -> list[Delivery]:
        """Items that workers that died left behind first, then new ones; waits up to ``wait`` s."""
        ...

    async def lock(self, delivery: Delivery, token: str) -> int | None:
        """Take the item's lock: its attempt number, or ``None`` when another worker runs it or
        it is already done (then the delivery is acknowledged)."""
        ...

    async def renew(self, delivery: Delivery, consumer: str, token: str) -> bool:
        """Keep the lock and the delivery ours; ``False`` once the lock was lost."""
        ...

    async def turns(self, delivery: Delivery) -> list[Turn]:
        """Turns an earlier attempt completed (the conversation's state)."""
        ...

    async def save_turn(
        self, delivery: Delivery, consumer: str, token: str, turn: Turn, number: int
    ) -> None:
        """Keep completed turn ``number`` in the item's state and tell observers which worker
        ran it (only while ``token`` still holds the item's lock)."""
        ...

    async def complete(self, delivery: Delivery, token: str, outcome: ItemOutcome) -> bool:
        """Publish the result and acknowledge, atomically, if still the holder; else ``False``."""
        ...

    async def retry(self, delivery: Delivery, token: str) -> None:
        """Queue the item again for another attempt and let this delivery go."""
        ...

    async def dead(self, delivery: Delivery, token: str, outcome: ItemOutcome) -> None:
        """Move the item to the dead letters and publish it as failed."""
        ...

    async def interrupted(self, delivery: Delivery, outcome: ItemOutcome) -> None:
        """Publish an attempt cut short (``outcome.status == "interrupted"``) for the history,
        while the batch's producer still collects."""
        ...

    async def aclose(self) -> None: ...


class ResultFeed(Protocol):
    """The producer's side of a broker."""

    async def knows(self, batch_id: str) -> bool:
        """Whether the broker still holds the batch (``False`` after it restarted empty)."""
        ...

    async def publish(self, batch_id: str, items: list[BatchItem], spec: dict[str, Any]) -> None:
        """Queue items for the workers (and remember the batch, see ``knows``)."""
        ...

    async def collect(self, batch_id: str, count: int, wait: float) -> list[Collected]:
        """Results of the batch not acknowledged yet (duplicates possible); waits up to ``wait``."""
        ...

    async def acknowledge(self, batch_id: str, refs: list[str]) -> None:
        """These results are stored: the broker may forget them."""
        ...

    async def forget(self, batch_id: str) -> None:
        """The batch is finished: drop what the broker kept for it."""
        ...

    async def activity(self, batch_id: str, window: float) -> Activity:
        """Turns the batch's workers completed in the last ``window`` seconds."""
        ...

    async def aclose(self) -> None: ...


@dataclass(frozen=True, slots=True)
class Activity:
    """What a batch's workers did lately, from the broker's progress stream."""

    workers: int
    """Workers that completed a turn of the batch in the window."""
    items: int
    """Items with a completed turn in the window: conversations under way."""
    turns: int


class BrokerUnavailable(OrchError):
    """The broker cannot be reached (or refused us); the message names it without its password."""
