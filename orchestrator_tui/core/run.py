"""A run in flight: its event stream, its response tasks, and cancellation."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Sequence
from typing import Any, Literal

from orchestrator_tui.core.events import ResponseEnded, RunEvent, RunFinished

Listener = Callable[[RunEvent], None]
RunStatus = Literal["completed", "failed", "cancelled", "budget"]
"""``budget``: the budget guard refused or stopped at least one of its answers."""
log = logging.getLogger(__name__)


class Run:
    """Iterate it for events (each exactly once); ``cancel`` one response or everything.

    The body is started at once; listeners see every event synchronously, before the iterator does,
    so the recorder never misses one even if nobody iterates.
    """

    def __init__(
        self,
        run_id: str,
        session_id: str,
        body: Callable[[Run], Awaitable[RunStatus]],
        listeners: Sequence[Listener] = (),
    ) -> None:
        self.run_id = run_id
        self.session_id = session_id
        self.results: dict[str, ResponseEnded] = {}
        self.status: RunStatus | None = None
        self._listeners = tuple(listeners)
        self._queue: asyncio.Queue[RunEvent] = asyncio.Queue()
        self._responses: dict[str, asyncio.Task[Any]] = {}
        self._cancelled = False
        self._started = False
        self._main = asyncio.create_task(self._drive(body), name=f"run-{run_id}")

    def emit(self, event: RunEvent) -> None:
        if isinstance(event, ResponseEnded):
            self.results[event.response_id] = event
        for listener in self._listeners:
            try:
                listener(event)
            except Exception:
                log.exception("run listener failed on %s", type(event).__name__)
        self._queue.put_nowait(event)

    def spawn(
        self, response_id: str, coro: Coroutine[Any, Any, ResponseEnded]
    ) -> asyncio.Task[ResponseEnded]:
        """Start one response as its own task, so it can be cancelled alone."""
        task = asyncio.create_task(coro, name=f"response-{response_id}")
        self._responses[response_id] = task
        task.add_done_callback(lambda _: self._responses.pop(response_id, None))
        return task

    @property
    def cancelled(self) -> bool:
        return self._cancelled

    @property
    def done(self) -> bool:
        return self._main.done()

    def cancel(self, response_id: str | None = None) -> bool:
        """Cancel one response (its partial text is kept as ``cancelled``) or, with no id, the run."""
        if response_id is not None:
            task = self._responses.get(response_id)
            if task is None or task.done():
                return False
            task.cancel()
            return True
        if self._main.done():
            return False
        self._cancelled = True
        for task in list(self._responses.values()):
            task.cancel()
        if self._started:  # a task cancelled before its first step would never end the run
            self._main.cancel()
        return True

    async def __aiter__(self) -> AsyncIterator[RunEvent]:
        while True:
            event = await self._queue.get()
            yield event
            if isinstance(event, RunFinished):
                return

    async def follow(self, *handlers: Listener) -> RunStatus:
        """Hand every event to each handler in turn until the run ends; its status.

        The one way a front end follows a run. When following stops early, the run does not go on
        unseen: cancelled from outside (Ctrl-C, Escape), the run is cancelled and its last events
        still handed over, so partial answers end as ``cancelled`` on screen; a handler that
        fails cancels the run and its error goes on.
        """
        try:
            async for event in self:
                for handle in handlers:
                    handle(event)
        except asyncio.CancelledError:
            self.cancel()
            async for event in self:
                for handle in handlers:
                    handle(event)
            raise
        except BaseException:
            self.cancel()
            await self.wait()
            raise
        assert self.status is not None  # set before RunFinished is emitted
        return self.status

    async def wait(self) -> list[ResponseEnded]:
        """Wait for the end without iterating; the ended responses in order of ending."""
        await asyncio.shield(self._main)
        return list(self.results.values())

    async def finish(self) -> list[ResponseEnded]:
        """``wait``, for a caller whose own cancellation must not leave the run going on unseen:
        cancelled, it cancels the run and waits for its last answers, then goes on cancelled."""
        try:
            return await self.wait()
        except asyncio.CancelledError:
            self.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.wait()
            raise

    async def _drive(self, body: Callable[[Run], Awaitable[RunStatus]]) -> None:
        status: RunStatus
        error: str | None = None
        self._started = True
        try:
            if self._cancelled:  # cancelled before it began: nothing is sent
                raise asyncio.CancelledError
            status = await body(self)
        except asyncio.CancelledError:
            status = "cancelled"
            pending = [t for t in self._responses.values() if not t.done()]
            if pending:
                await asyncio.gather(*pending, return_exceptions=True)
        except Exception as exc:
            log.exception("run %s failed", self.run_id)
            status, error = "failed", str(exc)
        if self._cancelled:
            status = "cancelled"
        elif any(r.status == "budget" for r in self.results.values()):
            status = "budget"
        self.status = status
        self.emit(RunFinished(self.run_id, self.session_id, status, error))
