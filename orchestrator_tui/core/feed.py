"""Run events for a subscriber that must never slow a stream (a plugin shipping them elsewhere).

A run calls its listeners synchronously on the hot path. A ``BoundedFeed`` is such a listener that
only puts the event in a bounded queue; its own task hands events to the subscriber. When the
subscriber falls behind and the queue is full, new events are dropped and counted, never waited for.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Awaitable, Callable

from orchestrator_tui.core.events import RunEvent

Subscriber = Callable[[RunEvent], Awaitable[None] | None]
log = logging.getLogger(__name__)


class BoundedFeed:
    """A run listener feeding ``subscriber`` off the hot path, dropping what it cannot keep up with."""

    def __init__(self, name: str, subscriber: Subscriber, capacity: int = 1000) -> None:
        self.name = name
        self.subscriber = subscriber
        self.dropped = 0
        self._queue: asyncio.Queue[RunEvent] = asyncio.Queue(capacity)
        self._task: asyncio.Task[None] | None = None

    def __call__(self, event: RunEvent) -> None:
        try:
            self._queue.put_nowait(event)
        except asyncio.QueueFull:
            self.dropped += 1
            return
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._drain(), name=self.name)

    async def _drain(self) -> None:
        while True:
            event = await self._queue.get()
            try:
                result = self.subscriber(event)
                if inspect.isawaitable(result):
                    await result
            except Exception:
                log.exception(
                    "run-event subscriber %s failed on %s", self.name, type(event).__name__
                )
            finally:
                self._queue.task_done()

    async def aclose(self, grace: float = 1.0) -> str | None:
        """Let the subscriber catch up for at most ``grace`` seconds, then stop it.

        Returns a line for the user when events were lost, else ``None``.
        """
        if self._task is not None:
            try:
                await asyncio.wait_for(self._queue.join(), grace)
            except TimeoutError:
                self.dropped += self._queue.qsize()
            self._task.cancel()
            self._task = None
        if self.dropped:
            return f"run-event subscriber {self.name} fell behind: {self.dropped} event(s) dropped"
        return None
