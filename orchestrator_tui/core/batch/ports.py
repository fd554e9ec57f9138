"""What the batch pool needs from where its items are kept, as small protocols.

The history database implements ``ItemQueue`` for the embedded mode; a broker (Redis Streams)
implements ``Broker`` for the distributed one. Neither is imported here.
"""

from __future__ import annotations

from typing import Protocol

from orchestrator_tui.core.batch.model import BatchItem, ItemOutcome


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
