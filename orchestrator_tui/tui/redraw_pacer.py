"""One scheduler for the drawing work of every streaming view of an app.

Two things make many panes streaming at once slow, and this answers both:

- *Too many frames.* Eight panes with their own timers each ask for a frame at their own moment.
  Here streamed text waits for one shared tick, so panes with new text are redrawn for the same
  frame (at most ``per_tick`` of them, so one frame never composes them all). The tick's interval follows the CPU the process used since the last tick: above
  ``budget`` (a share of one core) it grows towards ``slowest``, below half of it it shrinks back
  to ``fastest``. Streaming stays smooth while drawing is cheap and never starves the event loop
  when it is not.
- *Long turns of the event loop.* asyncio runs every ready callback before it looks at the clock
  again, so eight panes each drawing for 30 ms in the same turn delay a key press by 240 ms. All
  drawing here runs in one task that works for at most ``slice`` seconds and then yields.

Views hand in two kinds of work: a *redraw* (new text: what is in view must be drawn now) and
*backfill* (lines out of view, drawn afterwards, a little at a time, newest first).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Protocol
from weakref import WeakKeyDictionary

from textual.app import App
from textual.timer import Timer


class View(Protocol):
    @property
    def is_attached(self) -> bool: ...

    def backfill(self, deadline: float) -> bool:
        """Draw out-of-view lines until ``deadline`` (``time.monotonic``); False when all drawn."""
        ...


class RedrawPacer:
    fastest = 0.09
    """Seconds between ticks while drawing is cheap (eleven a second)."""
    slowest = 0.5
    budget = 0.6
    """Share of one core the process may use before ticks slow down."""
    slice = 0.012
    """Longest stretch of drawing before the event loop gets a turn."""
    per_tick = 4
    """Views redrawn per tick: a frame composing eight changed panes took 50-70 ms."""

    _by_app: WeakKeyDictionary[App[object], RedrawPacer] = WeakKeyDictionary()

    def __init__(self, app: App[object]) -> None:
        self._app = app
        self._waiting: dict[View, Callable[[], object]] = {}
        """Redraws for the next tick."""
        self._due: dict[View, Callable[[], object]] = {}
        """Redraws to run now."""
        self._backfill: dict[View, None] = {}
        self._timer: Timer | None = None
        self._working = False
        self.interval = self.fastest
        self._last_tick = 0.0
        self._wall = time.monotonic()
        self._cpu = time.process_time()

    @classmethod
    def of(cls, app: App[object]) -> RedrawPacer:
        pacer = cls._by_app.get(app)
        if pacer is None:
            pacer = cls._by_app[app] = cls(app)
        return pacer

    def request(self, view: View, redraw: Callable[[], object], *, soon: bool = False) -> None:
        """Run ``redraw`` at the next tick, or (``soon``) as soon as the loop allows."""
        if soon:
            self._waiting.pop(view, None)
            self._due[view] = redraw
            self._work()
            return
        self._waiting[view] = redraw
        if self._timer is None:
            # Counted from the last tick, not from this request: text arriving a little after a
            # tick would otherwise stretch every interval (10 redraws a second, not 12).
            due = max(0.005, self._last_tick + self.interval - time.monotonic())
            self._timer = self._app.set_timer(due, self._tick, name="redraw-pacer")

    def backfill(self, view: View) -> None:
        """Call ``view.backfill`` when no redraw is waiting, until it has nothing left."""
        self._backfill[view] = None
        self._work()

    def cancel(self, view: View) -> None:
        self._waiting.pop(view, None)
        self._due.pop(view, None)
        self._backfill.pop(view, None)

    def _tick(self) -> None:
        """Redraw up to ``per_tick`` waiting views (the longest waiting first); the rest wait for
        the next tick, so one frame never has to compose every pane at once."""
        self._timer = None
        self._last_tick = time.monotonic()
        self._adapt()
        for view in list(self._waiting)[: self.per_tick]:
            self._due[view] = self._waiting.pop(view)
        if self._waiting:
            self._timer = self._app.set_timer(self.interval, self._tick, name="redraw-pacer")
        self._work()

    def _adapt(self) -> None:
        wall, cpu = time.monotonic(), time.process_time()
        elapsed = wall - self._wall
        load = (cpu - self._cpu) / elapsed if elapsed > 0 else 0.0
        self._wall, self._cpu = wall, cpu
        if elapsed > 2 * self.slowest:
            self.interval = self.fastest  # idle since the last tick: start quick again
        elif load > self.budget:
            self.interval = min(self.slowest, self.interval * 1.5)
        elif load < self.budget / 2:
            self.interval = max(self.fastest, self.interval / 1.25)

    def _work(self) -> None:
        if not self._working and (self._due or self._backfill):
            self._working = True
            self._app.run_worker(self._drain(), group="redraw-pacer")

    async def _drain(self) -> None:
        try:
            while self._due or self._backfill:
                deadline = time.monotonic() + self.slice
                while self._due:  # at least one per slice, however short
                    view = next(iter(self._due))
                    redraw = self._due.pop(view)
                    if view.is_attached:
                        redraw()
                    if time.monotonic() >= deadline:
                        break
                if not self._due:
                    self._backfill_until(deadline)
                await asyncio.sleep(0)
        finally:
            self._working = False

    def _backfill_until(self, deadline: float) -> None:
        """Backfill views in turn (the first one at least) until ``deadline``."""
        for view in list(self._backfill):
            if not view.is_attached or not view.backfill(deadline):
                self._backfill.pop(view, None)
            else:  # more to draw: the next slice starts with the other views
                self._backfill[view] = self._backfill.pop(view)
            if time.monotonic() >= deadline:
                return
